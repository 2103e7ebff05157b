package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/policy"
	"github.com/pavedev/pave/internal/service"
)

func (a *app) newPolicy() *cobra.Command {
	cmd := &cobra.Command{Use: "policy", Short: "Work with the platform's Rego policies"}
	var platformDir, output string
	test := &cobra.Command{
		Use:   "test --platform DIR [-o text|json]",
		Short: "Run the Rego unit tests of the platform's policies",
		Long: `Test compiles the policies of DIR/policies with their *_test.rego files and
runs every test_ rule. It exits 0 when every test passes.`,
		Example: "  pave policy test --platform examples/platform",
		Args:    noArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(output); err != nil {
				return err
			}
			if platformDir == "" {
				return usagef("missing --platform")
			}
			st, err := os.Stat(platformDir)
			if err != nil || !st.IsDir() {
				return errs.New(errs.Invalid, "platform config %q is not a directory", platformDir)
			}
			files, err := service.PolicyFiles(os.DirFS(platformDir))
			if err != nil {
				return inDir(platformDir, err)
			}
			rep, err := policy.Test(cmd.Context(), files)
			if err != nil {
				return inDir(platformDir, err)
			}
			if output == formatJSON {
				if err := writeJSON(a.stdout, rep); err != nil {
					return err
				}
			} else {
				a.printPolicyTests(rep)
			}
			if !rep.OK() {
				return silent(errs.New(errs.Invalid, "%d policy tests failed, %d errored", rep.Failed, rep.Errored))
			}
			return nil
		}),
	}
	test.Flags().StringVar(&platformDir, "platform", envOr("PAVE_PLATFORM", ""), "platform config directory (env PAVE_PLATFORM)")
	test.Flags().StringVarP(&output, "output", "o", formatText, "output format: text or json")
	cmd.AddCommand(test)
	return cmd
}

func (a *app) printPolicyTests(rep *policy.TestReport) {
	for _, r := range rep.Results {
		switch r.Status {
		case policy.TestPass:
			fmt.Fprintf(a.stdout, "PASS  %s.%s\n", r.Package, r.Name)
		case policy.TestSkip:
			fmt.Fprintf(a.stdout, "SKIP  %s.%s\n", r.Package, r.Name)
		default:
			fmt.Fprintf(a.stdout, "%-5s %s.%s (%s:%d): %s\n", string(r.Status), r.Package, r.Name, r.File, r.Line, r.Message)
		}
	}
	fmt.Fprintf(a.stdout, "%d passed, %d failed, %d errored, %d skipped\n", rep.Passed, rep.Failed, rep.Errored, rep.Skipped)
}
