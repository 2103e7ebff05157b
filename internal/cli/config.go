package cli

import (
	"os"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/service"
)

// loadConfig loads the platform config of dir with its policies.
func (a *app) loadConfig(svc *service.Service, dir string) (*service.Config, error) {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return nil, errs.New(errs.Invalid, "platform config %q is not a directory", dir)
	}
	cfg, err := svc.LoadConfig(os.DirFS(dir))
	if err != nil {
		return nil, inDir(dir, err)
	}
	return cfg, nil
}
