package sqlstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/secrets"
	"github.com/pavedev/pave/internal/store"
	"github.com/pavedev/pave/internal/store/sqlstore"
	"github.com/pavedev/pave/internal/store/sqlstore/sqlstoretest"
	"github.com/pavedev/pave/internal/store/storetest"
)

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return sqlstoretest.SQLite(t) })
}

func TestPostgres(t *testing.T) {
	db := sqlstoretest.PostgresDatabase(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		return sqlstoretest.Open(t, sqlstoretest.PostgresSchema(t, db), sqlstoretest.NewSealer(t))
	})
}

// dialects runs fn on a fresh url of each dialect.
func dialects(t *testing.T, fn func(t *testing.T, url string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, sqlstoretest.SQLiteURL(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, sqlstoretest.PostgresDatabase(t)) })
}

// TestTwoProcesses opens two stores on one database, as two pave processes
// would, and races them for the one active deployment of an environment.
func TestTwoProcesses(t *testing.T) {
	dialects(t, func(t *testing.T, url string) {
		ctx := t.Context()
		sealer := sqlstoretest.NewSealer(t)
		var a, b *sqlstore.Store
		var wg sync.WaitGroup
		// Both open (and migrate) at once.
		wg.Go(func() { a = sqlstoretest.Open(t, url, sealer) })
		wg.Go(func() { b = sqlstoretest.Open(t, url, sealer) })
		wg.Wait()
		if a == nil || b == nil {
			t.FailNow()
		}
		if err := a.CreateApp(ctx, &store.App{Name: "shop"}); err != nil {
			t.Fatal(err)
		}
		if err := b.CreateEnvironment(ctx, &store.Environment{App: "shop", Name: "dev", Type: "development"}); err != nil {
			t.Fatal(err)
		}
		for round := range 5 {
			var mu sync.Mutex
			var won []string
			var lost []error
			start := make(chan struct{})
			for i := range 8 {
				s := a
				if i%2 == 1 {
					s = b
				}
				wg.Go(func() {
					<-start
					d := &store.Deployment{App: "shop", Env: "dev", Owner: fmt.Sprintf("p%d", i%2)}
					err := s.BeginDeployment(ctx, d)
					mu.Lock()
					defer mu.Unlock()
					if err == nil {
						won = append(won, d.ID)
					} else {
						lost = append(lost, err)
					}
				})
			}
			close(start)
			wg.Wait()
			if len(won) != 1 {
				t.Fatalf("round %d: %d deployments began, want 1 (%v)", round, len(won), lost)
			}
			for _, err := range lost {
				var ae *store.ActiveDeploymentError
				if !errs.Is(err, errs.Conflict) || !errors.As(err, &ae) || ae.ID != won[0] {
					t.Fatalf("round %d: %v, want a conflict naming %s", round, err, won[0])
				}
			}
			if err := b.SetDeploymentStatus(ctx, won[0], store.DeploymentSucceeded, ""); err != nil {
				t.Fatal(err)
			}
		}
		// What one process writes, the other reads, secrets included.
		if err := a.PutSecret(ctx, "shared", []byte("v")); err != nil {
			t.Fatal(err)
		}
		if v, err := b.GetSecret(ctx, "shared"); err != nil || string(v) != "v" {
			t.Fatalf("other process reads %q, %v", v, err)
		}
	})
}

func TestMigrationsRecorded(t *testing.T) {
	dialects(t, func(t *testing.T, url string) {
		s := sqlstoretest.Open(t, url, sqlstoretest.NewSealer(t))
		var v int64
		var n int
		if err := s.DB().QueryRowContext(t.Context(), "SELECT MAX(version), COUNT(*) FROM schema_migrations").Scan(&v, &n); err != nil {
			t.Fatal(err)
		}
		if v != sqlstore.SchemaVersion(s.Dialect()) || v < 1 || n != int(v) {
			t.Fatalf("schema_migrations at %d with %d rows, want %d", v, n, sqlstore.SchemaVersion(s.Dialect()))
		}
		s.Close()
		// Opening again applies nothing new.
		s = sqlstoretest.Open(t, url, sqlstoretest.NewSealer(t))
		var n2 int
		if err := s.DB().QueryRowContext(t.Context(), "SELECT COUNT(*) FROM schema_migrations").Scan(&n2); err != nil {
			t.Fatal(err)
		}
		if n2 != n {
			t.Fatalf("reopening recorded %d migrations, had %d", n2, n)
		}
		// A database migrated by a newer pave is refused.
		if _, err := s.DB().ExecContext(t.Context(), "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 0)"); err != nil {
			t.Fatal(err)
		}
		s.Close()
		_, err := sqlstore.Open(t.Context(), url, sqlstoretest.NewSealer(t))
		if !errs.Is(err, errs.Conflict) || !strings.Contains(err.Error(), "newer") {
			t.Fatalf("opening a newer schema: %v", err)
		}
	})
}

