package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/pavedev/pave/internal/api"
	"github.com/pavedev/pave/internal/errs"
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
	cmd := &cobra.Command{Use: "user", Short: "Create, change and list users, and create teams (admins)"}
	var roles, teams, grants []string
	var desc string
	var disabled bool
	userFlags := func(c *cobra.Command) {
		c.Flags().StringArrayVar(&roles, "role", nil, "role on the apps of the user's teams, or everywhere: viewer, developer, platform-engineer or admin")
		c.Flags().StringArrayVar(&teams, "team", nil, "team the user belongs to")
		c.Flags().StringArrayVar(&grants, "grant", nil, "role on one team's apps or one app, optionally in some environment types only: ROLE@team/NAME or ROLE@app/NAME[:TYPE,TYPE]")
	}
	body := func(name string) (api.UserBody, error) {
		b := api.UserBody{Name: name, Roles: roles, Teams: teams, Disabled: disabled}
		for _, g := range grants {
			rb, err := store.ParseRoleBinding(g)
			if err != nil {
				return b, usagef("--grant: %s", errs.Errors(err)[0].Message)
			}
			b.Bindings = append(b.Bindings, rb)
		}
		return b, nil
	}
	userOf := func(b api.UserBody) *store.User {
		return &store.User{Name: b.Name, Roles: b.Roles, Teams: b.Teams, Bindings: b.Bindings, Disabled: b.Disabled}
	}
	printUser := func(verb string) func(v any) {
		return func(v any) {
			u := v.(*store.User)
			fmt.Fprintf(a.stdout, "user %s %s (roles %s; teams %s; grants %s)\n", u.Name, verb, orNone(u.Roles), orNone(u.Teams), orNone(grantNames(u.Bindings)))
		}
	}
	user := a.identityCommand("create NAME [--role ROLE]... [--team TEAM]... [--grant ROLE@team/NAME|ROLE@app/NAME[:TYPE,...]]...", "Create a user",
		"  pave user create ann --role developer --team shop\n  pave user create cy --grant developer@app/shop:development,staging --grant viewer@team/blog", cobra.ExactArgs(1),
		func(cmd *cobra.Command, svc *service.Service, args []string) (any, error) {
			b, err := body(args[0])
			if err != nil {
				return nil, err
			}
			u := userOf(b)
			return u, svc.CreateUser(cmd.Context(), localActor(), u)
		},
		func(cmd *cobra.Command, r remote, args []string) (any, error) {
			b, err := body(args[0])
			if err != nil {
				return nil, err
			}
			return r.c.CreateUser(cmd.Context(), b)
		},
		printUser("created"), userFlags)
	update := a.identityCommand("update NAME [--role ROLE]... [--team TEAM]... [--grant SPEC]... [--disabled]",
		"Set a user's roles, teams and grants, replacing the ones it had",
		"  pave user update ann --role developer --team shop --grant viewer@team/blog\n  pave user update bot --disabled", cobra.ExactArgs(1),
		func(cmd *cobra.Command, svc *service.Service, args []string) (any, error) {
			b, err := body(args[0])
			if err != nil {
				return nil, err
			}
			u := userOf(b)
			return u, svc.UpdateUser(cmd.Context(), localActor(), u)
		},
		func(cmd *cobra.Command, r remote, args []string) (any, error) {
			b, err := body(args[0])
			if err != nil {
				return nil, err
			}
			return r.c.UpdateUser(cmd.Context(), args[0], b)
		},
		printUser("updated"),
		func(c *cobra.Command) {
			userFlags(c)
			c.Flags().BoolVar(&disabled, "disabled", false, "disable the user: none of its tokens authenticates")
		})
	list := a.identityCommand("list", "List users with their roles, teams and grants",
		"  pave user list", noArgs,
		func(cmd *cobra.Command, svc *service.Service, _ []string) (any, error) {
			return svc.ListUsers(cmd.Context(), localActor())
		},
		func(cmd *cobra.Command, r remote, _ []string) (any, error) {
			return r.c.ListUsers(cmd.Context())
		},
		func(v any) {
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tROLES\tTEAMS\tGRANTS\tDISABLED")
			for _, u := range v.([]store.User) {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\n", u.Name, orDash(strings.Join(u.Roles, ",")), orDash(strings.Join(u.Teams, ",")),
					orDash(strings.Join(grantNames(u.Bindings), " ")), u.Disabled)
			}
			tw.Flush()
		}, nil)
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
	cmd.AddCommand(user, update, list, team)
	return cmd
}

// grantNames writes role bindings as --grant takes them.
func grantNames(bs []store.RoleBinding) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.String()
	}
	return out
}
