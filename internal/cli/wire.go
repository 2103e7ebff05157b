package cli

import (
	"context"
	"sort"

	"github.com/spf13/cobra"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/drivers/postgres"
	"github.com/pavedev/pave/internal/drivers/static"
	"github.com/pavedev/pave/internal/drivers/template"
	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/target"
)

// stateFlags say where local state lives.
type stateFlags struct {
	stateDir    string
	databaseURL string
}

func (f *stateFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.stateDir, "state", envOr("PAVE_STATE", ".pave"), "local state directory (env PAVE_STATE)")
	cmd.Flags().StringVar(&f.databaseURL, "database-url", envOr("PAVE_DATABASE_URL", ""), "PostgreSQL URL for shared state instead of the local SQLite file (env PAVE_DATABASE_URL)")
}

// registries builds the drivers and targets this binary offers.
func registries() (*driver.Registry, *target.Registry) {
	d := driver.NewRegistry()
	d.Register("static", static.New())
	d.Register("template", template.New())
	d.Register("postgres", postgres.New())
	return d, target.NewRegistry()
}

// service builds the core for one command. With needState false the store
// is opened only if the state already exists.
func (a *app) service(ctx context.Context, sf stateFlags, needState bool) (*service.Service, func(), error) {
	drivers, targets := registries()
	svc := &service.Service{Drivers: drivers, Targets: targets}
	return svc, func() {}, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
