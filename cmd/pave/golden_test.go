package main

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// compareTree compares every file under got with the golden tree want, or
// rewrites want with -update.
func compareTree(t *testing.T, got, want string) {
	t.Helper()
	if *update {
		os.RemoveAll(want)
		if err := os.CopyFS(want, os.DirFS(got)); err != nil {
			t.Fatal(err)
		}
		return
	}
	seen := map[string]bool{}
	filepath.WalkDir(got, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(got, path)
		seen[rel] = true
		g, _ := os.ReadFile(path)
		w, err := os.ReadFile(filepath.Join(want, rel))
		if err != nil {
			t.Errorf("unexpected file %s (run with -update)", rel)
			return nil
		}
		if !bytes.Equal(g, w) {
			t.Errorf("%s differs from golden (run with -update to accept):\n%s", rel, g)
		}
		return nil
	})
	filepath.WalkDir(want, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(want, path)
		if !seen[rel] {
			t.Errorf("missing file %s", rel)
		}
		return nil
	})
}
