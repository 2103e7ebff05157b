package cli

import (
	"os"
	"path/filepath"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/service"
)

// loadConfig loads the platform config of dir with its policies.
func (a *app) loadConfig(svc *service.Service, dir string) (*service.Config, error) {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return nil, errs.New(errs.Invalid, "platform config %q is not a directory", dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "platform config %q: %s", dir, errText(err))
	}
	cfg, err := svc.LoadConfig(os.DirFS(abs), abs)
	if err != nil {
		return nil, inDir(dir, err)
	}
	return cfg, nil
}

// configFor loads the platform config for a local door; a server has its
// own, so a remote door gets an empty one.
func (a *app) configFor(d *door, dir string) (*service.Config, error) {
	if d.svc == nil {
		return &service.Config{}, nil
	}
	return a.loadConfig(d.svc, dir)
}

// checkFor checks --platform, --app and --env; a server needs no
// --platform.
func (f *envFlags) checkFor(d *door) error {
	return f.checkWhere(d.svc == nil)
}

// checkWhere is checkFor before the door is open: remote says whether the
// command goes to a server.
func (f *envFlags) checkWhere(remote bool) error {
	if !remote {
		return f.check()
	}
	g := *f
	if g.platformDir == "" {
		g.platformDir = "(the server's)"
	}
	return g.check()
}
