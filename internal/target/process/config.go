package process

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

// Defaults of the target config keys.
const (
	DefaultReadyTimeout = 60 * time.Second
	DefaultStopTimeout  = 10 * time.Second
	DefaultLogMaxBytes  = 10 << 20
	// MaxPortOffset is the largest portOffset.
	MaxPortOffset = 50000
)

// settings is the target config, checked.
type settings struct {
	workdir      string
	readyTimeout time.Duration
	stopTimeout  time.Duration
	logMaxBytes  int64
	portOffset   int
}

var configInputs = []target.Input{
	{Name: "workdir", Type: "string", Description: "working directory of every process; relative to pave's working directory; default: the container's own directory <stateDir>/process/<app>/<env>/<workload>/<container>"},
	{Name: "readyTimeout", Type: "duration", Description: "how long a deploy waits for every workload to be ready (\"90s\", or a number of seconds); default 60s"},
	{Name: "stopTimeout", Type: "duration", Description: "grace period between SIGTERM and SIGKILL when a process is stopped; default 10s"},
	{Name: "logMaxBytes", Type: "int", Description: "size at which a container's log file is rotated (one old file is kept); default 10 MiB"},
	{Name: "portOffset", Type: "int", Description: "number added to every port of this environment's processes, so that several environments " +
		"run on one machine (say development with 0, staging with 1000): to each service port's targetPort (so to the PORT pave sets, " +
		"and to the ports checked free before a process starts) and to the port of every httpGet probe, given or defaulted. " +
		"A PORT variable the workload sets itself is not changed. 0 to 50000; default 0"},
}

func parseConfig(cfg target.Config) (settings, error) {
	s := settings{readyTimeout: DefaultReadyTimeout, stopTimeout: DefaultStopTimeout, logMaxBytes: DefaultLogMaxBytes}
	var list errs.List
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := cfg[k]
		var err error
		switch k {
		case "workdir":
			s.workdir, err = configString(v)
			if err == nil && s.workdir != "" {
				s.workdir, err = filepath.Abs(s.workdir)
			}
		case "readyTimeout":
			s.readyTimeout, err = configDuration(v)
		case "stopTimeout":
			s.stopTimeout, err = configDuration(v)
		case "logMaxBytes":
			s.logMaxBytes, err = configInt(v)
			if err == nil && s.logMaxBytes < 4096 {
				err = fmt.Errorf("must be at least 4096")
			}
		case "portOffset":
			var n int64
			n, err = configInt(v)
			if err == nil && (n < 0 || n > MaxPortOffset) {
				err = fmt.Errorf("%d is out of range: it must be from 0 to %d", n, MaxPortOffset)
			}
			if err == nil {
				s.portOffset = int(n)
			}
		default:
			err = fmt.Errorf("unknown key; known keys are workdir, readyTimeout, stopTimeout, logMaxBytes, portOffset")
		}
		if err != nil {
			list.Add(&errs.Error{Code: errs.Invalid, Path: "/" + k, Message: "process target config: " + err.Error()})
		}
	}
	return s, list.Err()
}

func configString(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("must be a string, not %s", typeName(v))
	}
	return s, nil
}

func configInt(v any) (int64, error) {
	switch n := v.(type) {
	case int:
		return int64(n), nil
	case int64:
		return n, nil
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), nil
		}
	}
	return 0, fmt.Errorf("must be an integer, not %s", typeName(v))
}

// configDuration accepts a Go duration string or a number of seconds, and
// refuses anything not positive or longer than a day.
func configDuration(v any) (time.Duration, error) {
	var d time.Duration
	switch n := v.(type) {
	case string:
		var err error
		if d, err = time.ParseDuration(n); err != nil {
			return 0, fmt.Errorf("%q is not a duration such as \"90s\"", n)
		}
	case int, int64, float64:
		secs, err := configInt(n)
		if err != nil {
			return 0, fmt.Errorf("must be a duration such as \"90s\" or a whole number of seconds")
		}
		if secs > 86400 || secs < 0 {
			return 0, fmt.Errorf("must be more than 0 and at most 24h")
		}
		d = time.Duration(secs) * time.Second
	default:
		return 0, fmt.Errorf("must be a duration such as \"90s\", not %s", typeName(v))
	}
	if d <= 0 || d > 24*time.Hour {
		return 0, fmt.Errorf("must be more than 0 and at most 24h")
	}
	return d, nil
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int, int64, float64:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "a map"
	}
	return fmt.Sprintf("%T", v)
}
