package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/secrets"
	"github.com/pavedev/pave/internal/store"
)

// maxSecret bounds a platform secret read from standard input.
const maxSecret = 64 << 10

func (a *app) newSecrets() *cobra.Command {
	cmd := &cobra.Command{Use: "secrets", Short: "Manage platform secrets, sealed at rest",
		Long: `Platform secrets are what platform configs reference as ${secrets.NAME}.
Platform engineers and admins set, list and delete them; their values are
never shown. Logged in, they are the server's.`}
	var sf stateFlags
	var output string
	set := &cobra.Command{Use: "set NAME", Short: "Set a platform secret from standard input",
		Example: "  printf %s \"$TOKEN\" | pave secrets set prod-kubeconfig", Args: cobra.ExactArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			data, err := io.ReadAll(io.LimitReader(a.stdin, maxSecret+1))
			if err != nil {
				return errs.Wrap(errs.Invalid, err, "read standard input")
			}
			if len(data) > maxSecret {
				return errs.New(errs.Invalid, "secret is larger than %d bytes", maxSecret)
			}
			value := strings.TrimRight(string(data), "\n")
			if value == "" {
				return errs.New(errs.Invalid, "secret %q: empty value on standard input", args[0])
			}
			d, err := a.open(cmd, sf, true)
			if err != nil {
				return err
			}
			defer d.close()
			if err := d.PutSecret(cmd.Context(), localActor(), args[0], []byte(value)); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "secret %q set\n", args[0])
			return nil
		})}
	list := &cobra.Command{Use: "list [-o text|json]", Short: "List platform secret names (never values)", Args: noArgs,
		Example: "  pave secrets list --state .pave",
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(output); err != nil {
				return err
			}
			d, err := a.open(cmd, sf, true)
			if err != nil {
				return err
			}
			defer d.close()
			infos, err := d.ListSecrets(cmd.Context(), localActor())
			if err != nil {
				return err
			}
			if output == formatJSON {
				if infos == nil {
					infos = []store.SecretInfo{}
				}
				return writeJSON(a.stdout, infos)
			}
			for _, s := range infos {
				fmt.Fprintln(a.stdout, s.Name)
			}
			return nil
		})}
	list.Flags().StringVarP(&output, "output", "o", formatText, "output format: text or json")
	del := &cobra.Command{Use: "delete NAME", Short: "Delete a platform secret", Args: cobra.ExactArgs(1),
		Example: "  pave secrets delete prod-kubeconfig",
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			d, err := a.open(cmd, sf, true)
			if err != nil {
				return err
			}
			defer d.close()
			if err := d.DeleteSecret(cmd.Context(), localActor(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "secret %q deleted\n", args[0])
			return nil
		})}
	rotate := &cobra.Command{Use: "rotate-key", Short: "Re-seal every secret under a new key (local state only)", Args: noArgs,
		Long: `Rotate-key generates a new key, re-seals every sealed value (secret outputs,
driver state, platform secrets) under it in one transaction, and only then
drops the old key from the key file, so that no crash can lose a secret.

It works on the state it is given (--state, --database-url), never through
a server: the sealing key is the server's own, kept where it runs.`,
		Example: "  pave secrets rotate-key --state .pave",
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			n, err := a.rotateKey(cmd, sf)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "re-sealed %d values under a new key\n", n)
			return nil
		})}
	for _, c := range []*cobra.Command{set, list, del, rotate} {
		sf.register(c)
		cmd.AddCommand(c)
	}
	return cmd
}

// rotateKey rotates the key file's key and re-seals the store under it.
// With PAVE_SECRET_KEY set, the key lives outside pave and is rotated by
// whoever owns it.
func (a *app) rotateKey(cmd *cobra.Command, sf stateFlags) (int, error) {
	login, err := loginFor(cmd)
	if err != nil {
		return 0, err
	}
	if login != nil {
		return 0, errs.New(errs.Invalid, "rotate-key works on local state only, not through the server at %s: run it where the server's key is kept, with --state or --database-url", login.Server)
	}
	if envOr("PAVE_SECRET_KEY", "") != "" {
		return 0, errs.New(errs.Invalid, "the key comes from PAVE_SECRET_KEY: rotate it where it is kept (give old keys after the new one, comma separated), not with pave")
	}
	svc, closeSvc, err := a.service(cmd.Context(), sf, true)
	if err != nil {
		return 0, err
	}
	defer closeSvc()
	dir, err := absState(sf)
	if err != nil {
		return 0, err
	}
	n := 0
	_, err = secrets.RotateKeyFile(dir, func(next *secrets.Sealer) error {
		var rerr error
		n, rerr = svc.Store.RotateKey(cmd.Context(), next)
		return rerr
	})
	return n, err
}
