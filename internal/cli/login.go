package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/store"
)

func (a *app) newLogin() *cobra.Command {
	var server, token, caFile string
	cmd := &cobra.Command{
		Use:   "login --server URL [--token TOKEN | --token - ]",
		Short: "Log in to a pave server with an API token",
		Long: `Login checks an API token against a pave server and saves both, readable by
you only, in your user config directory (pave/credentials.json). From then
on plan, deploy, destroy, promote, rollback, env, resources, deployments and
approve go through the server, with the same flags and output, unless
--state or --database-url is given. The token comes from --token, from
standard input with --token - (or when stdin is not a terminal), or from
PAVE_TOKEN; never put it on a command line others can read. For a server
whose certificate is signed by a private CA (or self-signed), give the CA
with --ca-file; it is saved with the login.`,
		Example: `  pave login --server https://pave.example.com --token - < token.txt
  PAVE_TOKEN=pave_... pave login --server https://pave.example.com`,
		Args: noArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			if server == "" {
				return usagef("missing --server")
			}
			t, err := a.readToken(token)
			if err != nil {
				return err
			}
			ca, err := readCAFile(caFile)
			if err != nil {
				return err
			}
			cr := &credentials{Server: server, Token: t, CA: ca}
			c, err := cr.client()
			if err != nil {
				return err
			}
			who, err := c.Whoami(cmd.Context())
			if err != nil {
				return err
			}
			cr.Server = c.Server()
			path, err := cr.save()
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "logged in to %s as %s (%s; roles %s; teams %s); saved in %s\n", c.Server(), who.ID, who.Kind,
				orNone(who.Roles), orNone(who.Teams), path)
			return nil
		}),
	}
	cmd.Flags().StringVar(&server, "server", envOr("PAVE_SERVER", ""), "URL of the pave server (env PAVE_SERVER)")
	cmd.Flags().StringVar(&caFile, "ca-file", envOr("PAVE_CA_FILE", ""), "PEM CA bundle to check an https:// server's certificate with, instead of the system's; saved with the login (env PAVE_CA_FILE)")
	cmd.Flags().StringVar(&token, "token", "", `API token, or "-" to read it from standard input (default: PAVE_TOKEN, else standard input)`)
	return cmd
}

// readToken finds the token to log in with.
func (a *app) readToken(flag string) (string, error) {
	t := flag
	if t == "" {
		t = os.Getenv("PAVE_TOKEN")
	}
	if t == "" || t == "-" {
		line, err := bufio.NewReader(io.LimitReader(a.stdin, 4096)).ReadString('\n')
		if err != nil && err != io.EOF {
			return "", errs.Wrap(errs.Invalid, err, "cannot read the token from standard input")
		}
		t = line
	}
	t = strings.TrimSpace(t)
	if t == "" {
		return "", usagef("no token: give --token -, or set PAVE_TOKEN")
	}
	return t, nil
}

func (a *app) newLogout() *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "Forget the saved login",
		Args:  noArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			path, err := credentialsPath()
			if err != nil {
				return err
			}
			if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
				return errs.Wrap(errs.Invalid, err, "cannot remove %s: %s", path, errText(err))
			}
			fmt.Fprintln(a.stdout, "logged out")
			return nil
		}),
	}
}

func (a *app) newWhoami() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "whoami [-o text|json]",
		Short: "Show who you are on the pave server you are logged in to",
		Args:  noArgs,
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(output); err != nil {
				return err
			}
			cr, err := loadCredentials()
			if err != nil {
				return err
			}
			if cr == nil {
				if output == formatJSON {
					return writeJSON(a.stdout, localActor())
				}
				fmt.Fprintln(a.stdout, "not logged in: local, working on local state as its admin")
				return nil
			}
			c, err := cr.client()
			if err != nil {
				return err
			}
			who, err := c.Whoami(cmd.Context())
			if err != nil {
				return err
			}
			if output == formatJSON {
				return writeJSON(a.stdout, who)
			}
			fmt.Fprintf(a.stdout, "%s (%s) on %s\nroles: %s\nteams: %s\n", who.ID, who.Kind, c.Server(), orNone(who.Roles), orNone(who.Teams))
			if len(who.Bindings) > 0 {
				var gs []string
				for _, b := range who.Bindings {
					gs = append(gs, store.RoleBinding{Role: b.Role, Team: b.Team, App: b.App, EnvTypes: b.EnvTypes}.String())
				}
				fmt.Fprintf(a.stdout, "grants: %s\n", strings.Join(gs, ", "))
			}
			return nil
		}),
	}
	cmd.Flags().StringVarP(&output, "output", "o", formatText, "output format: text or json")
	return cmd
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
