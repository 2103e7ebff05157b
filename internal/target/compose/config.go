package compose

import (
	"fmt"
	"math"
	"net"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

// DefaultReadyTimeout is how long a deploy waits for the services to be
// running and healthy unless the config says otherwise.
const DefaultReadyTimeout = 2 * time.Minute

// settings is the target config, checked.
type settings struct {
	// projectDir is absolute, or empty for the default under the state
	// directory.
	projectDir string
	dockerHost string
	// builds are the build contexts by "<workload>.<container>" or
	// "<container>", made absolute.
	builds       map[string]string
	hostIP       string
	readyTimeout time.Duration
}

var configInputs = []target.Input{
	{Name: "projectDir", Type: "string", Description: "directory holding compose.yaml and the files it mounts (secrets under secrets/, mode 0600); relative to pave's working directory; default <stateDir>/compose/<app>/<env>"},
	{Name: "dockerHost", Type: "string", Description: "the Docker engine to use (DOCKER_HOST, such as unix:///run/docker.sock or tcp://host:2376); default: the docker CLI's own choice"},
	{Name: "builds", Type: "map", Description: "build context directory of containers built from source (image \".\"), keyed by \"<workload>.<container>\" or \"<container>\"; relative to pave's working directory; deploys then build the images (docker compose up --build)"},
	{Name: "hostIP", Type: "string", Description: "address service ports are published on; default 127.0.0.1 (this machine only), 0.0.0.0 for every interface"},
	{Name: "readyTimeout", Type: "duration", Description: "how long a deploy waits for every container to run and pass its healthcheck (\"90s\", or a number of seconds); default 2m"},
}

var configKeys = func() string {
	names := make([]string, len(configInputs))
	for i, in := range configInputs {
		names[i] = in.Name
	}
	return strings.Join(names, ", ")
}()

// parseConfig checks cfg; relative paths are made absolute against pave's
// working directory.
func parseConfig(cfg target.Config) (settings, error) {
	s := settings{readyTimeout: DefaultReadyTimeout}
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
		case "projectDir":
			s.projectDir, err = configPath(v)
		case "dockerHost":
			s.dockerHost, err = configString(v)
			if err == nil && strings.ContainsAny(s.dockerHost, "\x00\n") {
				err = fmt.Errorf("must be one line")
			}
		case "builds":
			s.builds, err = configBuilds(v)
		case "hostIP":
			s.hostIP, err = configString(v)
			if err == nil && s.hostIP != "" && net.ParseIP(s.hostIP) == nil {
				err = fmt.Errorf("%q is not an IP address", s.hostIP)
			}
		case "readyTimeout":
			s.readyTimeout, err = configDuration(v)
		default:
			err = fmt.Errorf("unknown key; known keys are %s", configKeys)
		}
		if err != nil {
			list.Add(&errs.Error{Code: errs.Invalid, Path: "/" + k, Message: "compose target config: " + k + ": " + err.Error()})
		}
	}
	return s, list.Err()
}

func configString(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("must be a string, not %s", typeName(v))
	}
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("must be valid UTF-8")
	}
	return s, nil
}

// configPath is a non-empty path made absolute.
func configPath(v any) (string, error) {
	s, err := configString(v)
	if err != nil {
		return "", err
	}
	if s == "" || strings.ContainsRune(s, 0) {
		return "", fmt.Errorf("must be a directory path")
	}
	abs, err := filepath.Abs(s)
	if err != nil {
		return "", fmt.Errorf("%q: %s", s, err.Error())
	}
	return abs, nil
}

func configBuilds(v any) (map[string]string, error) {
	var in map[string]string
	switch m := v.(type) {
	case map[string]any:
		in = make(map[string]string, len(m))
		for k, e := range m {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%q must be a directory path, not %s", k, typeName(e))
			}
			in[k] = s
		}
	case map[string]string:
		in = m
	default:
		return nil, fmt.Errorf("must be a map of container to build directory, not %s", typeName(v))
	}
	out := make(map[string]string, len(in))
	for k, dir := range in {
		if k == "" || strings.Count(k, ".") > 1 || strings.HasPrefix(k, ".") || strings.HasSuffix(k, ".") {
			return nil, fmt.Errorf("key %q must be \"<workload>.<container>\" or \"<container>\"", k)
		}
		p, err := configPath(dir)
		if err != nil {
			return nil, fmt.Errorf("%q: %s", k, err.Error())
		}
		out[k] = p
	}
	return out, nil
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

// configDuration accepts a Go duration string or a number of seconds, at
// least one second (Compose counts the wait in whole seconds) and at most
// a day.
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
			return 0, fmt.Errorf("must be at least 1s and at most 24h")
		}
		d = time.Duration(secs) * time.Second
	default:
		return 0, fmt.Errorf("must be a duration such as \"90s\", not %s", typeName(v))
	}
	if d < time.Second || d > 24*time.Hour {
		return 0, fmt.Errorf("must be at least 1s and at most 24h")
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