// TestAuditAppendOnlyInDatabase checks that the database itself refuses to
// change or delete audit entries, whoever asks.
func TestAuditAppendOnlyInDatabase(t *testing.T) {
	dialects(t, func(t *testing.T, url string) {
		ctx := t.Context()
		s := sqlstoretest.Open(t, url, sqlstoretest.NewSealer(t))
		e := &store.AuditEntry{Actor: "ann", ActorKind: store.ActorHuman, Action: "deploy", Outcome: "ok"}
		if err := s.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
		stmts := []string{
			"UPDATE audit SET outcome = 'denied'",
			"DELETE FROM audit",
		}
		if s.Dialect() == "postgres" {
			stmts = append(stmts, "TRUNCATE audit")
		}
		for _, q := range stmts {
			_, err := s.DB().ExecContext(ctx, q)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want refused as append-only", q, err)
			}
		}
		l, err := s.ListAudit(ctx, store.AuditFilter{})
		if err != nil || len(l) != 1 || l[0].Outcome != "ok" {
			t.Fatalf("audit after attempts: %+v, %v", l, err)
		}
	})
}

// plaintexts are the secret values TestNoSecretInClear stores.
var plaintexts = []string{
	"SECRET-OUTPUT-9f8e7d",
	"DRIVER-STATE-SECRET-1a2b3c",
	"MANIFEST-SECRET-4d5e6f",
	"PLATFORM-SECRET-7a8b9c",
}

// TestNoSecretInClear stores secrets in every sealed place, then reads the
// raw database (the SQLite files, every PostgreSQL table cast to text) and
// finds none of them, while the non-secret outputs are found, which shows
// the search works.
func TestNoSecretInClear(t *testing.T) {
	dialects(t, func(t *testing.T, url string) {
		ctx := t.Context()
		s := sqlstoretest.Open(t, url, sqlstoretest.NewSealer(t))
		mustDo(t, s.CreateApp(ctx, &store.App{Name: "shop"}))
		mustDo(t, s.CreateEnvironment(ctx, &store.Environment{App: "shop", Name: "dev", Type: "development"}))
		mustDo(t, s.PutResource(ctx, &store.Resource{
			UID: "db", App: "shop", Env: "dev", Type: "postgres", Status: store.ResourceReady,
			Outputs:       map[string]any{"host": "CLEAR-OUTPUT-host"},
			SecretOutputs: map[string]any{"password": plaintexts[0]},
			State:         []byte(`{"admin":"` + plaintexts[1] + `"}`),
			Manifests:     []map[string]any{{"kind": "Secret", "stringData": map[string]any{"p": plaintexts[2]}}},
		}))
		mustDo(t, s.PutSecret(ctx, "db_admin", []byte(plaintexts[3])))

		dump := rawDump(t, s, url)
		if !bytes.Contains(dump, []byte("CLEAR-OUTPUT-host")) {
			t.Fatalf("the raw dump (%d bytes) lacks the clear output: the search is broken", len(dump))
		}
		for _, p := range plaintexts {
			for _, form := range [][]byte{[]byte(p), []byte(strings.ToLower(p)), []byte(hexOf(p))} {
				if bytes.Contains(bytes.ToLower(dump), bytes.ToLower(form)) {
					t.Errorf("the database holds %q in clear", form)
				}
			}
		}
		// And the store still reads them back.
		r, err := s.GetResource(ctx, "shop", "dev", "db")
		mustDo(t, err)
		if r.SecretOutputs["password"] != plaintexts[0] {
			t.Fatalf("secret output = %v", r.SecretOutputs)
		}
	})
}

