package configsource

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/pavedev/pave/internal/errs"
)

// Dir is a platform config directory. Each Read reads its config files
// whole into memory and hashes them, so that a config loads from exactly
// the content its revision names. Symbolic links to files are followed,
// as a Kubernetes ConfigMap volume needs; a directory behind a symbolic
// link is not entered, as the loaders do not.
type Dir struct {
	// Path is the directory, as given.
	Path string
}

// Read reads the directory's config files.
func (d *Dir) Read(ctx context.Context) (*Snapshot, error) {
	st, err := os.Stat(d.Path)
	if err != nil || !st.IsDir() {
		return nil, errs.New(errs.Invalid, "platform config %q is not a directory", d.Path)
	}
	fsys := os.DirFS(d.Path)
	var f files
	err = fs.WalkDir(fsys, ".", func(name string, e fs.DirEntry, err error) error {
		if err != nil {
			return errs.Wrap(errs.Invalid, err, "platform config: cannot read %s", d.Where(name))
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return errs.Wrap(errs.Transient, ctxErr, "platform config: reading %s: %s", d.Path, ctxErr.Error())
		}
		if e.IsDir() {
			if hidden(name) {
				return fs.SkipDir
			}
			return nil
		}
		if !wanted(name) {
			return nil
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return errs.Wrap(errs.Invalid, err, "platform config: cannot read %s", d.Where(name))
		}
		return f.add(name, data)
	})
	if err != nil {
		return nil, err
	}
	return &Snapshot{Revision: f.hash(), Files: f.snapshotFS(), Dir: d.Path}, nil
}

// Where joins the directory and file.
func (d *Dir) Where(file string) string { return filepath.Join(d.Path, filepath.FromSlash(file)) }

// String is the directory.
func (d *Dir) String() string { return d.Path }
