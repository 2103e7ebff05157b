package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/store"
)

// CreateApp implements store.Apps.
func (s *Store) CreateApp(ctx context.Context, a *store.App) error {
	if err := a.Validate(); err != nil {
		return err
	}
	a.CreatedAt = orNow(a.CreatedAt, s.clock())
	_, err := s.w().exec(ctx, "INSERT INTO apps (name, team, created_at) VALUES (?, ?, ?)",
		a.Name, a.Team, toDB(a.CreatedAt))
	if isUnique(err) {
		return errs.Wrap(errs.Conflict, err, "app %q already exists", a.Name)
	}
	return fail(err, "create app")
}

// GetApp implements store.Apps.
func (s *Store) GetApp(ctx context.Context, name string) (*store.App, error) {
	var a store.App
	var created int64
	err := s.r().queryRow(ctx, "SELECT name, team, created_at FROM apps WHERE name = ?", name).
		Scan(&a.Name, &a.Team, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.New(errs.NotFound, "app %q not found", name)
	}
	if err != nil {
		return nil, fail(err, "get app")
	}
	a.CreatedAt = fromDB(created)
	return &a, nil
}

// ListApps implements store.Apps.
func (s *Store) ListApps(ctx context.Context) ([]store.App, error) {
	rows, err := s.r().query(ctx, "SELECT name, team, created_at FROM apps ORDER BY name")
	if err != nil {
		return nil, fail(err, "list apps")
	}
	defer rows.Close()
	var out []store.App
	for rows.Next() {
		var a store.App
		var created int64
		if err := rows.Scan(&a.Name, &a.Team, &created); err != nil {
			return nil, fail(err, "list apps")
		}
		a.CreatedAt = fromDB(created)
		out = append(out, a)
	}
	return out, fail(rows.Err(), "list apps")
}

// UpdateApp implements store.Apps.
func (s *Store) UpdateApp(ctx context.Context, a *store.App) error {
	if err := a.Validate(); err != nil {
		return err
	}
	res, err := s.w().exec(ctx, "UPDATE apps SET team = ? WHERE name = ?", a.Team, a.Name)
	if err != nil {
		return fail(err, "update app")
	}
	return affected(res, "update app", errs.New(errs.NotFound, "app %q not found", a.Name))
}

// DeleteApp implements store.Apps.
func (s *Store) DeleteApp(ctx context.Context, name string) error {
	return s.tx(ctx, "delete app", func(c conn) error {
		var envs int
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM environments WHERE app = ?", name).Scan(&envs); err != nil {
			return err
		}
		if envs > 0 {
			return errs.New(errs.Conflict, "app %q still has %d environment(s): delete them first", name, envs)
		}
		res, err := c.exec(ctx, "DELETE FROM apps WHERE name = ?", name)
		if err != nil {
			return err
		}
		return affected(res, "delete app", errs.New(errs.NotFound, "app %q not found", name))
	})
}

// affected returns notFound when res changed no row.
func affected(res sql.Result, op string, notFound error) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fail(err, op)
	}
	if n == 0 {
		return notFound
	}
	return nil
}
