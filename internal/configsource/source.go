// Package configsource reads the platform config of a long-running pave
// server from a directory or a Git repository, and holds the config in
// force: it reloads on change, puts a change in force only once it loads
// completely (platform and policies), refuses an invalid change with its
// errors and keeps the last good config. Readers get one whole config at a
// time; a change never shows half.
package configsource

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io/fs"
	"path"
	"slices"
	"strings"
	"testing/fstest"

	"github.com/pavedev/pave/internal/errs"
)

// Source is where a platform config is read from.
type Source interface {
	// Read returns the config's files as they are now.
	Read(ctx context.Context) (*Snapshot, error)
	// Where names a file of the config for messages: the directory joined
	// with it, or its path in the repository.
	Where(file string) string
	// String names the source, without credentials.
	String() string
}

// Snapshot is a platform config as read at one time.
type Snapshot struct {
	// Revision identifies the content: a Git commit, or a hash of a
	// directory's files.
	Revision string
	// Files are the config files: *.yaml, *.yml and *.rego, none under a
	// name starting with ".".
	Files fs.FS
	// Atomic is true when the content cannot have been caught in the
	// middle of a change (a Git commit); a directory can be, while it is
	// being copied or checked out.
	Atomic bool
	// Dir is the config's directory on disk, for what the config names by
	// a relative path (OpenTofu modules); empty for a config read from
	// Git, which is held in memory only.
	Dir string
}

// Limits on what a snapshot holds in memory. The loaders have smaller
// limits of their own per file, reported with the file's name.
const (
	maxFileBytes  = 16 << 20
	maxTotalBytes = 64 << 20
)

// hidden reports whether a slash-separated path of a config tree has a
// part starting with ".", which the loaders skip (.git, editor files).
func hidden(name string) bool {
	for _, part := range strings.Split(name, "/") {
		if strings.HasPrefix(part, ".") && part != "." {
			return true
		}
	}
	return false
}

// wanted reports whether a file of a config tree is one the platform or
// policy loaders read: YAML and Rego files, not hidden.
func wanted(name string) bool {
	if hidden(name) {
		return false
	}
	switch path.Ext(name) {
	case ".yaml", ".yml", ".rego":
		return true
	}
	return false
}

// files collects a snapshot's files within the limits.
type files struct {
	fs    fstest.MapFS
	total int64
}

func (f *files) add(name string, data []byte) error {
	if int64(len(data)) > maxFileBytes {
		return tooBig(name)
	}
	f.total += int64(len(data))
	if f.total > maxTotalBytes {
		return errs.New(errs.Invalid, "platform config: its .yaml, .yml and .rego files are more than 64 MiB together")
	}
	if f.fs == nil {
		f.fs = fstest.MapFS{}
	}
	f.fs[name] = &fstest.MapFile{Data: data, Mode: 0o444}
	return nil
}

func tooBig(name string) error {
	return &errs.Error{Code: errs.Invalid, File: name, Message: "file is larger than the 16 MiB a platform config file may be"}
}

// hash is a content hash of the files: their names and contents, in name
// order.
func (f *files) hash() string {
	names := make([]string, 0, len(f.fs))
	for n := range f.fs {
		names = append(names, n)
	}
	slices.Sort(names)
	h := sha256.New()
	for _, n := range names {
		data := f.fs[n].Data
		h.Write([]byte(n))
		h.Write([]byte{0})
		h.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(data))))
		h.Write(data)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:16]
}

// snapshotFS returns the collected files; an empty config is an empty FS.
func (f *files) snapshotFS() fs.FS {
	if f.fs == nil {
		return fstest.MapFS{}
	}
	return f.fs
}