func hexOf(s string) string { return fmt.Sprintf("%x", s) }

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// rawDump returns every byte of the database: for SQLite the files on disk
// after a checkpoint (and before, to catch the WAL); for PostgreSQL every
// row of every table in the store's schema, as text, with bytea in hex.
func rawDump(t *testing.T, s *sqlstore.Store, url string) []byte {
	t.Helper()
	ctx := context.Background()
	var out bytes.Buffer
	if path, ok := sqlstore.SQLitePath(url); ok {
		readFiles := func() {
			matches, _ := filepath.Glob(path + "*")
			for _, m := range matches {
				b, err := os.ReadFile(m)
				mustDo(t, err)
				out.Write(b)
			}
		}
		readFiles()
		if _, err := s.DB().ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			t.Fatal(err)
		}
		readFiles()
		return out.Bytes()
	}
	rows, err := s.DB().QueryContext(ctx, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
	mustDo(t, err)
	var tables []string
	for rows.Next() {
		var n string
		mustDo(t, rows.Scan(&n))
		tables = append(tables, n)
	}
	mustDo(t, rows.Close())
	if len(tables) < 5 {
		t.Fatalf("found only tables %v", tables)
	}
	for _, tbl := range tables {
		rows, err := s.DB().QueryContext(ctx, "SELECT t::text FROM "+tbl+" t")
		mustDo(t, err)
		for rows.Next() {
			var line string
			mustDo(t, rows.Scan(&line))
			out.WriteString(line + "\n")
		}
		mustDo(t, rows.Close())
	}
	return out.Bytes()
}

// TestRotateKeyRetiresOldKey checks that after rotation every sealed value
// in the database carries the new key's id, so the old key can go.
func TestRotateKeyRetiresOldKey(t *testing.T) {
	dialects(t, func(t *testing.T, url string) {
		ctx := t.Context()
		old := sqlstoretest.NewSealer(t)
		s := sqlstoretest.Open(t, url, old)
		mustDo(t, s.CreateApp(ctx, &store.App{Name: "shop"}))
		mustDo(t, s.CreateEnvironment(ctx, &store.Environment{App: "shop", Name: "dev", Type: "d"}))
		for i := range 10 {
			mustDo(t, s.PutResource(ctx, &store.Resource{UID: fmt.Sprint(i), App: "shop", Env: "dev", Type: "t", Status: store.ResourceReady,
				SecretOutputs: map[string]any{"p": i}, State: []byte(`{}`)}))
		}
		mustDo(t, s.PutSecret(ctx, "a", []byte("1")))

		// Rotate the way `pave secrets rotate-key` does: with a key file.
		dir := t.TempDir()
		mustDo(t, secrets.WriteKeyFile(dir, old.Keys()...))
		newKey, err := secrets.RotateKeyFile(dir, func(next *secrets.Sealer) error {
			n, err := s.RotateKey(ctx, next)
			if err == nil && n != 21 {
				return fmt.Errorf("re-sealed %d values, want 21", n)
			}
			return err
		})
		mustDo(t, err)
		if s.Sealer().KeyID() != newKey.ID() {
			t.Fatalf("store seals with %s, want %s", s.Sealer().KeyID(), newKey.ID())
		}
		for _, q := range []string{
			"SELECT secret_outputs FROM resources UNION ALL SELECT state FROM resources",
			"SELECT value FROM secrets",
		} {
			rows, err := s.DB().QueryContext(ctx, q)
			mustDo(t, err)
			for rows.Next() {
				var b []byte
				mustDo(t, rows.Scan(&b))
				if id := secrets.SealedKeyID(b); id != newKey.ID() {
					t.Fatalf("a value is sealed with %q after rotation, want %s", id, newKey.ID())
				}
			}
			mustDo(t, rows.Close())
		}
		// A store opened with only the new key reads everything; one with
		// only the old key reads nothing.
		s.Close()
		onlyNew, err := secrets.LoadOrCreateKey(dir)
		mustDo(t, err)
		s2 := sqlstoretest.Open(t, url, onlyNew)
		if l, err := s2.ListResources(ctx, "shop", "dev"); err != nil || len(l) != 10 {
			t.Fatalf("with the new key: %d resources, %v", len(l), err)
		}
		s3 := sqlstoretest.Open(t, url, old)
		if _, err := s3.GetSecret(ctx, "a"); err == nil {
			t.Fatal("the old key still opens a rotated secret")
		}
	})
}
