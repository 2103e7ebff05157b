package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/store"
)

const deploymentColumns = "id, app, env, plan_id, plan_hash, actor, commit_ref, status, workloads, started_at, finished_at, error, owner, heartbeat"

const activeStatuses = "('pending', 'running')"

func deploymentNotFound(id string) error {
	return errs.New(errs.NotFound, "deployment %s not found", id)
}

func scanDeployment(sc interface{ Scan(...any) error }) (store.Deployment, error) {
	var d store.Deployment
	var status, workloads string
	var started, heartbeat int64
	var finished sql.NullInt64
	if err := sc.Scan(&d.ID, &d.App, &d.Env, &d.PlanID, &d.PlanHash, &d.Actor, &d.Commit, &status, &workloads,
		&started, &finished, &d.Error, &d.Owner, &heartbeat); err != nil {
		return d, err
	}
	d.Status, d.StartedAt, d.FinishedAt, d.Heartbeat = store.DeploymentStatus(status), fromDB(started), fromDBNull(finished), fromDB(heartbeat)
	if err := decodeJSON([]byte(workloads), &d.Workloads); err != nil {
		return d, errs.Prefix("deployment "+d.ID, err)
	}
	if len(d.Workloads) == 0 {
		d.Workloads = nil
	}
	return d, nil
}

// BeginDeployment implements store.Deployments. The check and the insert
// run in one transaction, and a partial unique index on (app, env) over
// active deployments settles any race between processes.
func (s *Store) BeginDeployment(ctx context.Context, d *store.Deployment) error {
	if d.Status == "" {
		d.Status = store.DeploymentPending
	}
	if err := d.Validate(); err != nil {
		return err
	}
	if d.ID == "" {
		d.ID = store.NewID()
	}
	now := s.clock()
	d.StartedAt = orNow(d.StartedAt, now)
	d.Heartbeat, d.FinishedAt = now, nil
	workloads := "{}"
	if len(d.Workloads) > 0 {
		var err error
		if workloads, err = encodeJSON(d.Workloads); err != nil {
			return err
		}
	}
	err := s.tx(ctx, "begin deployment", func(c conn) error {
		var active string
		err := c.queryRow(ctx, "SELECT id FROM deployments WHERE app = ? AND env = ? AND status IN "+activeStatuses, d.App, d.Env).Scan(&active)
		if err == nil {
			return activeConflict(d.App, d.Env, active, nil)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = c.exec(ctx, "INSERT INTO deployments ("+deploymentColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			d.ID, d.App, d.Env, d.PlanID, d.PlanHash, d.Actor, d.Commit, string(d.Status), workloads,
			toDB(d.StartedAt), nil, d.Error, d.Owner, toDB(d.Heartbeat))
		return err
	})
	switch {
	case isForeignKey(err):
		return errs.Wrap(errs.NotFound, err, "environment %q of app %q not found", d.Env, d.App)
	case isUnique(err):
		// Another process began a deployment between our check and our
		// insert (or took our id): name the one that is active now.
		var active string
		if s.r().queryRow(ctx, "SELECT id FROM deployments WHERE app = ? AND env = ? AND status IN "+activeStatuses, d.App, d.Env).Scan(&active) == nil {
			return activeConflict(d.App, d.Env, active, err)
		}
		return errs.Wrap(errs.Conflict, err, "deployment %s already exists", d.ID)
	}
	return err
}

func activeConflict(app, env, id string, cause error) error {
	ae := &store.ActiveDeploymentError{App: app, Env: env, ID: id}
	e := errs.Wrap(errs.Conflict, ae, "environment %q of app %q already has an active deployment %s", env, app, id)
	if cause != nil {
		e.Cause = errors.Join(ae, cause)
	}
	return e
}

// GetDeployment implements store.Deployments.
func (s *Store) GetDeployment(ctx context.Context, id string) (*store.Deployment, error) {
	d, err := scanDeployment(s.r().queryRow(ctx, "SELECT "+deploymentColumns+" FROM deployments WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, deploymentNotFound(id)
	}
	if err != nil {
		return nil, fail(err, "get deployment")
	}
	return &d, nil
}

// ListDeployments implements store.Deployments.
func (s *Store) ListDeployments(ctx context.Context, f store.DeploymentFilter) ([]store.Deployment, error) {
	var where []string
	var args []any
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	if f.App != "" {
		add("app = ?", f.App)
	}
	if f.Env != "" {
		add("env = ?", f.Env)
	}
	if len(f.Statuses) > 0 {
		ph := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			ph[i] = "?"
			args = append(args, string(st))
		}
		where = append(where, "status IN ("+strings.Join(ph, ", ")+")")
	}
	if !f.Since.IsZero() {
		add("started_at >= ?", toDB(f.Since))
	}
	if !f.Until.IsZero() {
		add("started_at < ?", toDB(f.Until))
	}
	if f.Before != "" {
		add("id < ?", f.Before)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = store.DefaultLimit
	}
	q := "SELECT " + deploymentColumns + " FROM deployments"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, limit)
	rows, err := s.r().query(ctx, q, args...)
	if err != nil {
		return nil, fail(err, "list deployments")
	}
	defer rows.Close()
	var out []store.Deployment
	for rows.Next() {
		d, err := scanDeployment(rows)
		if err != nil {
			return nil, fail(err, "list deployments")
		}
		out = append(out, d)
	}
	return out, fail(rows.Err(), "list deployments")
}

