// Package sqlstore implements store.Store on SQL: one implementation, two
// dialects. SQLite (modernc.org/sqlite, no cgo) keeps a laptop's state in one
// file, in WAL mode with a single writer connection; PostgreSQL
// (github.com/jackc/pgx/v5) keeps a shared installation's, safe for several
// pave processes at once. The schema is migrated on Open from versioned SQL
// files embedded in the binary. The store seals secrets itself with the
// secrets.Sealer it is given.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // the "sqlite" database/sql driver

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/secrets"
	"github.com/pavedev/pave/internal/store"
)

// Store is a store.Store on SQLite or PostgreSQL. It is safe for concurrent
// use.
type Store struct {
	d *dialect
	// db runs writes (and, on PostgreSQL, reads). On SQLite it holds one
	// connection, so writes queue in the process instead of contending for
	// the file lock.
	db *sql.DB
	// rdb runs reads: on SQLite a pool of read-only connections, which WAL
	// lets read while the writer writes; on PostgreSQL the same as db.
	rdb *sql.DB
	// wstmts and rstmts cache prepared statements of db and rdb.
	wstmts, rstmts *stmtCache
	now            func() time.Time

	// mu guards sealer. Operations that seal or open hold it for reading
	// across their database work, and RotateKey for writing, so that
	// nothing is sealed with a key being retired.
	mu     sync.RWMutex
	sealer *secrets.Sealer

	// schemaUpTo, when not zero, stops migrating at that version, as an
	// older pave would (for tests of upgrades).
	schemaUpTo int64
}

var _ store.Store = (*Store)(nil)

// Option configures Open.
type Option func(*Store)

// WithClock makes the store read the time from now instead of time.Now (for
// tests).
func WithClock(now func() time.Time) Option {
	return func(s *Store) { s.now = now }
}

// sqliteParams configure every SQLite connection: wait up to 10s for a lock,
// enforce foreign keys. The writer also selects WAL (persistent in the
// file), NORMAL sync (durable at checkpoints, never corrupt) and IMMEDIATE
// transactions (take the write lock at BEGIN, so two processes never
// deadlock upgrading a read lock).
const (
	sqliteParams       = "_busy_timeout=10000&_foreign_keys=1"
	sqliteWriterParams = sqliteParams + "&_journal_mode=WAL&_synchronous=NORMAL&_txlock=immediate"
	sqliteReaderParams = sqliteParams + "&_query_only=1"
	sqliteReaders      = 4
)

// Open opens the store at url and migrates its schema to the newest version,
// which is safe when several processes open it at once. url is
// "sqlite:///abs/path/state.db", "sqlite:rel/path.db" or a plain file path
// for SQLite (the file and its directory are created, mode 0600 and 0700),
// or "postgres://…" / "postgresql://…" for PostgreSQL. sealer seals and
// opens the secrets the store keeps.
func Open(ctx context.Context, url string, sealer *secrets.Sealer, opts ...Option) (*Store, error) {
	if sealer == nil {
		return nil, errs.New(errs.Invalid, "store: open: no sealer given")
	}
	s := &Store{sealer: sealer, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	var err error
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		err = s.openPostgres(ctx, url)
	case strings.Contains(url, "://") && !strings.HasPrefix(url, "sqlite://"):
		return nil, errs.New(errs.Invalid, "store: open: unsupported database url scheme in %q; use sqlite:///path or postgres://", redactURL(url))
	default:
		err = s.openSQLite(ctx, url)
	}
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	s.wstmts = newStmtCache(s.db)
	s.rstmts = s.wstmts
	if s.rdb != s.db {
		s.rstmts = newStmtCache(s.rdb)
	}
	return s, nil
}

func (s *Store) openPostgres(ctx context.Context, url string) error {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return errs.Wrap(errs.Invalid, err, "store: open %s: bad postgres url", redactURL(url))
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(4)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return errs.Wrap(errs.Transient, err, "store: open %s: cannot reach postgres", redactURL(url))
	}
	s.d, s.db, s.rdb = postgresDialect, db, db
	return nil
}

// SQLitePath returns the file path of a SQLite url as Open reads it, and
// false for a PostgreSQL url.
func SQLitePath(url string) (string, bool) {
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return "", false
	case strings.HasPrefix(url, "sqlite://"):
		return strings.TrimPrefix(url, "sqlite://"), true
	case strings.HasPrefix(url, "sqlite:"):
		return strings.TrimPrefix(url, "sqlite:"), true
	}
	return url, true
}

