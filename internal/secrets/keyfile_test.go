package secrets

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pavedev/pave/internal/errs"
)

func TestLoadOrCreateKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	s1, err := LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, KeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %04o, want 0600", fi.Mode().Perm())
	}
	di, _ := os.Stat(dir)
	if di.Mode().Perm() != 0o700 {
		t.Errorf("state dir mode = %04o, want 0700", di.Mode().Perm())
	}
	s2, err := LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s1.KeyID() != s2.KeyID() {
		t.Fatalf("second load got key %s, want %s", s2.KeyID(), s1.KeyID())
	}
	sealed, _ := s1.Seal([]byte("x"))
	if _, err := s2.Open(sealed); err != nil {
		t.Fatal(err)
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("state dir holds %d entries, want only the key file", len(entries))
	}
}

func TestLoadOrCreateKeyConcurrently(t *testing.T) {
	dir := t.TempDir()
	const n = 8
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			s, err := LoadOrCreateKey(dir)
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = s.KeyID()
		})
	}
	wg.Wait()
	for _, id := range ids[1:] {
		if id != ids[0] {
			t.Fatalf("concurrent first runs created different keys: %v", ids)
		}
	}
}

func TestKeyFileModes(t *testing.T) {
	tests := []struct {
		mode os.FileMode
		ok   bool
	}{
		{0o600, true},
		{0o400, true},
		{0o640, false},
		{0o604, false},
		{0o644, false},
		{0o666, false},
		{0o620, false},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			dir := t.TempDir()
			if err := WriteKeyFile(dir, mustKey(t)); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(filepath.Join(dir, KeyFileName), tt.mode); err != nil {
				t.Fatal(err)
			}
			_, err := LoadOrCreateKey(dir)
			if tt.ok && err != nil {
				t.Fatalf("mode %04o refused: %v", tt.mode, err)
			}
			if !tt.ok {
				if !errs.Is(err, errs.Forbidden) || !strings.Contains(err.Error(), "chmod 600") {
					t.Fatalf("mode %04o: error %v, want forbidden naming chmod 600", tt.mode, err)
				}
			}
		})
	}
}

func TestKeyFileContents(t *testing.T) {
	tests := []struct {
		name, body, wantErr string
	}{
		{"empty", "", "holds no key"},
		{"comment only", "# nothing\n", "holds no key"},
		{"garbage", "!not-a-key!\n", "not valid base64"},
		{"short key", "c2hvcnQ=\n", "is 5 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, KeyFileName), []byte(tt.body), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := LoadOrCreateKey(dir)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want %q", err, tt.wantErr)
			}
		})
	}
	t.Run("directory", func(t *testing.T) {
		dir := t.TempDir()
		os.Mkdir(filepath.Join(dir, KeyFileName), 0o700)
		if _, err := LoadOrCreateKey(dir); err == nil {
			t.Fatal("a directory was accepted as key file")
		}
	})
}

func TestLoadKeyPrefersEnv(t *testing.T) {
	dir := t.TempDir()
	k := mustKey(t)
	s, err := LoadKey(k.Encode(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if s.KeyID() != k.ID() {
		t.Fatalf("sealer uses %s, want the env key %s", s.KeyID(), k.ID())
	}
	if _, err := os.Stat(filepath.Join(dir, KeyFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a key file was created although the env var was set")
	}
	if _, err := LoadKey("bad", dir); err == nil || !strings.Contains(err.Error(), EnvKey) {
		t.Fatalf("bad env key: %v", err)
	}
	s2, err := LoadKey("", dir)
	if err != nil || s2.KeyID() == k.ID() {
		t.Fatalf("LoadKey without env: %v, %v", s2, err)
	}
}

func TestRotateKeyFile(t *testing.T) {
	dir := t.TempDir()
	old, err := LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := old.Seal([]byte("value"))

	// A failing re-seal keeps both keys, so everything stays readable.
	boom := errs.New(errs.Transient, "database went away")
	if _, err := RotateKeyFile(dir, func(*Sealer) error { return boom }); !errs.Is(err, errs.Transient) {
		t.Fatalf("RotateKeyFile error = %v, want the re-seal error", err)
	}
	both, err := LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(both.Keys()) != 2 {
		t.Fatalf("after a failed rotation the key file holds %d keys, want 2", len(both.Keys()))
	}
	if _, err := both.Open(stored); err != nil {
		t.Fatal(err)
	}

	newKey, err := RotateKeyFile(dir, func(next *Sealer) error {
		plain, err := next.Open(stored)
		if err != nil {
			return err
		}
		stored, err = next.Seal(plain)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	after, err := LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Keys()) != 1 || after.KeyID() != newKey.ID() {
		t.Fatalf("after rotation the key file holds %v, want only %s", after.Keys(), newKey)
	}
	if got, err := after.Open(stored); err != nil || string(got) != "value" {
		t.Fatalf("re-sealed value: %q, %v", got, err)
	}
	if _, err := old.Open(stored); err == nil {
		t.Fatal("the old key still opens the re-sealed value")
	}
	fi, _ := os.Stat(filepath.Join(dir, KeyFileName))
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("rotated key file mode = %04o", fi.Mode().Perm())
	}
}
