package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/store"
)

const envColumns = "app, name, type, expires_at, cloned_from, created_at, updated_at"

// CreateEnvironment implements store.Environments.
func (s *Store) CreateEnvironment(ctx context.Context, e *store.Environment) error {
	if err := e.Validate(); err != nil {
		return err
	}
	now := s.clock()
	e.CreatedAt = orNow(e.CreatedAt, now)
	e.UpdatedAt = e.CreatedAt
	if e.ExpiresAt != nil {
		t := e.ExpiresAt.UTC()
		e.ExpiresAt = &t
	}
	_, err := s.w().exec(ctx, "INSERT INTO environments ("+envColumns+") VALUES (?, ?, ?, ?, ?, ?, ?)",
		e.App, e.Name, e.Type, toDBNull(e.ExpiresAt), e.ClonedFrom, toDB(e.CreatedAt), toDB(e.UpdatedAt))
	switch {
	case isUnique(err):
		return errs.Wrap(errs.Conflict, err, "environment %q of app %q already exists", e.Name, e.App)
	case isForeignKey(err):
		return errs.Wrap(errs.NotFound, err, "app %q not found", e.App)
	}
	return fail(err, "create environment")
}

func scanEnv(sc interface{ Scan(...any) error }) (store.Environment, error) {
	var e store.Environment
	var expires sql.NullInt64
	var created, updated int64
	err := sc.Scan(&e.App, &e.Name, &e.Type, &expires, &e.ClonedFrom, &created, &updated)
	e.ExpiresAt, e.CreatedAt, e.UpdatedAt = fromDBNull(expires), fromDB(created), fromDB(updated)
	return e, err
}

// GetEnvironment implements store.Environments.
func (s *Store) GetEnvironment(ctx context.Context, app, name string) (*store.Environment, error) {
	e, err := scanEnv(s.r().queryRow(ctx, "SELECT "+envColumns+" FROM environments WHERE app = ? AND name = ?", app, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.New(errs.NotFound, "environment %q of app %q not found", name, app)
	}
	if err != nil {
		return nil, fail(err, "get environment")
	}
	return &e, nil
}

// ListEnvironments implements store.Environments.
func (s *Store) ListEnvironments(ctx context.Context, app string) ([]store.Environment, error) {
	return s.listEnvs(ctx, "list environments",
		"SELECT "+envColumns+" FROM environments WHERE app = ? ORDER BY name", app)
}

// ListExpiredEnvironments implements store.Environments.
func (s *Store) ListExpiredEnvironments(ctx context.Context, t time.Time) ([]store.Environment, error) {
	return s.listEnvs(ctx, "list expired environments",
		"SELECT "+envColumns+" FROM environments WHERE expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at, app, name", toDB(t))
}

func (s *Store) listEnvs(ctx context.Context, op, q string, args ...any) ([]store.Environment, error) {
	rows, err := s.r().query(ctx, q, args...)
	if err != nil {
		return nil, fail(err, op)
	}
	defer rows.Close()
	var out []store.Environment
	for rows.Next() {
		e, err := scanEnv(rows)
		if err != nil {
			return nil, fail(err, op)
		}
		out = append(out, e)
	}
	return out, fail(rows.Err(), op)
}

// UpdateEnvironment implements store.Environments.
func (s *Store) UpdateEnvironment(ctx context.Context, e *store.Environment) error {
	if err := e.Validate(); err != nil {
		return err
	}
	if e.ExpiresAt != nil {
		t := e.ExpiresAt.UTC()
		e.ExpiresAt = &t
	}
	e.UpdatedAt = s.clock()
	var created int64
	var cloned string
	err := s.w().queryRow(ctx, "UPDATE environments SET type = ?, expires_at = ?, updated_at = ? WHERE app = ? AND name = ? RETURNING created_at, cloned_from",
		e.Type, toDBNull(e.ExpiresAt), toDB(e.UpdatedAt), e.App, e.Name).Scan(&created, &cloned)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.New(errs.NotFound, "environment %q of app %q not found", e.Name, e.App)
	}
	if err != nil {
		return fail(err, "update environment")
	}
	e.CreatedAt, e.ClonedFrom = fromDB(created), cloned
	return nil
}

// DeleteEnvironment implements store.Environments.
func (s *Store) DeleteEnvironment(ctx context.Context, app, name string) error {
	return s.tx(ctx, "delete environment", func(c conn) error {
		var one int
		err := c.queryRow(ctx, "SELECT 1 FROM environments WHERE app = ? AND name = ?"+s.d.forUpdate, app, name).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.New(errs.NotFound, "environment %q of app %q not found", name, app)
		}
		if err != nil {
			return err
		}
		var active string
		err = c.queryRow(ctx, "SELECT id FROM deployments WHERE app = ? AND env = ? AND status IN ('pending', 'running')", app, name).Scan(&active)
		if err == nil {
			return errs.New(errs.Conflict, "environment %q of app %q has an active deployment %s: wait for it or cancel it", name, app, active)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var live int
		var first sql.NullString
		if err := c.queryRow(ctx, "SELECT COUNT(*), MIN(uid) FROM resources WHERE app = ? AND env = ? AND status <> 'deleted'", app, name).Scan(&live, &first); err != nil {
			return err
		}
		if live > 0 {
			return errs.New(errs.Conflict, "environment %q of app %q still has %d resource(s) not deleted (first %q): deprovision them first", name, app, live, first.String)
		}
		// Plans belong to the app (the plan of an environment not yet
		// created is kept), so the environment's are deleted here.
		if _, err := c.exec(ctx, "DELETE FROM plans WHERE app = ? AND env = ?", app, name); err != nil {
			return err
		}
		_, err = c.exec(ctx, "DELETE FROM environments WHERE app = ? AND name = ?", app, name)
		return err
	})
}
