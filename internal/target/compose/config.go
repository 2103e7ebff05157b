package compose

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

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

// parseConfig checks cfg; relative paths are made absolute against pave's
// working directory.
func parseConfig(cfg target.Config) (settings, error) {
	s := settings{readyTimeout: DefaultReadyTimeout}
	r := target.NewConfigReader("compose", configInputs)
	r.Read(cfg, func(k string, v any) error {
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
			// Compose counts the wait in whole seconds.
			s.readyTimeout, err = target.ConfigDuration(v, time.Second)
		}
		return err
	})
	return s, r.Err()
}

// configString is a string that is valid UTF-8, as the compose file needs.
func configString(v any) (string, error) {
	s, err := target.ConfigString(v)
	if err == nil && !utf8.ValidString(s) {
		err = fmt.Errorf("must be valid UTF-8")
	}
	return s, err
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
				return nil, fmt.Errorf("%q must be a directory path, not %s", k, target.TypeName(e))
			}
			in[k] = s
		}
	case map[string]string:
		in = m
	default:
		return nil, fmt.Errorf("must be a map of container to build directory, not %s", target.TypeName(v))
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
