package cli

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/score"
	"github.com/pavedev/pave/internal/service"
)

// maxScoreFile bounds a Score file read from disk.
const maxScoreFile = 4 << 20

// workloadFlags are the flags of commands that read Score files.
type workloadFlags struct {
	overridesFile string
	properties    []string
}

func (f *workloadFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.overridesFile, "overrides-file", "", "a YAML file merged into every workload before validation")
	cmd.Flags().StringArrayVar(&f.properties, "override-property", nil, "set a property: path=value (dots separate keys, \\. escapes a dot; an empty value removes the key)")
}

// read reads the Score files named on the command line.
func (f *workloadFlags) read(files []string) (service.WorkloadInput, error) {
	if len(files) == 0 {
		return service.WorkloadInput{}, usagef("give at least one Score file")
	}
	in := service.WorkloadInput{Properties: f.properties}
	var list errs.List
	for _, name := range files {
		data, err := readFile(name)
		if err != nil {
			list.Add(err)
			continue
		}
		dir := filepath.Dir(name)
		in.Files = append(in.Files, service.WorkloadFile{Name: name, Data: data, ReadSource: func(p string) ([]byte, error) {
			if !filepath.IsAbs(p) {
				p = filepath.Join(dir, p)
			}
			return readFile(p)
		}})
	}
	if f.overridesFile != "" {
		data, err := readFile(f.overridesFile)
		if err != nil {
			list.Add(err)
		}
		in.OverridesFile, in.OverridesData = f.overridesFile, data
	}
	return in, list.Err()
}

// parse reads and validates the Score files.
func (f *workloadFlags) parse(files []string) ([]*score.Workload, error) {
	in, err := f.read(files)
	if err != nil {
		return nil, err
	}
	return service.ParseWorkloads(in)
}

func readFile(name string) ([]byte, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, errs.At(name, 0, "", "%s", strings.TrimPrefix(errText(err), name+": "))
	}
	if st.IsDir() {
		return nil, errs.At(name, 0, "", "is a directory, not a file")
	}
	if st.Size() > maxScoreFile {
		return nil, errs.At(name, 0, "", "file is %d bytes, larger than the %d byte limit", st.Size(), maxScoreFile)
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, errs.At(name, 0, "", "%s", errText(err))
	}
	return data, nil
}

func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// envFlags are --platform, --app and --env.
type envFlags struct {
	platformDir string
	app         string
	env         string
}

func (f *envFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.platformDir, "platform", envOr("PAVE_PLATFORM", ""), "platform config directory (env PAVE_PLATFORM)")
	cmd.Flags().StringVar(&f.app, "app", "", "app name")
	cmd.Flags().StringVar(&f.env, "env", "", "environment name")
}

func (f *envFlags) check() error {
	var missing []string
	if f.platformDir == "" {
		missing = append(missing, "--platform")
	}
	if f.app == "" {
		missing = append(missing, "--app")
	}
	if f.env == "" {
		missing = append(missing, "--env")
	}
	if len(missing) > 0 {
		return usagef("missing %s", strings.Join(missing, ", "))
	}
	return nil
}

func (a *app) loadPlatform(svc *service.Service, dir string) (*platform.Platform, error) {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return nil, errs.New(errs.Invalid, "platform config %q is not a directory", dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "platform config %q: %s", dir, errText(err))
	}
	p, err := svc.LoadPlatform(os.DirFS(abs), abs)
	if err != nil {
		return nil, inDir(dir, err)
	}
	return p, nil
}

// inDir makes the files named by errors relative to the working directory
// instead of the platform directory.
func inDir(dir string, err error) error {
	list := errs.Errors(err)
	out := make(errs.List, len(list))
	for i, e := range list {
		c := *e
		if c.File != "" && !filepath.IsAbs(c.File) {
			c.File = filepath.Join(dir, c.File)
		}
		out[i] = &c
	}
	return out
}

// parseImages reads --image WORKLOAD.CONTAINER=IMAGE or CONTAINER=IMAGE.
func parseImages(flags []string) (map[string]string, error) {
	out := map[string]string{}
	for _, f := range flags {
		k, v, ok := strings.Cut(f, "=")
		if !ok || k == "" || v == "" {
			return nil, usagef("--image wants [WORKLOAD.]CONTAINER=IMAGE, not %q", f)
		}
		out[k] = v
	}
	return out, nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
