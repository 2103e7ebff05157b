package storetest

import (
	"testing"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/store"
)

func testUsers(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := &store.User{Name: "ann", Roles: []string{"developer", "viewer", "developer"}, Teams: []string{"shop", "blog"}}
	ok(t, s.CreateUser(ctx, u))
	wantUTC(t, "CreatedAt", u.CreatedAt)
	wantCode(t, s.CreateUser(ctx, &store.User{Name: "ann"}), errs.Conflict)
	ok(t, s.CreateUser(ctx, &store.User{Name: "bob"}))
	got, err := s.GetUser(ctx, "ann")
	ok(t, err)
	if len(got.Roles) != 2 || got.Roles[0] != "developer" || got.Roles[1] != "viewer" ||
		len(got.Teams) != 2 || got.Teams[0] != "blog" || got.Disabled {
		t.Fatalf("GetUser = %+v, want sorted, deduplicated roles and teams", got)
	}
	bob, err := s.GetUser(ctx, "bob")
	ok(t, err)
	if bob.Roles == nil || bob.Teams == nil || len(bob.Roles)+len(bob.Teams) != 0 {
		t.Fatalf("user without roles = %+v, want empty, non-nil lists", bob)
	}
	got.Roles, got.Teams, got.Disabled = []string{"admin"}, nil, true
	ok(t, s.UpdateUser(ctx, got))
	got, err = s.GetUser(ctx, "ann")
	ok(t, err)
	if len(got.Roles) != 1 || got.Roles[0] != "admin" || len(got.Teams) != 0 || !got.Disabled {
		t.Fatalf("after UpdateUser: %+v", got)
	}
	wantCode(t, s.UpdateUser(ctx, &store.User{Name: "zed"}), errs.NotFound)

	// Bindings: kept sorted, without duplicates, environment types too.
	dev := store.RoleBinding{Role: "developer", App: "shop", EnvTypes: []string{"staging", "development", "staging"}}
	view := store.RoleBinding{Role: "viewer", Team: "blog"}
	got.Bindings = []store.RoleBinding{view, dev, view}
	ok(t, s.UpdateUser(ctx, got))
	got, err = s.GetUser(ctx, "ann")
	ok(t, err)
	if len(got.Bindings) != 2 || got.Bindings[0].String() != "developer@app/shop:development,staging" || got.Bindings[1].String() != "viewer@team/blog" {
		t.Fatalf("bindings = %+v", got.Bindings)
	}
	bob, err = s.GetUser(ctx, "bob")
	ok(t, err)
	if bob.Bindings == nil || len(bob.Bindings) != 0 {
		t.Fatalf("user without bindings = %+v, want an empty, non-nil list", bob)
	}
	for _, b := range []store.RoleBinding{{Role: "viewer"}, {Role: "viewer", Team: "a", App: "b"}, {Team: "a"}, {Role: "viewer", App: "a b"},
		{Role: "viewer", App: "a", EnvTypes: []string{""}}} {
		wantCode(t, s.UpdateUser(ctx, &store.User{Name: "bob", Bindings: []store.RoleBinding{b}}), errs.Invalid)
	}
	list, err := s.ListUsers(ctx)
	ok(t, err)
	if len(list) != 2 || list[0].Name != "ann" || list[1].Name != "bob" {
		t.Fatalf("ListUsers = %+v", list)
	}
	for _, bad := range []*store.User{{}, {Name: "a b"}, {Name: "c", Roles: []string{""}}, {Name: "d", Teams: []string{"x\ty"}}} {
		wantCode(t, s.CreateUser(ctx, bad), errs.Invalid)
	}
	_, err = s.GetUser(ctx, "nobody")
	wantCode(t, err, errs.NotFound)
}

