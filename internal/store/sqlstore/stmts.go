package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// maxStmts bounds the prepared statements a stmtCache keeps; queries are a
// fixed set, so it is never reached unless a query is built from data.
const maxStmts = 512

// stmtCache keeps one prepared statement per query text for a *sql.DB, so
// that a query is parsed by the database once per connection rather than
// on every call (with SQLite, parsing is most of a simple read's cost).
// database/sql prepares a statement again on each connection it runs on.
type stmtCache struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func newStmtCache(db *sql.DB) *stmtCache { return &stmtCache{db: db, m: map[string]*sql.Stmt{}} }

// stmt returns the prepared statement of q, preparing it on first use; nil
// when it cannot be prepared (the caller then runs q unprepared, which
// reports the error).
func (c *stmtCache) stmt(ctx context.Context, q string) *sql.Stmt {
	c.mu.Lock()
	st, ok := c.m[q]
	c.mu.Unlock()
	if ok {
		return st
	}
	st, err := c.db.PrepareContext(context.WithoutCancel(ctx), q)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[q]; ok {
		st.Close()
		return prev
	}
	if len(c.m) >= maxStmts {
		return st // leave it unkept; the caller closes nothing, database/sql closes it with the DB
	}
	c.m[q] = st
	return st
}

// close closes every statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		st.Close()
		delete(c.m, q)
	}
}