// fromStatuses are the statuses a deployment may move to each status from.
var fromStatuses = map[store.DeploymentStatus][]store.DeploymentStatus{
	store.DeploymentPending:   {store.DeploymentPending},
	store.DeploymentRunning:   {store.DeploymentPending, store.DeploymentRunning},
	store.DeploymentSucceeded: {store.DeploymentPending, store.DeploymentRunning},
	store.DeploymentFailed:    {store.DeploymentPending, store.DeploymentRunning},
	store.DeploymentCancelled: {store.DeploymentPending, store.DeploymentRunning},
}

// SetDeploymentStatus implements store.Deployments, in one conditional
// update.
func (s *Store) SetDeploymentStatus(ctx context.Context, id string, status store.DeploymentStatus, message string) error {
	from, ok := fromStatuses[status]
	if !ok {
		return errs.New(errs.Invalid, "deployment %s: status %q is not one of pending, running, succeeded, failed, cancelled", id, status)
	}
	var finished sql.NullInt64
	if status.Finished() {
		finished = toDBNull(new(s.clock()))
	}
	args := []any{string(status), message, finished, id}
	ph := make([]string, len(from))
	for i, st := range from {
		ph[i] = "?"
		args = append(args, string(st))
	}
	res, err := s.w().exec(ctx, "UPDATE deployments SET status = ?, error = ?, finished_at = ? WHERE id = ? AND status IN ("+strings.Join(ph, ", ")+")", args...)
	if err != nil {
		return fail(err, "set deployment status")
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return fail(err, "set deployment status")
	}
	cur, err := s.GetDeployment(ctx, id)
	if err != nil {
		return err
	}
	return errs.New(errs.Conflict, "deployment %s is %s; it cannot become %s", id, cur.Status, status)
}

// Heartbeat implements store.Deployments.
func (s *Store) Heartbeat(ctx context.Context, id, owner string) error {
	res, err := s.w().exec(ctx, "UPDATE deployments SET heartbeat = ? WHERE id = ? AND owner = ? AND status IN "+activeStatuses,
		toDB(s.clock()), id, owner)
	if err != nil {
		return fail(err, "heartbeat")
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return fail(err, "heartbeat")
	}
	cur, err := s.GetDeployment(ctx, id)
	if err != nil {
		return err
	}
	if cur.Status.Finished() {
		return errs.New(errs.Conflict, "deployment %s is %s", id, cur.Status)
	}
	return errs.New(errs.Conflict, "deployment %s is now owned by %q, not %q", id, cur.Owner, owner)
}

// ClaimStale implements store.Deployments: one conditional update, so two
// replicas claiming at once never both get a deployment.
func (s *Store) ClaimStale(ctx context.Context, owner string, olderThan time.Duration) ([]store.Deployment, error) {
	if owner == "" {
		return nil, errs.New(errs.Invalid, "claim stale deployments: owner is required")
	}
	if olderThan < 0 {
		return nil, errs.New(errs.Invalid, "claim stale deployments: age %s is negative", olderThan)
	}
	now := s.clock()
	rows, err := s.w().query(ctx, "UPDATE deployments SET owner = ?, heartbeat = ? WHERE status IN "+activeStatuses+" AND heartbeat <= ? RETURNING "+deploymentColumns,
		owner, toDB(now), toDB(now.Add(-olderThan)))
	if err != nil {
		return nil, fail(err, "claim stale deployments")
	}
	defer rows.Close()
	var out []store.Deployment
	for rows.Next() {
		d, err := scanDeployment(rows)
		if err != nil {
			return nil, fail(err, "claim stale deployments")
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(err, "claim stale deployments")
	}
	slices.SortFunc(out, func(a, b store.Deployment) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}
