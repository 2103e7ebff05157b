package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/store"
)

// CreatePlan implements store.Plans.
func (s *Store) CreatePlan(ctx context.Context, p *store.Plan) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if p.ID == "" {
		p.ID = store.NewID()
	}
	p.CreatedAt = orNow(p.CreatedAt, s.clock())
	p.Approvals = nil
	_, err := s.w().exec(ctx, "INSERT INTO plans (id, hash, app, env, body, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		p.ID, p.Hash, p.App, p.Env, string(p.Body), p.CreatedBy, toDB(p.CreatedAt))
	switch {
	case isUnique(err):
		return errs.Wrap(errs.Conflict, err, "plan %s already exists", p.ID)
	case isForeignKey(err):
		return errs.Wrap(errs.NotFound, err, "app %q not found", p.App)
	}
	return fail(err, "create plan")
}

// GetPlan implements store.Plans.
func (s *Store) GetPlan(ctx context.Context, id string) (*store.Plan, error) {
	p := store.Plan{ID: id}
	var body string
	var created int64
	err := s.r().queryRow(ctx, "SELECT hash, app, env, body, created_by, created_at FROM plans WHERE id = ?", id).
		Scan(&p.Hash, &p.App, &p.Env, &body, &p.CreatedBy, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.New(errs.NotFound, "plan %s not found", id)
	}
	if err != nil {
		return nil, fail(err, "get plan")
	}
	p.Body, p.CreatedAt = []byte(body), fromDB(created)
	rows, err := s.r().query(ctx, "SELECT actor, comment, time FROM plan_approvals WHERE plan_id = ? ORDER BY time, actor", id)
	if err != nil {
		return nil, fail(err, "get plan approvals")
	}
	defer rows.Close()
	for rows.Next() {
		var a store.Approval
		var t int64
		if err := rows.Scan(&a.Actor, &a.Comment, &t); err != nil {
			return nil, fail(err, "get plan approvals")
		}
		a.Time = fromDB(t)
		p.Approvals = append(p.Approvals, a)
	}
	return &p, fail(rows.Err(), "get plan approvals")
}

// ListPlans implements store.Plans.
func (s *Store) ListPlans(ctx context.Context, app, env string, limit int) ([]store.Plan, error) {
	if limit <= 0 {
		limit = store.DefaultLimit
	}
	rows, err := s.r().query(ctx, "SELECT id, hash, created_by, created_at FROM plans WHERE app = ? AND env = ? ORDER BY id DESC LIMIT ?",
		app, env, limit)
	if err != nil {
		return nil, fail(err, "list plans")
	}
	defer rows.Close()
	var out []store.Plan
	for rows.Next() {
		p := store.Plan{App: app, Env: env}
		var created int64
		if err := rows.Scan(&p.ID, &p.Hash, &p.CreatedBy, &created); err != nil {
			return nil, fail(err, "list plans")
		}
		p.CreatedAt = fromDB(created)
		out = append(out, p)
	}
	return out, fail(rows.Err(), "list plans")
}

// ApprovePlan implements store.Plans.
func (s *Store) ApprovePlan(ctx context.Context, planID string, a store.Approval) error {
	if a.Actor == "" {
		return errs.New(errs.Invalid, "approval of plan %s: actor is required", planID)
	}
	a.Time = orNow(a.Time, s.clock())
	_, err := s.w().exec(ctx, "INSERT INTO plan_approvals (plan_id, actor, comment, time) VALUES (?, ?, ?, ?)",
		planID, a.Actor, a.Comment, toDB(a.Time))
	switch {
	case isUnique(err):
		return errs.Wrap(errs.Conflict, err, "%s already approved plan %s", a.Actor, planID)
	case isForeignKey(err):
		return errs.Wrap(errs.NotFound, err, "plan %s not found", planID)
	}
	return fail(err, "approve plan")
}
