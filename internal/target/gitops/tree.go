package gitops

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// maxExistingFile bounds what is read of a file the branch holds.
const maxExistingFile = 16 << 20

// writeBlob stores data as a blob.
func writeBlob(st storer.EncodedObjectStorer, data []byte) (plumbing.Hash, error) {
	obj := st.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	obj.SetSize(int64(len(data)))
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	return st.SetEncodedObject(obj)
}

// writeTree stores a tree of entries, sorted as Git wants them.
func writeTree(st storer.EncodedObjectStorer, entries []object.TreeEntry) (plumbing.Hash, error) {
	sort.Sort(object.TreeEntrySorter(entries))
	obj := st.NewEncodedObject()
	if err := (&object.Tree{Entries: entries}).Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return st.SetEncodedObject(obj)
}

// buildTree stores files (slash-separated paths relative to the tree) as
// a tree and its subtrees, and returns the tree's hash.
func buildTree(st storer.EncodedObjectStorer, files map[string][]byte) (plumbing.Hash, error) {
	var entries []object.TreeEntry
	subdirs := map[string]map[string][]byte{}
	names := make([]string, 0, len(files))
	for p := range files {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		if dir, rest, nested := strings.Cut(p, "/"); nested {
			if subdirs[dir] == nil {
				subdirs[dir] = map[string][]byte{}
			}
			subdirs[dir][rest] = files[p]
			continue
		}
		h, err := writeBlob(st, files[p])
		if err != nil {
			return plumbing.ZeroHash, err
		}
		entries = append(entries, object.TreeEntry{Name: p, Mode: filemode.Regular, Hash: h})
	}
	for dir, sub := range subdirs {
		if _, clash := files[dir]; clash {
			return plumbing.ZeroHash, fmt.Errorf("%q is both a file and a directory", dir)
		}
		h, err := buildTree(st, sub)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		entries = append(entries, object.TreeEntry{Name: dir, Mode: filemode.Dir, Hash: h})
	}
	return writeTree(st, entries)
}

// splice returns the tree root with the entry at path (its components)
// replaced by the tree sub, or removed when sub is zero. Every other entry
// is kept as it is; directories left empty disappear, as Git has no empty
// directories. A zero root is an empty tree; a zero result means the
// tree is now empty.
func splice(st storer.EncodedObjectStorer, root plumbing.Hash, path []string, sub plumbing.Hash) (plumbing.Hash, error) {
	var entries []object.TreeEntry
	if !root.IsZero() {
		t, err := object.GetTree(st, root)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		entries = append(entries, t.Entries...)
	}
	name := path[0]
	idx := -1
	for i, e := range entries {
		if e.Name == name {
			idx = i
			break
		}
	}
	replacement := sub
	if len(path) > 1 {
		var child plumbing.Hash
		if idx >= 0 {
			if entries[idx].Mode != filemode.Dir {
				return plumbing.ZeroHash, &pathConflictError{name: name}
			}
			child = entries[idx].Hash
		}
		var err error
		if replacement, err = splice(st, child, path[1:], sub); err != nil {
			return plumbing.ZeroHash, err
		}
	}
	if idx >= 0 {
		entries = append(entries[:idx], entries[idx+1:]...)
	}
	if !replacement.IsZero() {
		entries = append(entries, object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: replacement})
	}
	if len(entries) == 0 {
		return plumbing.ZeroHash, nil
	}
	return writeTree(st, entries)
}

// pathConflictError is a file of the repository where the target's path
// needs a directory.
type pathConflictError struct{ name string }

func (e *pathConflictError) Error() string {
	return fmt.Sprintf("%q is a file in the repository, where the path needs a directory", e.name)
}

// treeReader returns an existingFile that reads dir/<path> in the tree
// root (zero: an empty tree).
func treeReader(st storer.EncodedObjectStorer, root plumbing.Hash, dir string) existingFile {
	return func(p string) ([]byte, bool) {
		if root.IsZero() {
			return nil, false
		}
		t, err := object.GetTree(st, root)
		if err != nil {
			return nil, false
		}
		f, err := t.File(dir + "/" + p)
		if err != nil || f.Size > maxExistingFile {
			return nil, false
		}
		r, err := f.Reader()
		if err != nil {
			return nil, false
		}
		defer r.Close()
		b, err := io.ReadAll(io.LimitReader(r, maxExistingFile))
		if err != nil {
			return nil, false
		}
		return b, true
	}
}

// writeCommit stores a commit of tree with parent (none when zero).
func writeCommit(st storer.EncodedObjectStorer, tree, parent plumbing.Hash, s *settings, message string) (plumbing.Hash, error) {
	sig := object.Signature{Name: s.authorName, Email: s.authorEmail, When: time.Now()}
	c := &object.Commit{Author: sig, Committer: sig, Message: message, TreeHash: tree}
	if !parent.IsZero() {
		c.ParentHashes = []plumbing.Hash{parent}
	}
	obj := st.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return st.SetEncodedObject(obj)
}
