package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/pavedev/pave/internal/service"
)

func (a *app) newExplain() *cobra.Command {
	var output string
	var ef envFlags
	var sf stateFlags
	cmd := &cobra.Command{
		Use:   "explain --platform DIR --app APP --env ENV [-o text|json] TYPE[.CLASS][#ID]",
		Short: "Show which resource definition provides a resource, and why",
		Long: `Explain lists every definition of a resource type and class, each criterion,
whether it matches the context (app, environment, environment type, resource
id), its specificity, and why the winner won. Specificity orders criteria by
the fields they set: resId (8) > env (4) > envType (2) > app (1), summed.`,
		Example: `  pave explain --platform examples/platform --app shop --env development postgres
  pave explain --platform examples/platform --app shop --env staging postgres.default#shop-db -o json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("explain takes one resource, TYPE[.CLASS][#ID]")
			}
			return nil
		},
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(output); err != nil {
				return err
			}
			head, id, _ := strings.Cut(args[0], "#")
			typ, class, _ := strings.Cut(head, ".")
			d, err := a.open(cmd, sf, false)
			if err != nil {
				return err
			}
			defer d.close()
			if err := ef.checkFor(d); err != nil {
				return err
			}
			req := service.ExplainRequest{App: ef.app, Env: ef.env, Type: typ, Class: class, ID: id, Actor: localActor()}
			if d.svc != nil {
				if req.Platform, err = a.loadPlatform(d.svc, ef.platformDir); err != nil {
					return err
				}
			}
			ex, err := d.Explain(cmd.Context(), req)
			if err != nil {
				return err
			}
			if output == formatJSON {
				return writeJSON(a.stdout, ex)
			}
			fmt.Fprintf(a.stdout, "Resource %s.%s in %s\n\n", ex.Type, ex.Class, ex.Context)
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "DEFINITION\tCRITERION\tMATCHED\tSPECIFICITY\tREASON")
			for _, c := range ex.Candidates {
				fmt.Fprintf(tw, "%s\t%s\t%v\t%d\t%s\n", c.Definition, c.Criterion, c.Matched, c.Specificity, c.Reason)
			}
			tw.Flush()
			if ex.Selected != nil {
				fmt.Fprintf(a.stdout, "\nSelected: %s (%s)\n", *ex.Selected, ex.Reason)
			} else {
				fmt.Fprintf(a.stdout, "\nNo definition matches: %s\n", ex.Reason)
			}
			return nil
		}),
	}
	cmd.Flags().StringVarP(&output, "output", "o", formatText, "output format: text or json")
	ef.register(cmd)
	sf.register(cmd)
	return cmd
}
