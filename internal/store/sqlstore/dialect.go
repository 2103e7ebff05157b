package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/pavedev/pave/internal/errs"
)

// dialect holds what differs between SQLite and PostgreSQL. Queries are
// written once, with ? placeholders, in the SQL both understand (upserts with
// ON CONFLICT, RETURNING, partial indexes).
type dialect struct {
	name string
	// numbered placeholders ($1, $2…) instead of ?.
	numbered bool
	// forUpdate is appended to a SELECT that reads a row a transaction will
	// change. SQLite needs none: its write transactions begin IMMEDIATE and
	// so hold the one write lock.
	forUpdate string
}

var (
	sqliteDialect   = &dialect{name: "sqlite"}
	postgresDialect = &dialect{name: "postgres", numbered: true, forUpdate: " FOR UPDATE"}
)

// rebind turns ? placeholders into $n where the dialect needs it. Queries
// hold no ? in literals.
func (d *dialect) rebind(q string) string {
	if !d.numbered || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// isUnique reports whether err is a unique or primary key violation.
func isUnique(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// isForeignKey reports whether err is a foreign key violation: the parent
// record is missing.
func isForeignKey(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23503"
}

// isTransient reports whether err may go away if the operation is retried:
// a busy or locked database, a serialization failure or deadlock, a lost
// connection, a cancelled or timed-out context.
func isTransient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, sql.ErrConnDone) {
		return true
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// 08: connection exception; 40: transaction rollback
		// (serialization failure, deadlock); 53: insufficient
		// resources; 57P: operator intervention (shutdown).
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "40") ||
			strings.HasPrefix(pe.Code, "53") || strings.HasPrefix(pe.Code, "57P")
	}
	return pgconn.SafeToRetry(err) || pgconn.Timeout(err)
}

// fail wraps a database error for op: an *errs.Error passes unchanged, a
// transient failure becomes errs.Transient, anything else errs.Internal. The
// message names the operation only; the database error, which may quote
// values, is kept as the cause for logs.
func fail(err error, op string) error {
	if err == nil {
		return nil
	}
	var e *errs.Error
	if errors.As(err, &e) {
		return err
	}
	if isTransient(err) {
		return errs.Wrap(errs.Transient, err, "store: %s: database busy or unavailable, try again", op)
	}
	return errs.Wrap(errs.Internal, err, "store: %s: database error", op)
}
