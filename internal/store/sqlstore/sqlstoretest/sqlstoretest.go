// Package sqlstoretest opens real sqlstore databases for tests: SQLite in a
// temporary directory, or PostgreSQL in a fresh database (or schema) that is
// dropped when the test ends. PostgreSQL is reached at PAVE_TEST_POSTGRES, by
// default postgres://postgres@127.0.0.1:5432/postgres; a test skips, saying
// why, when it is unreachable.
package sqlstoretest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver

	"github.com/pavedev/pave/internal/secrets"
	"github.com/pavedev/pave/internal/store/sqlstore"
)

// EnvPostgres names the variable holding the URL of a PostgreSQL database
// that tests may create databases from.
const EnvPostgres = "PAVE_TEST_POSTGRES"

// DefaultPostgres is the admin URL used when EnvPostgres is not set.
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// NewSealer returns a sealer with a new random key.
func NewSealer(t testing.TB) *secrets.Sealer {
	t.Helper()
	k, err := secrets.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	s, err := secrets.NewSealer(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// SQLiteURL returns the url of a new SQLite database file in a temporary
// directory.
func SQLiteURL(t testing.TB) string {
	return "sqlite://" + filepath.Join(t.TempDir(), "state.db")
}

// SQLite opens a new, empty SQLite store, closed when t ends.
func SQLite(t testing.TB) *sqlstore.Store {
	t.Helper()
	return Open(t, SQLiteURL(t), NewSealer(t))
}

// Postgres opens a new, empty PostgreSQL store in a database of its own,
// dropped when t ends; it skips t when PostgreSQL is unreachable.
func Postgres(t testing.TB) *sqlstore.Store {
	t.Helper()
	return Open(t, PostgresDatabase(t), NewSealer(t))
}

// Open opens the store at u with sealer, closed when t ends.
func Open(t testing.TB, u string, sealer *secrets.Sealer) *sqlstore.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := sqlstore.Open(ctx, u, sealer)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func adminURL() string {
	if u := os.Getenv(EnvPostgres); u != "" {
		return u
	}
	return DefaultPostgres
}

var reach struct {
	once sync.Once
	err  error
}

// admin connects to the admin database, skipping t if it is unreachable.
func admin(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", adminURL())
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	reach.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		reach.err = db.PingContext(ctx)
	})
	if reach.err != nil {
		db.Close()
		t.Skipf("PostgreSQL is not reachable at %s (set %s): %v", redacted(adminURL()), EnvPostgres, reach.err)
	}
	return db
}

func redacted(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "the configured url"
	}
	return p.Redacted()
}

func randomName(prefix string) string {
	var b [6]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// PostgresDatabase creates a new database pave_test_<random> and returns
// its URL; the database is dropped (its connections ended) when t ends.
func PostgresDatabase(t testing.TB) string {
	t.Helper()
	db := admin(t)
	name := randomName("pave_test_")
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		db.Close()
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		defer db.Close()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	p, err := url.Parse(adminURL())
	if err != nil {
		t.Fatal(err)
	}
	p.Path = "/" + name
	return p.String()
}

// PostgresSchema creates a new schema in the database at dbURL and returns
// a URL whose connections use it (search_path); the schema is dropped when
// t ends. It is much faster than a database per test.
func PostgresSchema(t testing.TB, dbURL string) string {
	t.Helper()
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	name := randomName("s_")
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		db.Close()
		t.Fatalf("create schema %s: %v", name, err)
	}
	t.Cleanup(func() {
		defer db.Close()
		if _, err := db.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+name+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	p, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	q := p.Query()
	q.Set("search_path", name)
	p.RawQuery = q.Encode()
	return p.String()
}
