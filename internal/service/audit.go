package service

import (
	"context"
	"encoding/json"

	"github.com/pavedev/pave/internal/identity"
	"github.com/pavedev/pave/internal/store"
)

// auditOutcome appends an audit entry with an outcome of its own
// ("pending"), for what is neither a success nor a failure.
func (s *Service) auditOutcome(ctx context.Context, a Actor, action, target, planHash, outcome string, detail map[string]any) {
	kind := a.Kind
	if kind == "" {
		kind = "local"
	}
	raw, _ := json.Marshal(detail)
	_ = s.Store.AppendAudit(context.WithoutCancel(ctx), &store.AuditEntry{Actor: actorName(a), ActorKind: store.ActorKind(kind),
		Action: action, Target: target, Outcome: outcome, PlanHash: planHash, Detail: raw})
}

// Audit returns audit entries, newest first.
func (s *Service) Audit(ctx context.Context, actor Actor, f store.AuditFilter) ([]store.AuditEntry, error) {
	if err := s.allow(ctx, nil, actor, identity.ReadAudit, "", ""); err != nil {
		return nil, err
	}
	return s.Store.ListAudit(ctx, f)
}
