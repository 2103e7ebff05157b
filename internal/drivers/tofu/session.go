package tofu

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/errs"
)

// session is one run of the tool for one request: inputs, prior state, a
// private working directory, and the log of every command run in it.
type session struct {
	in    *inputs
	state *state
	wd    *workdir
	r     *runner
	log   *tail
	red   *redactor
	// moduleHash is set by init.
	moduleHash string
}

// prepare checks a request and reads its state, without touching the disk.
func (d *Driver) prepare(req *driver.Request) (*inputs, *state, error) {
	in, err := parseInputs(req.Inputs, d.moduleBase(req.ConfigDir), false)
	if err != nil {
		return nil, nil, errs.Prefix("tofu driver inputs", err)
	}
	st, err := decodeState(req.State)
	if err != nil {
		return nil, nil, err
	}
	return in, st, nil
}

// open starts a session: it finds the tool, checks a local module exists,
// makes the working directory and runs init, then writes the state and the
// variables. The caller must close the session.
func (d *Driver) open(ctx context.Context, req *driver.Request, in *inputs, st *state) (*session, error) {
	bin, err := d.binary()
	if err != nil {
		return nil, err
	}
	if !in.Remote {
		if info, err := os.Stat(in.Module); err != nil || !info.IsDir() {
			return nil, errs.New(errs.Invalid, "tofu module %q is not a directory", in.Module)
		}
	}
	wd, err := newWorkdir(d.cfg.TempDir)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "tofu driver: cannot make a working directory")
	}
	log := newTail(d.cfg.LogLimit)
	s := &session{
		in: in, state: st, wd: wd, log: log,
		// Secrets that may show in the tool's output: variable values,
		// and the outputs of the last run (generated passwords …).
		red: newRedactor(in.Variables, req.Outputs, sourceCredentials(in.Module)),
		r: &runner{
			bin: bin, dir: wd.dir, env: toolEnv(os.Environ(), d.cfg.Env),
			grace: d.cfg.Grace, log: log,
		},
	}
	if err := s.init(ctx); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// init fetches or copies the module into the empty working directory and
// installs its providers and modules, then writes state and variables.
func (s *session) init(ctx context.Context) error {
	if err := s.r.run(ctx, nil, "init", "-input=false", "-no-color", "-from-module="+s.in.Module); err != nil {
		return s.fail("init", err)
	}
	// A module directory someone applied in by hand carries a state file
	// and maybe a variables file of pave's name: neither may stand in for
	// this resource's own.
	entries, err := os.ReadDir(s.wd.dir)
	if err != nil {
		return errs.Wrap(errs.Internal, err, "tofu driver: cannot read the working directory")
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), stateFile) || e.Name() == varsFile {
			if err := os.RemoveAll(filepath.Join(s.wd.dir, e.Name())); err != nil {
				return errs.Wrap(errs.Internal, err, "tofu driver: cannot clean the working directory")
			}
		}
	}
	if s.moduleHash, err = hashModule(s.wd.dir); err != nil {
		return errs.Wrap(errs.Internal, err, "tofu driver: cannot hash the module")
	}
	if err := s.wd.writeState(s.state.TFState); err != nil {
		return errs.Wrap(errs.Internal, err, "tofu driver: cannot write the state file")
	}
	if err := s.wd.writeVars(s.in.Variables); err != nil {
		return errs.Wrap(errs.Invalid, err, "tofu driver: cannot write the variables")
	}
	return nil
}

// fail is the error of a failed command, with the redacted log.
func (s *session) fail(command string, err error) error {
	return toolError(command, err, s.red.Redact(s.log.String()))
}

// newState reads the tool's state back. A run that wrote none (nothing
// applied yet) keeps the prior state.
func (s *session) newState() (*state, error) {
	tf, err := s.wd.readState()
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "tofu driver: cannot read the state file back")
	}
	if tf == nil {
		tf = s.state.TFState
	}
	return &state{Version: stateVersion, TFState: tf, ModuleHash: s.moduleHash}, nil
}

// close removes the working directory and everything in it.
func (s *session) close() {
	_ = s.wd.remove()
}

// sourceCredentials returns the secret parts of a module source's address
// ("git::https://user:token@host/…" gives token and user:token), which the
// tool may echo.
func sourceCredentials(src string) []any {
	m := credentialsInURL.FindStringSubmatch(src)
	if m == nil {
		return nil
	}
	return []any{m[1], m[2]}
}

// credentialsInURL finds "user:password@" after a scheme.
var credentialsInURL = regexp.MustCompile(`://([^/@:]*:([^/@]+))@`)