func (s *Store) openSQLite(ctx context.Context, url string) error {
	path, _ := SQLitePath(url)
	if path == "" || path == ":memory:" || strings.ContainsAny(path, "?#") {
		return errs.New(errs.Invalid, "store: open: %q is not a SQLite file path (it may not be empty, :memory:, or hold ? or #)", url)
	}
	if err := createFile(path); err != nil {
		return err
	}
	w, err := sql.Open("sqlite", path+"?"+sqliteWriterParams)
	if err != nil {
		return errs.Wrap(errs.Internal, err, "store: open %s", path)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return errs.Wrap(errs.Internal, err, "store: open %s: not a usable SQLite database", path)
	}
	r, err := sql.Open("sqlite", path+"?"+sqliteReaderParams)
	if err != nil {
		w.Close()
		return errs.Wrap(errs.Internal, err, "store: open %s", path)
	}
	r.SetMaxOpenConns(sqliteReaders)
	r.SetMaxIdleConns(sqliteReaders)
	s.d, s.db, s.rdb = sqliteDialect, w, r
	return nil
}

// createFile creates the SQLite file (and its directory) readable by its
// owner only, before SQLite creates it with looser permissions. SQLite
// gives its -wal and -shm files the database file's permissions.
func createFile(path string) error {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return errs.Wrap(errs.Internal, err, "store: create directory %s", dir)
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return errs.Wrap(errs.Internal, err, "store: create %s", path)
	}
	return f.Close()
}

// redactURL hides the password of a database url for messages.
func redactURL(url string) string {
	at := strings.LastIndex(url, "@")
	scheme := strings.Index(url, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return url
	}
	userinfo := url[scheme+3 : at]
	if i := strings.Index(userinfo, ":"); i >= 0 {
		return url[:scheme+3] + userinfo[:i] + ":" + secrets.Mask + url[at:]
	}
	return url
}

// Dialect returns "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.d.name }

// DB returns the database handle writes go through, for tests and tools that
// inspect the database directly. Do not write through it.
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the database.
func (s *Store) Close() error {
	for _, c := range []*stmtCache{s.rstmts, s.wstmts} {
		if c != nil {
			c.close()
		}
	}
	var err error
	if s.rdb != nil && s.rdb != s.db {
		err = s.rdb.Close()
	}
	if s.db != nil {
		err = errors.Join(err, s.db.Close())
	}
	if err != nil {
		return errs.Wrap(errs.Internal, err, "store: close")
	}
	return nil
}

// Sealer returns the sealer the store seals with.
func (s *Store) Sealer() *secrets.Sealer {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.sealer
}

// queryer is what *sql.DB, *sql.Conn and *sql.Tx have in common.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// conn runs rebound queries on a queryer, through prepared statements
// when it has a statement cache (not in transactions).
type conn struct {
	d     *dialect
	q     queryer
	stmts *stmtCache
}

func (c conn) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := c.prepared(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return c.q.ExecContext(ctx, c.d.rebind(q), args...)
}

func (c conn) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := c.prepared(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.q.QueryContext(ctx, c.d.rebind(q), args...)
}

func (c conn) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st := c.prepared(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.q.QueryRowContext(ctx, c.d.rebind(q), args...)
}

func (c conn) prepared(ctx context.Context, q string) *sql.Stmt {
	if c.stmts == nil {
		return nil
	}
	return c.stmts.stmt(ctx, c.d.rebind(q))
}

// w runs on the writer, r on the readers.
func (s *Store) w() conn { return conn{s.d, s.db, s.wstmts} }
func (s *Store) r() conn { return conn{s.d, s.rdb, s.rstmts} }

// tx runs fn in a write transaction, committing if it returns nil. A
// transaction that failed transiently (PostgreSQL deadlock or
// serialization failure) is retried a few times.
func (s *Store) tx(ctx context.Context, op string, fn func(c conn) error) error {
	var err error
	for attempt := range 3 {
		err = s.tx1(ctx, fn)
		if err == nil || !isRetryable(err) || ctx.Err() != nil {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 10 * time.Millisecond)
	}
	return fail(err, op)
}

func (s *Store) tx1(ctx context.Context, fn func(c conn) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(conn{d: s.d, q: tx}); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// isRetryable reports whether a failed transaction may simply be run again:
// a PostgreSQL serialization failure or deadlock.
func isRetryable(err error) bool {
	var e *errs.Error
	if errors.As(err, &e) {
		return false
	}
	return isTransient(err) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// clock returns the current time, UTC.
func (s *Store) clock() time.Time { return s.now().UTC() }
