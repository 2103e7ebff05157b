package tofu

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pavedev/pave/internal/errs"
)

// stateVersion is the version of the driver state layout.
const stateVersion = 1

// maxStateBytes bounds a state handed back by pave, against hostile or
// corrupted input.
const maxStateBytes = 64 << 20

// state is the driver state pave keeps (sealed) between runs: the tool's
// state file, whole, and a hash of the module it was applied with.
type state struct {
	Version int `json:"version"`
	// TFState is the tool's terraform.tfstate file; JSON encodes it in
	// base64.
	TFState []byte `json:"tfstate,omitempty"`
	// ModuleHash is "sha256:<hex>" of the module's files as applied.
	ModuleHash string `json:"moduleHash,omitempty"`
}

// decodeState reads the state pave handed back; empty means none yet.
func decodeState(raw json.RawMessage) (*state, error) {
	st := &state{Version: stateVersion}
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return st, nil
	}
	if len(raw) > maxStateBytes {
		return nil, errs.New(errs.Invalid, "tofu driver state is larger than %d MiB", maxStateBytes>>20)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(st); err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "tofu driver state is not valid")
	}
	if dec.More() {
		return nil, errs.New(errs.Invalid, "tofu driver state is not valid: trailing data")
	}
	if st.Version != stateVersion {
		return nil, errs.New(errs.Invalid, "tofu driver state has version %d, this pave reads version %d", st.Version, stateVersion)
	}
	if len(st.TFState) > 0 && !json.Valid(st.TFState) {
		return nil, errs.New(errs.Invalid, "tofu driver state holds a state file that is not JSON")
	}
	return st, nil
}

// encode returns the state as JSON.
func (s *state) encode() json.RawMessage {
	b, err := json.Marshal(s)
	if err != nil { // cannot happen: only []byte, int and string fields
		panic(err)
	}
	return b
}

// hasResources reports whether the tool's state records any resource, that
// is whether there is anything to destroy.
func (s *state) hasResources() bool {
	if len(s.TFState) == 0 {
		return false
	}
	var tf struct {
		Resources []json.RawMessage `json:"resources"`
	}
	if err := json.Unmarshal(s.TFState, &tf); err != nil {
		return true // unknown layout: let the tool decide
	}
	return len(tf.Resources) > 0
}

// generated names files in a working directory that are pave's or the
// tool's, not the module's; they are left out of the module hash.
func generated(rel string) bool {
	base := filepath.Base(rel)
	return rel == ".terraform" || strings.HasPrefix(rel, ".terraform/") ||
		strings.HasPrefix(base, "terraform.tfstate") ||
		base == varsFile || base == ".terraform.lock.hcl" ||
		base == ".terraform.tfstate.lock.info"
}

// hashModule returns "sha256:<hex>" over the relative paths and contents of
// the module files under dir, in order.
func hashModule(dir string) (string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel != "." && (generated(rel) || d.Name() == ".git") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	sort.Strings(files)
	h := sha256.New()
	for _, rel := range files {
		f, err := os.Open(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return "", err
		}
		info, err := f.Stat()
		if err != nil {
			f.Close()
			return "", err
		}
		// Name, mode and length before the bytes: no two trees hash alike.
		fmt.Fprintf(h, "%s\x00%s\x00%d\x00", rel, info.Mode().Perm(), info.Size())
		_, err = io.CopyN(h, f, info.Size())
		f.Close()
		if err != nil {
			return "", err
		}
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}
