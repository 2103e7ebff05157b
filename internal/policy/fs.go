package policy

import (
	"io/fs"
	"path"
	"strings"

	"github.com/pavedev/pave/internal/errs"
)

// MaxFileSize bounds one policy file read by ReadFS.
const MaxFileSize = 1 << 20

// ReadFS reads every .rego file under fsys (a policies directory), keyed by
// its slash-separated path inside fsys, ready for Compile or Test. Hidden
// files and directories (".git") are skipped.
func ReadFS(fsys fs.FS) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return errs.Wrap(errs.Invalid, err, "policy files: cannot read %q", name)
		}
		if name != "." && strings.HasPrefix(path.Base(name), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || path.Ext(name) != ".rego" {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return errs.Wrap(errs.Invalid, err, "policy files: cannot read %q", name)
		}
		if info.Size() > MaxFileSize {
			return &errs.Error{Code: errs.Invalid, File: name, Message: "policy file is larger than 1 MiB"}
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return errs.Wrap(errs.Invalid, err, "policy files: cannot read %q", name)
		}
		files[name] = b
		return nil
	})
	if err != nil {
		return nil, err
	}
	return files, nil
}
