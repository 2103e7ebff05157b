package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pavedev/pave/internal/errs"
)

// validationError is one problem in the JSON output of validate.
type validationError struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Path    string `json:"path"`
	Message string `json:"message"`
}

func (a *app) newValidate() *cobra.Command {
	var output string
	var wf workloadFlags
	cmd := &cobra.Command{
		Use:   "validate [-o text|json] FILE...",
		Short: "Check Score files against the Score spec",
		Long: `Validate checks Score files (score.dev/v1b1) and reports every problem of
every file with its file, line and JSON-pointer path. It needs no platform.`,
		Example: `  pave validate examples/shop/*.score.yaml
  pave validate -o json api.score.yaml --override-property containers.api.image=nginx:1`,
		RunE: runE(func(cmd *cobra.Command, files []string) error {
			if err := checkFormat(output); err != nil {
				return err
			}
			ws, err := wf.parse(files)
			if err != nil && errs.CodeOf(err) != errs.Invalid {
				return err
			}
			if output == formatJSON {
				res := struct {
					Valid  bool              `json:"valid"`
					Errors []validationError `json:"errors"`
				}{Valid: err == nil, Errors: []validationError{}}
				for _, e := range errs.Errors(err) {
					res.Errors = append(res.Errors, validationError{File: e.File, Line: e.Line, Path: e.Path, Message: e.Message})
				}
				if werr := writeJSON(a.stdout, res); werr != nil {
					return werr
				}
				if err != nil {
					return silent(err)
				}
				return nil
			}
			if err != nil {
				return err
			}
			for _, w := range ws {
				fmt.Fprintf(a.stdout, "%s: workload %q is valid\n", w.File, w.Name)
			}
			return nil
		}),
	}
	cmd.Flags().StringVarP(&output, "output", "o", formatText, "output format: text or json")
	wf.register(cmd)
	return cmd
}
