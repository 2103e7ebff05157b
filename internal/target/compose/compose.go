// Package compose is pave's compose target: it runs an app in an
// environment as one Docker Compose project on a Docker engine.
//
// A deploy renders the deployment with internal/render/compose (services,
// files, env files; see that package for the mapping), checks the result
// with compose-go, writes it to the project directory and runs
//
//	docker compose -p <project> -f <dir>/compose.yaml up -d --remove-orphans --wait --wait-timeout <readyTimeout> [--build]
//
// so that changed services are recreated, services no longer deployed are
// removed, and the deploy returns once every container runs and passes its
// healthcheck. `--build` is added when the config's builds give a build
// context to a container (image "." means "build from source").
//
// The project directory (config projectDir, default
// <stateDir>/compose/<app>/<env>) holds:
//
//	compose.yaml               the project; never a secret value
//	files/<service>/<path>     files bind-mounted read-only into containers
//	secrets/<service>.env      secret variables (mode 0600), referenced by env_file
//	secrets/files/<service>/…  secret files (0600 unless the workload asks for less)
//	secrets/.digest-key        keys the LabelFilesDigest of services mounting secret files
//	secrets/.gitignore         ignores everything under secrets/
//
// Every file is written atomically (a temporary file renamed over the old
// one), secret ones never readable by group or others; files of workloads
// no longer deployed are removed after `up`.
//
// The target adds to what the renderer gives: the restart policy
// RestartPolicy on every service, and LabelFilesDigest on services that
// mount files, since Compose does not notice a change in a bind-mounted
// file by itself.
//
// Compose v2 is required (v1 has no `up --wait`): the docker CLI plugin
// `docker compose`, or else a v2 `docker-compose` binary in PATH. Docker
// commands run with pave's environment (DOCKER_HOST from the config when
// set) minus the COMPOSE_* variables that would choose other files,
// projects or output formats.
//
// Destroy runs `docker compose -p <project> down --remove-orphans --volumes`
// without the compose file, so that Compose works from its labels: the
// containers, networks and the volumes Compose created for the project
// are removed, while a named volume made by something else (a volume
// resource's driver) is left alone. It then removes what the target wrote
// in the project directory. Status reads `docker compose ps`, Logs
// `docker compose logs`; both work from labels too.
//
// Secret values never appear in compose.yaml, in progress events or in
// errors: command output shown to the user is redacted with every secret
// value of the deployment (for Logs, those found in the secrets
// directory). Docker itself shows a container's environment to anyone who
// may run `docker inspect`.
package compose

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/pavedev/pave/internal/errs"
	rendercompose "github.com/pavedev/pave/internal/render/compose"
	"github.com/pavedev/pave/internal/target"
)

// Name is the target's name in the registry and in environments.
const Name = "compose"

// Options configure the compose target.
type Options struct {
	// StateDir is pave's state directory; project directories default to
	// StateDir/compose/<app>/<env>.
	StateDir string
}

// Target is the compose target.
type Target struct {
	opts Options

	mu sync.Mutex
	// clis caches the Compose found, by the variables of the environment
	// that choose it.
	clis map[string]*composeCLI
	// locks serialize deploys and destroys of one project in this process.
	locks map[string]*sync.Mutex
}

// New returns a compose target.
func New(opts Options) *Target {
	return &Target{opts: opts, clis: map[string]*composeCLI{}, locks: map[string]*sync.Mutex{}}
}

var (
	_ target.Target         = (*Target)(nil)
	_ target.StatusReporter = (*Target)(nil)
	_ target.LogReader      = (*Target)(nil)
	_ target.Describer      = (*Target)(nil)
)

// Describe documents the target and its config keys.
func (t *Target) Describe() target.Info {
	return target.Info{
		Name: Name,
		Description: "Runs each app and environment as a Docker Compose project (Compose v2: the docker compose " +
			"plugin or a v2 docker-compose). Each container is a service \"<workload>\" or \"<workload>-<container>\"; " +
			"service ports are published on 127.0.0.1 (hostIP) at the service port; readiness (else liveness) " +
			"probes become healthchecks, and a deploy waits until every container is running and healthy. " +
			"Secret variables and files live only in the project directory's secrets/ (mode 0600), never in " +
			"compose.yaml. Containers are restarted unless stopped. Destroy removes the containers, networks, the " +
			"volumes Compose created, and the project directory's files.",
		Config: configInputs,
	}
}

// project names one app in one environment on this target.
type project struct {
	app, env string
	// name is the Compose project name.
	name string
	// dir is the project directory, absolute.
	dir string
	// defaultDir is set when dir is the default one under the state
	// directory.
	defaultDir bool
}

func (t *Target) project(s settings, app, env string) (project, error) {
	var list errs.List
	list.Add(checkName("app", app))
	list.Add(checkName("environment", env))
	if err := list.Err(); err != nil {
		return project{}, err
	}
	p := project{app: app, env: env, name: rendercompose.ProjectName(app, env), dir: s.projectDir}
	if p.name == "" {
		return project{}, errs.New(errs.Invalid, "compose target: app %q and environment %q give no usable Compose project name", app, env)
	}
	if p.dir == "" {
		if t.opts.StateDir == "" {
			return project{}, errs.New(errs.Invalid, "compose target: no state directory, and no projectDir in the target config")
		}
		abs, err := filepath.Abs(t.opts.StateDir)
		if err != nil {
			return project{}, errs.Wrap(errs.Invalid, err, "compose target: state directory %q", t.opts.StateDir)
		}
		p.dir, p.defaultDir = filepath.Join(abs, "compose", app, env), true
	}
	return p, nil
}

// checkName accepts names that are safe as one path element.
func checkName(kind, name string) error {
	if name == "" || len(name) > 128 || name == "." || name == ".." ||
		strings.ContainsAny(name, "/\\\x00") || strings.HasPrefix(name, ".") {
		return errs.New(errs.Invalid, "compose target: %s name %q is not a valid name", kind, name)
	}
	return nil
}

// lock serializes work on the project in dir within this process.
func (t *Target) lock(dir string) func() {
	t.mu.Lock()
	l, ok := t.locks[dir]
	if !ok {
		l = &sync.Mutex{}
		t.locks[dir] = l
	}
	t.mu.Unlock()
	l.Lock()
	return l.Unlock
}

// compose finds Compose for the settings' environment, once per
// environment (a failed search is repeated next time).
func (t *Target) compose(ctx context.Context, s settings) (*composeCLI, error) {
	env := environ(s)
	key := strings.Join([]string{getenv(env, "PATH"), getenv(env, "DOCKER_HOST"), getenv(env, "DOCKER_CONFIG"), getenv(env, "DOCKER_CONTEXT")}, "\x00")
	t.mu.Lock()
	c, ok := t.clis[key]
	t.mu.Unlock()
	if !ok {
		var err error
		if c, err = findCompose(ctx, env); err != nil {
			return nil, err
		}
		t.mu.Lock()
		t.clis[key] = c
		t.mu.Unlock()
	}
	cc := *c
	cc.env = env
	return &cc, nil
}

func getenv(env []string, key string) string {
	v := ""
	for _, kv := range env {
		if rest, ok := strings.CutPrefix(kv, key+"="); ok {
			v = rest
		}
	}
	return v
}

// removeEmptyParents removes the app directory of a default project
// directory and <stateDir>/compose when they are left empty.
func removeEmptyParents(p project) {
	if !p.defaultDir {
		return
	}
	app := filepath.Dir(p.dir)
	os.Remove(app)
	os.Remove(filepath.Dir(app))
}
