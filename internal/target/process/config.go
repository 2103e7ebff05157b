package process

import (
	"fmt"
	"path/filepath"
	"time"

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
	r := target.NewConfigReader("process", configInputs)
	r.Read(cfg, func(k string, v any) error {
		var err error
		switch k {
		case "workdir":
			s.workdir, err = target.ConfigString(v)
			if err == nil && s.workdir != "" {
				s.workdir, err = filepath.Abs(s.workdir)
			}
		case "readyTimeout":
			s.readyTimeout, err = target.ConfigDuration(v, 0)
		case "stopTimeout":
			s.stopTimeout, err = target.ConfigDuration(v, 0)
		case "logMaxBytes":
			s.logMaxBytes, err = target.ConfigInt(v)
			if err == nil && s.logMaxBytes < 4096 {
				err = fmt.Errorf("must be at least 4096")
			}
		case "portOffset":
			var n int64
			n, err = target.ConfigInt(v)
			if err == nil && (n < 0 || n > MaxPortOffset) {
				err = fmt.Errorf("%d is out of range: it must be from 0 to %d", n, MaxPortOffset)
			}
			if err == nil {
				s.portOffset = int(n)
			}
		}
		return err
	})
	return s, r.Err()
}
