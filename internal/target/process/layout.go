package process

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pavedev/pave/internal/errs"
)

// layout names the files of one app in one environment:
//
//	<stateDir>/process/<app>/<env>/
//	  state.json            supervisor state: pids, spec hashes, restarts (no secrets)
//	  supervisor.lock       held by the running supervisor
//	  supervisor.sock       the supervisor's control socket (see socketPath)
//	  supervisor.log        the supervisor's own diagnostics (no secrets)
//	  <workload>/<container>/
//	    files/<path>        the container's files; PAVE_FILES_DIR points here
//	    logs/output.log     captured stdout and stderr, rotated to output.log.1
type layout struct {
	stateDir string
	app, env string
	root     string
}

func newLayout(stateDir, app, env string) (layout, error) {
	var list errs.List
	if stateDir == "" {
		list.Add(errs.New(errs.Invalid, "process target: no state directory"))
	}
	list.Add(checkName("app", app))
	list.Add(checkName("environment", env))
	if err := list.Err(); err != nil {
		return layout{}, err
	}
	abs, err := filepath.Abs(stateDir)
	if err != nil {
		return layout{}, errs.Wrap(errs.Invalid, err, "process target: state directory %q", stateDir)
	}
	return layout{stateDir: abs, app: app, env: env, root: filepath.Join(abs, "process", app, env)}, nil
}

// checkName accepts names that are safe as one path element: Score and pave
// names are RFC 1123 labels, and anything else is refused rather than mapped.
func checkName(kind, name string) error {
	if name == "" || len(name) > 128 || name == "." || name == ".." ||
		strings.ContainsAny(name, "/\\\x00") || strings.HasPrefix(name, ".") {
		return errs.New(errs.Invalid, "process target: %s name %q is not a valid name", kind, name)
	}
	return nil
}

func (l layout) statePath() string     { return filepath.Join(l.root, "state.json") }
func (l layout) lockPath() string      { return filepath.Join(l.root, "supervisor.lock") }
func (l layout) supervisorLog() string { return filepath.Join(l.root, "supervisor.log") }

func (l layout) containerDir(workload, container string) string {
	return filepath.Join(l.root, workload, container)
}

func (l layout) filesDir(workload, container string) string {
	return filepath.Join(l.containerDir(workload, container), "files")
}

func (l layout) logPath(workload, container string) string {
	return filepath.Join(l.containerDir(workload, container), "logs", "output.log")
}

// maxSocketPath keeps below the 108 bytes of sun_path on Linux (104 on BSDs).
const maxSocketPath = 100

// socketPath is <root>/supervisor.sock when short enough for a unix socket,
// else a name derived from root in a private directory of the temp dir.
// Client and supervisor compute it the same way.
func (l layout) socketPath() string {
	p := filepath.Join(l.root, "supervisor.sock")
	if len(p) <= maxSocketPath {
		return p
	}
	sum := sha256.Sum256([]byte(l.root))
	return filepath.Join(os.TempDir(), "pave-"+strconv.Itoa(os.Getuid()), hex.EncodeToString(sum[:10])+".sock")
}
