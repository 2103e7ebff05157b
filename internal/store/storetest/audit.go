package storetest

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/store"
)

func testAudit(t *testing.T, s store.Store) {
	ctx := t.Context()
	if l, err := s.ListAudit(ctx, store.AuditFilter{}); err != nil || len(l) != 0 {
		t.Fatalf("new store lists audit %v, %v", l, err)
	}
	e := &store.AuditEntry{Actor: "ann@example.com", ActorKind: store.ActorHuman, Action: "deploy", Target: "app/shop/env/prod",
		Outcome: "ok", PlanHash: "sha256:1", Detail: json.RawMessage(`{"deployment":"01X","nodes":3}`), ID: "ignored"}
	ok(t, s.AppendAudit(ctx, e))
	if e.ID == "" || e.ID == "ignored" {
		t.Fatalf("AppendAudit set ID %q", e.ID)
	}
	wantUTC(t, "Time", e.Time)
	got, err := s.ListAudit(ctx, store.AuditFilter{})
	ok(t, err)
	if len(got) != 1 {
		t.Fatalf("ListAudit = %+v", got)
	}
	g := got[0]
	if g.ID != e.ID || !g.Time.Equal(e.Time) || g.Actor != e.Actor || g.ActorKind != e.ActorKind || g.Action != e.Action ||
		g.Target != e.Target || g.Outcome != e.Outcome || g.PlanHash != e.PlanHash || string(g.Detail) != string(e.Detail) {
		t.Fatalf("ListAudit = %+v, want %+v", g, e)
	}

	for _, bad := range []store.AuditEntry{
		{ActorKind: store.ActorHuman, Action: "a", Outcome: "ok"},
		{Actor: "a", ActorKind: "robot", Action: "a", Outcome: "ok"},
		{Actor: "a", Action: "a", Outcome: "ok"},
		{Actor: "a", ActorKind: store.ActorCI, Outcome: "ok"},
		{Actor: "a", ActorKind: store.ActorCI, Action: "a"},
		{Actor: "a", ActorKind: store.ActorCI, Action: "a", Outcome: "ok", Detail: json.RawMessage("{")},
	} {
		wantCode(t, s.AppendAudit(ctx, &bad), errs.Invalid)
	}
}

func testAuditFilters(t *testing.T, s store.Store) {
	ctx := t.Context()
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	entries := []store.AuditEntry{
		{Actor: "ann", ActorKind: store.ActorHuman, Action: "plan", Target: "app/shop/env/dev", Outcome: "ok", PlanHash: "h1"},
		{Actor: "ann", ActorKind: store.ActorHuman, Action: "deploy", Target: "app/shop/env/dev", Outcome: "ok", PlanHash: "h1"},
		{Actor: "ci-bot", ActorKind: store.ActorCI, Action: "deploy", Target: "app/shop/env/prod", Outcome: "denied"},
		{Actor: "claude", ActorKind: store.ActorAgent, Action: "deploy", Target: "app/shopping/env/dev", Outcome: "ok"},
		{Actor: "me", ActorKind: store.ActorLocal, Action: "secret.put", Target: "secret/db_pw", Outcome: "ok"},
		{Actor: "ann", ActorKind: store.ActorHuman, Action: "app.create", Target: "app/shop", Outcome: "ok"},
		{Actor: "odd", ActorKind: store.ActorHuman, Action: "x", Target: "app/sh_p%", Outcome: "ok"},
	}
	var ids []string // oldest first
	for i := range entries {
		entries[i].Time = t0.Add(time.Duration(i) * time.Minute)
		ok(t, s.AppendAudit(ctx, &entries[i]))
		ids = append(ids, entries[i].ID)
	}
	if !slices.IsSorted(ids) {
		t.Fatalf("audit ids do not increase: %v", ids)
	}
	want := func(idx ...int) []string { // idx given newest first
		var out []string
		for _, i := range idx {
			out = append(out, ids[i])
		}
		return out
	}
	tests := []struct {
		name string
		f    store.AuditFilter
		want []string
	}{
		{"all newest first", store.AuditFilter{}, want(6, 5, 4, 3, 2, 1, 0)},
		{"limit", store.AuditFilter{Limit: 2}, want(6, 5)},
		{"before", store.AuditFilter{Before: ids[3], Limit: 2}, want(2, 1)},
		{"actor", store.AuditFilter{Actor: "ann"}, want(5, 1, 0)},
		{"actor kind", store.AuditFilter{ActorKind: store.ActorCI}, want(2)},
		{"action", store.AuditFilter{Action: "deploy"}, want(3, 2, 1)},
		{"outcome", store.AuditFilter{Outcome: "denied"}, want(2)},
		{"plan hash", store.AuditFilter{PlanHash: "h1"}, want(1, 0)},
		{"target exact", store.AuditFilter{Target: "app/shop/env/prod"}, want(2)},
		{"target prefix", store.AuditFilter{Target: "app/shop"}, want(5, 2, 1, 0)},
		{"target prefix with slash", store.AuditFilter{Target: "app/shop/"}, want(5, 2, 1, 0)},
		{"target wildcards are literal", store.AuditFilter{Target: "app/sh_p%"}, want(6)},
		{"since", store.AuditFilter{Since: t0.Add(5 * time.Minute)}, want(6, 5)},
		{"until", store.AuditFilter{Until: t0.Add(2 * time.Minute)}, want(1, 0)},
		{"combined", store.AuditFilter{Actor: "ann", Action: "deploy", Target: "app/shop"}, want(1)},
		{"no match", store.AuditFilter{Actor: "nobody"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := s.ListAudit(ctx, tt.f)
			ok(t, err)
			var got []string
			for _, e := range l {
				got = append(got, e.ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("ListAudit(%+v) = %v, want %v", tt.f, got, tt.want)
			}
		})
	}
}

// testAuditAppendOnly checks that the contract offers no way to change or
// delete an audit entry; implementations also test that their database
// refuses it.
func testAuditAppendOnly(t *testing.T, s store.Store) {
	typ := reflect.TypeFor[store.Store]()
	for i := range typ.NumMethod() {
		name := typ.Method(i).Name
		if strings.Contains(name, "Audit") && name != "AppendAudit" && name != "ListAudit" {
			t.Errorf("store.Store has %s: the audit log must be append-only", name)
		}
	}
	if _, found := reflect.TypeOf(s).MethodByName("DeleteAudit"); found {
		t.Errorf("%T has DeleteAudit", s)
	}
	if _, found := reflect.TypeOf(s).MethodByName("UpdateAudit"); found {
		t.Errorf("%T has UpdateAudit", s)
	}
}
