package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/pavedev/pave/internal/errs"
)

// migrationFS holds the schema migrations, one directory per dialect, files
// named NNNN_what.sql and applied in order of NNNN. A migration, once
// released, never changes: a change is a new file.
//
//go:embed migrations
var migrationFS embed.FS

// migrationLock is the PostgreSQL advisory lock key held while migrating,
// so that processes opening the same database at once migrate one by one.
const migrationLock int64 = 0x7061766501 // "pave" 1

type migration struct {
	version int64
	name    string
	sql     string
}

func migrations(dialect string) ([]migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := migrationFS.ReadDir(dir)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "store: read %s migrations", dialect)
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") || v <= 0 {
			return nil, errs.New(errs.Internal, "store: migration %s/%s is not named NNNN_what.sql", dir, name)
		}
		b, err := migrationFS.ReadFile(path.Join(dir, name))
		if err != nil {
			return nil, errs.Wrap(errs.Internal, err, "store: read migration %s", name)
		}
		if len(ms) > 0 && ms[len(ms)-1].version == v {
			return nil, errs.New(errs.Internal, "store: two %s migrations have version %d", dialect, v)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return int(a.version - b.version) })
	return ms, nil
}

// SchemaVersion returns the newest schema version this build knows for
// dialect ("sqlite" or "postgres").
func SchemaVersion(dialect string) int64 {
	ms, err := migrations(dialect)
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// migrate applies the migrations the database lacks, in one transaction,
// recording each in schema_migrations. On PostgreSQL an advisory lock makes
// concurrent Opens take turns; on SQLite the IMMEDIATE transaction does.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations(s.d.name)
	if err != nil {
		return err
	}
	c, err := s.db.Conn(ctx)
	if err != nil {
		return fail(err, "migrate")
	}
	defer c.Close()
	if s.d == postgresDialect {
		if _, err := c.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLock); err != nil {
			return fail(err, "migrate: lock")
		}
		defer c.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLock)
	}
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return fail(err, "migrate")
	}
	defer tx.Rollback()
	q := conn{d: s.d, q: tx}
	if _, err := q.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    BIGINT NOT NULL PRIMARY KEY,
		name       TEXT   NOT NULL,
		applied_at BIGINT NOT NULL
	)`); err != nil {
		return fail(err, "migrate: create schema_migrations")
	}
	applied := map[int64]bool{}
	rows, err := q.query(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return fail(err, "migrate: read schema_migrations")
	}
	var newest int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fail(err, "migrate: read schema_migrations")
		}
		applied[v] = true
		newest = max(newest, v)
	}
	if err := rows.Close(); err != nil {
		return fail(err, "migrate: read schema_migrations")
	}
	if known := ms[len(ms)-1].version; newest > known {
		return errs.New(errs.Conflict, "store: the database schema is at version %d, newer than this pave knows (%d): upgrade pave", newest, known)
	}
	for _, m := range ms {
		if applied[m.version] || (s.schemaUpTo > 0 && m.version > s.schemaUpTo) {
			continue
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return errs.Wrap(errs.Internal, err, "store: apply migration %s", m.name)
		}
		if _, err := q.exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
			m.version, m.name, s.clock().UnixNano()); err != nil {
			return fail(err, fmt.Sprintf("migrate: record %s", m.name))
		}
	}
	return fail(tx.Commit(), "migrate: commit")
}
