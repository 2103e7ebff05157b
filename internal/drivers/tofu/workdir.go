package tofu

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// varsFile is the generated variables file. The tool loads *.auto.tfvars.json
// files by itself, so values never appear on a command line.
const varsFile = "pave.auto.tfvars.json"

// stateFile is where the tool's local backend keeps state.
const stateFile = "terraform.tfstate"

// workdir is a private, temporary working directory for one run. It holds
// variable values and state, which may be secret: it is 0700, its files
// 0600, and it is removed when the run ends.
type workdir struct {
	dir string
}

// newWorkdir makes a private directory under base ("" is os.TempDir()).
func newWorkdir(base string) (*workdir, error) {
	dir, err := os.MkdirTemp(base, "pave-tofu-*")
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &workdir{dir: dir}, nil
}

// remove deletes the directory and everything in it.
func (w *workdir) remove() error { return os.RemoveAll(w.dir) }

// writePrivate writes a new 0600 file.
func (w *workdir) writePrivate(name string, data []byte) error {
	f, err := os.OpenFile(filepath.Join(w.dir, name), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeVars writes the variables file.
func (w *workdir) writeVars(vars map[string]any) error {
	b, err := json.Marshal(vars)
	if err != nil {
		return err
	}
	return w.writePrivate(varsFile, b)
}

// writeState writes the tool's state file, if there is one.
func (w *workdir) writeState(tfstate []byte) error {
	if len(tfstate) == 0 {
		return nil
	}
	return w.writePrivate(stateFile, tfstate)
}

// readState reads the tool's state file back; nil when the tool wrote none.
func (w *workdir) readState() ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(w.dir, stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}
