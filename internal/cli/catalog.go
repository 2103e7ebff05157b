package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/target"
)

func (a *app) newDrivers() *cobra.Command {
	cmd := &cobra.Command{Use: "drivers", Short: "Show the drivers this binary offers"}
	var output string
	list := &cobra.Command{Use: "list [-o text|json]", Short: "List drivers with their inputs", Args: noArgs,
		Example: "  pave drivers list\n  pave drivers list -o json",
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(output); err != nil {
				return err
			}
			drivers, _ := registries("", nil)
			var infos []driver.Info
			for _, n := range drivers.Names() {
				info := drivers.Info(n)
				if info.Inputs == nil {
					info.Inputs = []driver.Input{}
				}
				infos = append(infos, info)
			}
			if output == formatJSON {
				return writeJSON(a.stdout, infos)
			}
			for _, info := range infos {
				pure := ""
				if info.Pure {
					pure = " (pure)"
				}
				fmt.Fprintf(a.stdout, "%s%s: %s\n", info.Name, pure, info.Description)
				for _, in := range info.Inputs {
					fmt.Fprintf(a.stdout, "    %-16s %-8s %s%s\n", in.Name, in.Type, flags(in.Required, in.Secret), in.Description)
				}
			}
			return nil
		})}
	list.Flags().StringVarP(&output, "output", "o", formatText, "output format: text or json")
	cmd.AddCommand(list)
	return cmd
}

func (a *app) newTargets() *cobra.Command {
	cmd := &cobra.Command{Use: "targets", Short: "Show the targets this binary offers"}
	var output string
	list := &cobra.Command{Use: "list [-o text|json]", Short: "List targets with their config", Args: noArgs,
		Example: "  pave targets list\n  pave targets list -o json",
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(output); err != nil {
				return err
			}
			_, targets := registries("", nil)
			var infos []target.Info
			for _, n := range targets.Names() {
				t, _ := targets.Get(n)
				info := target.Info{Name: n, Config: []target.Input{}}
				if d, ok := t.(target.Describer); ok {
					info = d.Describe()
					info.Name = n
				}
				infos = append(infos, info)
			}
			if output == formatJSON {
				return writeJSON(a.stdout, infos)
			}
			for _, info := range infos {
				fmt.Fprintf(a.stdout, "%s: %s\n", info.Name, info.Description)
				for _, in := range info.Config {
					fmt.Fprintf(a.stdout, "    %-16s %-8s %s%s\n", in.Name, in.Type, flags(in.Required, false), in.Description)
				}
			}
			return nil
		})}
	list.Flags().StringVarP(&output, "output", "o", formatText, "output format: text or json")
	cmd.AddCommand(list)
	return cmd
}

func flags(required, secret bool) string {
	var f []string
	if required {
		f = append(f, "required")
	}
	if secret {
		f = append(f, "secret")
	}
	if len(f) == 0 {
		return ""
	}
	return "(" + strings.Join(f, ", ") + ") "
}