func testTeams(t *testing.T, s store.Store) {
	ctx := t.Context()
	ok(t, s.CreateTeam(ctx, &store.Team{Name: "shop", Description: "the shop"}))
	ok(t, s.CreateTeam(ctx, &store.Team{Name: "blog"}))
	wantCode(t, s.CreateTeam(ctx, &store.Team{Name: "shop"}), errs.Conflict)
	wantCode(t, s.CreateTeam(ctx, &store.Team{}), errs.Invalid)
	got, err := s.GetTeam(ctx, "shop")
	ok(t, err)
	if got.Description != "the shop" {
		t.Fatalf("GetTeam = %+v", got)
	}
	wantUTC(t, "CreatedAt", got.CreatedAt)
	list, err := s.ListTeams(ctx)
	ok(t, err)
	if len(list) != 2 || list[0].Name != "blog" {
		t.Fatalf("ListTeams = %+v", list)
	}
	_, err = s.GetTeam(ctx, "nope")
	wantCode(t, err, errs.NotFound)
}

func testTokens(t *testing.T, s store.Store) {
	ctx := t.Context()
	ok(t, s.CreateUser(ctx, &store.User{Name: "ann"}))
	ok(t, s.CreateUser(ctx, &store.User{Name: "ci-bot"}))
	exp := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	t1 := &store.Token{ID: "t1", User: "ann", Kind: store.ActorHuman, Name: "laptop", Hash: "sha256:aa", ExpiresAt: &exp}
	ok(t, s.CreateToken(ctx, t1))
	wantUTC(t, "CreatedAt", t1.CreatedAt)
	ok(t, s.CreateToken(ctx, &store.Token{ID: "t2", User: "ci-bot", Kind: store.ActorCI, Hash: "sha256:bb"}))
	ok(t, s.CreateToken(ctx, &store.Token{ID: "t3", User: "ann", Kind: store.ActorAgent, Hash: "sha256:cc"}))
	wantCode(t, s.CreateToken(ctx, &store.Token{ID: "t1", User: "ann", Kind: store.ActorHuman, Hash: "x"}), errs.Conflict)
	wantCode(t, s.CreateToken(ctx, &store.Token{ID: "t9", User: "nobody", Kind: store.ActorHuman, Hash: "x"}), errs.NotFound)
	for _, bad := range []*store.Token{
		{User: "ann", Kind: store.ActorHuman, Hash: "x"},
		{ID: "b", User: "ann", Kind: store.ActorLocal, Hash: "x"},
		{ID: "b", User: "ann", Kind: store.ActorHuman},
	} {
		wantCode(t, s.CreateToken(ctx, bad), errs.Invalid)
	}

	got, err := s.GetToken(ctx, "t1")
	ok(t, err)
	if got.Hash != "sha256:aa" || got.User != "ann" || got.Kind != store.ActorHuman || got.Name != "laptop" ||
		got.ExpiresAt == nil || !got.ExpiresAt.Equal(exp) || got.RevokedAt != nil || got.LastUsedAt != nil {
		t.Fatalf("GetToken = %+v", got)
	}
	if !got.Usable(exp.Add(-time.Second)) || got.Usable(exp) {
		t.Fatalf("Usable around expiry is wrong")
	}

	used := time.Date(2030, 5, 1, 0, 0, 0, 0, time.UTC)
	ok(t, s.TouchToken(ctx, "t1", used))
	at := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	ok(t, s.RevokeToken(ctx, "t1", at))
	ok(t, s.RevokeToken(ctx, "t1", at.Add(time.Hour)))
	got, err = s.GetToken(ctx, "t1")
	ok(t, err)
	if got.RevokedAt == nil || !got.RevokedAt.Equal(at) || got.LastUsedAt == nil || !got.LastUsedAt.Equal(used) || got.Usable(used) {
		t.Fatalf("after revoke: %+v", got)
	}
	wantCode(t, s.RevokeToken(ctx, "t9", at), errs.NotFound)
	wantCode(t, s.TouchToken(ctx, "t9", at), errs.NotFound)

	list, err := s.ListTokens(ctx, "ann")
	ok(t, err)
	if len(list) != 2 || list[0].ID != "t3" || list[1].ID != "t1" {
		t.Fatalf("ListTokens(ann) = %+v", list)
	}
	for _, tk := range list {
		if tk.Hash != "" {
			t.Fatalf("ListTokens returned a hash: %+v", tk)
		}
	}
	all, err := s.ListTokens(ctx, "")
	ok(t, err)
	if len(all) != 3 {
		t.Fatalf("ListTokens(all) = %+v", all)
	}
	_, err = s.GetToken(ctx, "t9")
	wantCode(t, err, errs.NotFound)
}
