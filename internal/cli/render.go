package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/service"
)

func (a *app) newRender() *cobra.Command {
	var ef envFlags
	var wf workloadFlags
	var sf stateFlags
	var targetKind, outDir string
	var images, builds []string
	cmd := &cobra.Command{
		Use:   "render --platform DIR --app APP --env ENV --target kubernetes|compose [--out DIR] FILE...",
		Short: "Render the workloads as Kubernetes manifests or a Compose project",
		Long: `Render resolves the workloads like deploy would, without provisioning
anything: resources of pure drivers (static, template) are evaluated in
process; resources of other drivers use the outputs recorded by an earlier
deploy. Secret values are never written: Kubernetes Secrets are named in a
comment and left out, Compose secret env files are left for deploy to write.`,
		Example: `  pave render --platform examples/platform --app shop --env staging --target kubernetes examples/shop/*.score.yaml
  pave render --platform examples/platform --app shop --env staging --target compose --out build/ examples/shop/*.score.yaml`,
		RunE: runE(func(cmd *cobra.Command, files []string) error {
			if targetKind != service.RenderKubernetes && targetKind != service.RenderCompose {
				return usagef("--target must be kubernetes or compose")
			}
			imgs, err := parseImages(images)
			if err != nil {
				return err
			}
			blds, err := parseImages(builds)
			if err != nil {
				return err
			}
			d, err := a.open(cmd, sf, false)
			if err != nil {
				return err
			}
			defer d.close()
			if err := ef.checkFor(d); err != nil {
				return err
			}
			cfg, err := a.configFor(d, ef.platformDir)
			if err != nil {
				return err
			}
			ws, err := wf.parse(files)
			if err != nil {
				return err
			}
			out, err := d.Render(cmd.Context(), service.RenderRequest{Platform: cfg.Platform, Policies: cfg.Policies, App: ef.app, Env: ef.env,
				Workloads: ws, Format: targetKind, Images: imgs, Builds: blds, Actor: localActor()})
			if err != nil {
				return err
			}
			for _, w := range out.Warnings {
				fmt.Fprintf(a.stderr, "warning: %s\n", w)
			}
			if outDir == "" {
				for _, f := range out.Files {
					if len(out.Files) > 1 {
						fmt.Fprintf(a.stdout, "# file: %s\n", f.Path)
					}
					a.stdout.Write(f.Content)
				}
				return nil
			}
			return writeTree(outDir, out.Files)
		}),
	}
	ef.register(cmd)
	wf.register(cmd)
	sf.register(cmd)
	cmd.Flags().StringVar(&targetKind, "target", "", "kubernetes or compose")
	cmd.Flags().StringVar(&outDir, "out", "", "directory to write the files to (default: standard output)")
	cmd.Flags().StringArrayVar(&images, "image", nil, `image for a container whose image is ".": [WORKLOAD.]CONTAINER=IMAGE`)
	cmd.Flags().StringArrayVar(&builds, "build", nil, `compose: build context of a container: [WORKLOAD.]CONTAINER=DIR`)
	return cmd
}

// writeTree writes files under dir, each through a temporary file renamed
// into place, so that a failure leaves no half-written file.
func writeTree(dir string, files []service.RenderedFile) error {
	for _, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return errs.Wrap(errs.Invalid, err, "create %s: %s", filepath.Dir(path), errText(err))
		}
		tmp, err := os.CreateTemp(filepath.Dir(path), ".pave-*")
		if err != nil {
			return errs.Wrap(errs.Invalid, err, "write %s: %s", path, errText(err))
		}
		_, werr := tmp.Write(f.Content)
		cerr := tmp.Close()
		if werr == nil {
			werr = cerr
		}
		if werr == nil {
			werr = os.Chmod(tmp.Name(), f.Mode)
		}
		if werr == nil {
			werr = os.Rename(tmp.Name(), path)
		}
		if werr != nil {
			os.Remove(tmp.Name())
			return errs.Wrap(errs.Invalid, werr, "write %s: %s", path, errText(werr))
		}
	}
	return nil
}
