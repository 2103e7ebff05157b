package sqlstore

import (
	"context"
	"strings"

	"github.com/pavedev/pave/internal/store"
)

// AppendAudit implements store.Audit.
func (s *Store) AppendAudit(ctx context.Context, e *store.AuditEntry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	e.ID = store.NewID()
	e.Time = orNow(e.Time, s.clock())
	_, err := s.w().exec(ctx, "INSERT INTO audit (id, time, actor, actor_kind, action, target, outcome, plan_hash, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		e.ID, toDB(e.Time), e.Actor, string(e.ActorKind), e.Action, e.Target, e.Outcome, e.PlanHash, string(e.Detail))
	return fail(err, "append audit entry")
}

// likeEscape escapes s for a LIKE pattern with ESCAPE '\'.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ListAudit implements store.Audit.
func (s *Store) ListAudit(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error) {
	var where []string
	var args []any
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	if f.Actor != "" {
		add("actor = ?", f.Actor)
	}
	if f.ActorKind != "" {
		add("actor_kind = ?", string(f.ActorKind))
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if f.Target != "" {
		t := strings.TrimSuffix(f.Target, "/")
		add(`(target = ? OR target LIKE ? ESCAPE '\')`, t, likeEscape(t)+"/%")
	}
	if f.Outcome != "" {
		add("outcome = ?", f.Outcome)
	}
	if f.PlanHash != "" {
		add("plan_hash = ?", f.PlanHash)
	}
	if !f.Since.IsZero() {
		add("time >= ?", toDB(f.Since))
	}
	if !f.Until.IsZero() {
		add("time < ?", toDB(f.Until))
	}
	if f.Before != "" {
		add("id < ?", f.Before)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = store.DefaultLimit
	}
	q := "SELECT id, time, actor, actor_kind, action, target, outcome, plan_hash, detail FROM audit"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, limit)
	rows, err := s.r().query(ctx, q, args...)
	if err != nil {
		return nil, fail(err, "list audit entries")
	}
	defer rows.Close()
	var out []store.AuditEntry
	for rows.Next() {
		var e store.AuditEntry
		var t int64
		var kind, detail string
		if err := rows.Scan(&e.ID, &t, &e.Actor, &kind, &e.Action, &e.Target, &e.Outcome, &e.PlanHash, &detail); err != nil {
			return nil, fail(err, "list audit entries")
		}
		e.Time, e.ActorKind = fromDB(t), store.ActorKind(kind)
		if detail != "" {
			e.Detail = []byte(detail)
		}
		out = append(out, e)
	}
	return out, fail(rows.Err(), "list audit entries")
}
