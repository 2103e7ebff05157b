package cli

import (
	"context"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/drivers"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/secrets"
	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/store/sqlstore"
	"github.com/pavedev/pave/internal/target"
	"github.com/pavedev/pave/internal/targets"
)

// stateFlags say where state lives.
type stateFlags struct {
	stateDir    string
	databaseURL string
}

func (f *stateFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.stateDir, "state", envOr("PAVE_STATE", ".pave"), "local state directory: the SQLite database, the secret key, process logs (env PAVE_STATE)")
	cmd.Flags().StringVar(&f.databaseURL, "database-url", envOr("PAVE_DATABASE_URL", ""), "PostgreSQL URL for shared state instead of the local SQLite file (env PAVE_DATABASE_URL)")
}

// targetHashKeyPurpose names the key derived from the sealing key for the
// keyed digests targets write (see targets.Options.HashKey).
const targetHashKeyPurpose = "targets/hash"

// registries builds the drivers and targets this binary offers. hashKey is
// nil where no sealing key is loaded (commands that deploy nothing).
func registries(stateDir string, hashKey []byte) (*driver.Registry, *target.Registry) {
	d := driver.NewRegistry()
	drivers.Register(d)
	t := target.NewRegistry()
	targets.Register(t, targets.Options{StateDir: stateDir, HashKey: hashKey})
	return d, t
}

// service builds the core for one command. With needState false, the store
// is opened only when state already exists, so that stateless commands
// (plan, render) leave no .pave directory behind.
func (a *app) service(ctx context.Context, sf stateFlags, needState bool) (*service.Service, func(), error) {
	stateDir, err := absState(sf)
	if err != nil {
		return nil, nil, err
	}
	drivers, targets := registries(stateDir, nil)
	svc := &service.Service{Drivers: drivers, Targets: targets, Owner: service.LocalOwner()}
	url := sf.databaseURL
	if url == "" {
		dbPath := filepath.Join(stateDir, "state.db")
		if _, err := os.Stat(dbPath); err != nil && !needState {
			return svc, func() {}, nil
		}
		url = dbPath
	}
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return nil, nil, errs.Wrap(errs.Invalid, err, "create state directory %s: %s", stateDir, errText(err))
	}
	sealer, err := secrets.LoadKey(os.Getenv("PAVE_SECRET_KEY"), stateDir)
	if err != nil {
		return nil, nil, err
	}
	// Targets that write digests of secret values where others read them
	// (gitops) key them with a key derived from the sealing key; Render
	// keys its digests the same way, so that it shows what targets write.
	svc.HashKey = sealer.DeriveKey(targetHashKeyPurpose)
	_, svc.Targets = registries(stateDir, svc.HashKey)
	st, err := sqlstore.Open(ctx, url, sealer)
	if err != nil {
		return nil, nil, err
	}
	svc.Store = st
	return svc, func() { st.Close() }, nil
}

func absState(sf stateFlags) (string, error) {
	dir, err := filepath.Abs(sf.stateDir)
	if err != nil {
		return "", errs.Wrap(errs.Invalid, err, "state directory %q: %s", sf.stateDir, err.Error())
	}
	return dir, nil
}
