package sqlstore_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/store/sqlstore"
	"github.com/pavedev/pave/internal/store/sqlstore/sqlstoretest"
)

func TestSQLitePath(t *testing.T) {
	tests := []struct {
		url, path string
		sqlite    bool
	}{
		{"sqlite:///var/lib/pave/state.db", "/var/lib/pave/state.db", true},
		{"sqlite://rel/state.db", "rel/state.db", true},
		{"sqlite:rel.db", "rel.db", true},
		{"/abs/state.db", "/abs/state.db", true},
		{"state.db", "state.db", true},
		{"postgres://u@h/db", "", false},
		{"postgresql://u@h/db", "", false},
	}
	for _, tt := range tests {
		path, ok := sqlstore.SQLitePath(tt.url)
		if path != tt.path || ok != tt.sqlite {
			t.Errorf("SQLitePath(%q) = %q, %v; want %q, %v", tt.url, path, ok, tt.path, tt.sqlite)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	sealer := sqlstoretest.NewSealer(t)
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notdb")
	if err := os.WriteFile(notDB, []byte(strings.Repeat("not a database ", 200)), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, url string
		sealer    bool
		code      errs.Code
		want      string
	}{
		{"no sealer", filepath.Join(dir, "a.db"), false, errs.Invalid, "no sealer"},
		{"mysql", "mysql://root@127.0.0.1/db", true, errs.Invalid, "unsupported"},
		{"memory", ":memory:", true, errs.Invalid, "not a SQLite file path"},
		{"empty", "", true, errs.Invalid, "not a SQLite file path"},
		{"query", "sqlite:///tmp/x.db?mode=ro", true, errs.Invalid, "not a SQLite file path"},
		{"not a database", notDB, true, errs.Internal, "not a usable SQLite database"},
		{"postgres password hidden", "postgres://u:hunter2@127.0.0.1:1/db?connect_timeout=1", true, errs.Transient, "u:***@"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sealer
			if !tt.sealer {
				s = nil
			}
			st, err := sqlstore.Open(t.Context(), tt.url, s)
			if err == nil {
				st.Close()
				t.Fatal("Open succeeded")
			}
			if errs.CodeOf(err) != tt.code || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Open error %q (%s), want %s mentioning %q", err, errs.CodeOf(err), tt.code, tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("error leaks the password: %q", err)
			}
		})
	}
}

func TestSQLiteFileModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes are not enforced on windows")
	}
	dir := filepath.Join(t.TempDir(), "state")
	path := filepath.Join(dir, "state.db")
	s := sqlstoretest.Open(t, "sqlite://"+path, sqlstoretest.NewSealer(t))
	if err := s.PutSecret(t.Context(), "x", []byte("y")); err != nil {
		t.Fatal(err)
	}
	di, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if di.Mode().Perm() != 0o700 {
		t.Errorf("state dir mode %04o, want 0700", di.Mode().Perm())
	}
	matches, _ := filepath.Glob(path + "*")
	if len(matches) < 2 {
		t.Fatalf("expected the database and its WAL, found %v", matches)
	}
	for _, m := range matches {
		fi, err := os.Stat(m)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %04o, want no access for group and others", filepath.Base(m), fi.Mode().Perm())
		}
	}
}

func TestSQLiteWAL(t *testing.T) {
	s := sqlstoretest.SQLite(t)
	var mode string
	if err := s.DB().QueryRowContext(t.Context(), "PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Fatalf("journal_mode = %q, want wal", mode)
	}
}
