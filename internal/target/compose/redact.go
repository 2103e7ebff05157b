package compose

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/dotenv"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/secrets"
	"github.com/pavedev/pave/internal/target"
)

// minSecretLen is the shortest secret value masked: shorter ones would
// blank out ordinary text and protect nothing.
const minSecretLen = 3

// minSecretLine is the shortest line of a secret file masked on its own,
// for output that shows part of a file.
const minSecretLine = 8

// addSecret makes r mask v, and each long enough line of it.
func addSecret(r *secrets.Redactor, v string) {
	if len(v) < minSecretLen {
		return
	}
	r.Add(v)
	if !strings.Contains(v, "\n") {
		return
	}
	for _, line := range strings.Split(v, "\n") {
		if line = strings.TrimSpace(line); len(line) >= minSecretLine {
			r.Add(line)
		}
	}
}

// deploymentRedactor masks every secret value of d.
func deploymentRedactor(d *target.Deployment) *secrets.Redactor {
	r := secrets.NewRedactor()
	for _, w := range d.Workloads {
		for _, c := range w.Containers {
			for _, v := range c.Variables {
				if v.Value.Secret {
					addSecret(r, v.Value.Text)
				}
			}
			for _, f := range c.Files {
				if f.Secret {
					addSecret(r, string(f.Content))
				}
			}
		}
	}
	return r
}

// projectRedactor masks the secret values the project directory holds:
// the values of its env files and the contents of its secret files.
func projectRedactor(dir string) (*secrets.Redactor, error) {
	r := secrets.NewRedactor()
	root := filepath.Join(dir, secretsDir)
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if !e.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		switch rel = filepath.ToSlash(rel); {
		case rel == digestKeyFile || rel == gitignoreFile || strings.HasPrefix(e.Name(), tmpPrefix):
			return nil
		case filepath.Dir(rel) == secretsDir && strings.HasSuffix(rel, ".env"):
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			vars, err := dotenv.UnmarshalBytesWithLookup(b, func(string) (string, bool) { return "", false })
			if err != nil {
				// Unreadable as an env file: mask it whole.
				addSecret(r, string(b))
				return nil
			}
			for _, v := range vars {
				addSecret(r, v)
			}
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			addSecret(r, string(b))
		}
		return nil
	})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "compose target: read the secrets of %s", dir)
	}
	return r, nil
}
