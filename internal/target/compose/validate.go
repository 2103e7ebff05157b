package compose

import (
	"context"
	"path/filepath"
	"slices"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/pavedev/pave/internal/errs"
	rendercompose "github.com/pavedev/pave/internal/render/compose"
)

// validate loads compose.yaml as it is about to be written with
// compose-go, the library `docker compose` itself uses, and checks that it
// describes the rendered services, before anything in the project
// directory changes. Env files are not read: they may not exist yet.
func validate(ctx context.Context, dir string, p *rendercompose.Project, composeYAML []byte) error {
	cp, err := loader.LoadWithContext(ctx, types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(dir, composeFile), Content: composeYAML}},
		Environment: types.Mapping{},
	}, func(o *loader.Options) {
		o.SetProjectName(p.Name, true)
		o.SkipResolveEnvironment = true
	})
	if err != nil {
		// compose-go quotes the offending YAML, never env file values,
		// and compose.yaml holds no secret.
		return errs.Wrap(errs.Internal, err, "compose target: compose-go rejects the rendered compose.yaml: %s", err.Error())
	}
	var want, got []string
	for _, s := range p.Services {
		want = append(want, s.Name)
	}
	for name := range cp.Services {
		got = append(got, name)
	}
	slices.Sort(got)
	if !slices.Equal(want, got) {
		return errs.New(errs.Internal, "compose target: compose-go reads services %q from the rendered compose.yaml, want %q", got, want)
	}
	return nil
}
