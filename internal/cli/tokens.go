package cli

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/pavedev/pave/internal/api"
	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/store"
)

// identityCommand builds a command that manages identity, through the
// server when logged in, else on local state as its admin.
func (a *app) identityCommand(use, short, example string, args cobra.PositionalArgs,
	local func(cmd *cobra.Command, svc *service.Service, args []string) (any, error),
	viaServer func(cmd *cobra.Command, r remote, args []string) (any, error),
	text func(v any), extra func(cmd *cobra.Command)) *cobra.Command {
	var sf stateFlags
	var output string
	cmd := &cobra.Command{Use: use, Short: short, Example: example, Args: args,
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(output); err != nil {
				return err
			}
			d, err := a.open(cmd, sf, true)
			if err != nil {
				return err
			}
			defer d.close()
			var v any
			if d.svc != nil {
				v, err = local(cmd, d.svc, args)
			} else {
				v, err = viaServer(cmd, d.core.(remote), args)
			}
			if err != nil {
				return err
			}
			if output == formatJSON {
				return writeJSON(a.stdout, v)
			}
			text(v)
			return nil
		})}
	cmd.Flags().StringVarP(&output, "output", "o", formatText, "output format: text or json")
	sf.register(cmd)
	if extra != nil {
		extra(cmd)
	}
	return cmd
}

func (a *app) newToken() *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Create, list and revoke API tokens"}
	var user, kind, name string
	var ttl time.Duration
	create := a.identityCommand("create [--user NAME] [--kind human|ci|agent] [--name LABEL] [--ttl DURATION]",
		"Create an API token; it is shown this once",
		"  pave token create --kind ci --name github-actions --ttl 720h", noArgs,
		func(cmd *cobra.Command, svc *service.Service, _ []string) (any, error) {
			return svc.CreateToken(cmd.Context(), service.CreateTokenRequest{User: user, Kind: kind, Name: name, TTL: ttl, Actor: localActor()})
		},
		func(cmd *cobra.Command, r remote, _ []string) (any, error) {
			return r.c.CreateToken(cmd.Context(), user, kind, name, ttl)
		},
		func(v any) {
			t := v.(*service.NewToken)
			fmt.Fprintf(a.stderr, "token %s of %s (%s), expires %s; it is shown this once:\n", t.ID, t.User, t.Kind, t.ExpiresAt.Format(time.RFC3339))
			fmt.Fprintln(a.stdout, t.Secret)
		},
		func(c *cobra.Command) {
			c.Flags().StringVar(&user, "user", "", "user the token is for (default: you; locally, required)")
			c.Flags().StringVar(&kind, "kind", "human", "token kind: human, ci or agent")
			c.Flags().StringVar(&name, "name", "", "a label for the token")
			c.Flags().DurationVar(&ttl, "ttl", 0, "time to live (default 90 days)")
		})
	list := a.identityCommand("list [--user NAME]", "List API tokens, never their secrets",
		"  pave token list", noArgs,
		func(cmd *cobra.Command, svc *service.Service, _ []string) (any, error) {
			return svc.ListTokens(cmd.Context(), localActor(), user)
		},
		func(cmd *cobra.Command, r remote, _ []string) (any, error) {
			return r.c.ListTokens(cmd.Context(), user)
		},
		func(v any) {
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tUSER\tKIND\tNAME\tEXPIRES\tREVOKED")
			for _, t := range v.([]store.Token) {
				exp, rev := "-", "-"
				if t.ExpiresAt != nil {
					exp = t.ExpiresAt.Format(time.RFC3339)
				}
				if t.RevokedAt != nil {
					rev = t.RevokedAt.Format(time.RFC3339)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.User, t.Kind, orDash(t.Name), exp, rev)
			}
			tw.Flush()
		},
		func(c *cobra.Command) { c.Flags().StringVar(&user, "user", "", "whose tokens (default: yours)") })
	revoke := a.identityCommand("revoke TOKEN_ID", "Revoke an API token",
		"  pave token revoke 01JD3Q...", cobra.ExactArgs(1),
		func(cmd *cobra.Command, svc *service.Service, args []string) (any, error) {
			return map[string]string{"revoked": args[0]}, svc.RevokeToken(cmd.Context(), localActor(), args[0])
		},
		func(cmd *cobra.Command, r remote, args []string) (any, error) {
			return map[string]string{"revoked": args[0]}, r.c.RevokeToken(cmd.Context(), args[0])
		},
		func(v any) { fmt.Fprintf(a.stdout, "token %s revoked\n", v.(map[string]string)["revoked"]) }, nil)
	cmd.AddCommand(create, list, revoke)
	return cmd
}

func (a *app) newUser() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Create users and teams (admins)"}
	var roles, teams []string
	var desc string
	user := a.identityCommand("create NAME [--role ROLE]... [--team TEAM]...", "Create a user",
		"  pave user create ann --role developer --team shop", cobra.ExactArgs(1),
		func(cmd *cobra.Command, svc *service.Service, args []string) (any, error) {
			u := &store.User{Name: args[0], Roles: roles, Teams: teams}
			return u, svc.CreateUser(cmd.Context(), localActor(), u)
		},
		func(cmd *cobra.Command, r remote, args []string) (any, error) {
			return r.c.CreateUser(cmd.Context(), api.UserBody{Name: args[0], Roles: roles, Teams: teams})
		},
		func(v any) {
			u := v.(*store.User)
			fmt.Fprintf(a.stdout, "user %s created (roles %s; teams %s)\n", u.Name, orNone(u.Roles), orNone(u.Teams))
		},
		func(c *cobra.Command) {
			c.Flags().StringArrayVar(&roles, "role", nil, "role: viewer, developer, platform-engineer or admin")
			c.Flags().StringArrayVar(&teams, "team", nil, "team the user belongs to")
		})
	team := a.identityCommand("team NAME [--description TEXT]", "Create a team",
		"  pave user team shop --description 'the shop team'", cobra.ExactArgs(1),
		func(cmd *cobra.Command, svc *service.Service, args []string) (any, error) {
			t := &store.Team{Name: args[0], Description: desc}
			return t, svc.CreateTeam(cmd.Context(), localActor(), t)
		},
		func(cmd *cobra.Command, r remote, args []string) (any, error) {
			return r.c.CreateTeam(cmd.Context(), api.TeamBody{Name: args[0], Description: desc})
		},
		func(v any) { fmt.Fprintf(a.stdout, "team %s created\n", v.(*store.Team).Name) },
		func(c *cobra.Command) { c.Flags().StringVar(&desc, "description", "", "what the team does") })
	cmd.AddCommand(user, team)
	return cmd
}
