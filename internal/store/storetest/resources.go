package storetest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/store"
)

func fullResource() *store.Resource {
	return &store.Resource{
		UID: "postgres.default#shop.db", App: "shop", Env: "dev",
		Type: "postgres", Class: "default", ID: "shop.db",
		Definition: "pg-local", Driver: "postgres",
		Status: store.ResourceReady, InputsHash: "sha256:abc",
		Outputs: map[string]any{
			"host": "127.0.0.1", "port": int64(5432), "ratio": 0.5, "tls": false,
			"nested": map[string]any{"list": []any{int64(1), "two", nil}},
		},
		SecretOutputs: map[string]any{"username": "app_user", "password": "s3cr3t-Pa55"},
		State:         json.RawMessage(`{"role":"app_user","created":true}`),
		Manifests:     []map[string]any{{"kind": "Secret", "data": map[string]any{"p": "x"}}},
		Users:         []string{"web", "api", "web"},
	}
}

func testResources(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, "shop", "dev", "prod")
	seed(t, s, "other", "dev")
	r := fullResource()
	ok(t, s.PutResource(ctx, r))
	wantUTC(t, "CreatedAt", r.CreatedAt)
	wantUTC(t, "UpdatedAt", r.UpdatedAt)
	if !slices.Equal(r.Users, []string{"api", "web"}) {
		t.Fatalf("Users = %v, want sorted and unique", r.Users)
	}

	got, err := s.GetResource(ctx, "shop", "dev", r.UID)
	ok(t, err)
	want := fullResource()
	want.Users = []string{"api", "web"}
	want.CreatedAt, want.UpdatedAt = r.CreatedAt, r.UpdatedAt
	if !reflect.DeepEqual(got, want) {
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		t.Fatalf("GetResource =\n%s %v %s\nwant\n%s %v %s", gj, got.SecretOutputs, got.State, wj, want.SecretOutputs, want.State)
	}

	// A resource marshals without its secrets.
	j, err := json.Marshal(got)
	ok(t, err)
	for _, secret := range []string{"s3cr3t-Pa55", "app_user", `"role"`, "Secret"} {
		if strings.Contains(string(j), secret) {
			t.Fatalf("JSON of a resource holds %q: %s", secret, j)
		}
	}

	// Listing is per environment, by UID.
	for _, uid := range []string{"z", "a", "m"} {
		ok(t, s.PutResource(ctx, &store.Resource{UID: uid, App: "shop", Env: "dev", Type: "t", Status: store.ResourceProvisioning}))
	}
	ok(t, s.PutResource(ctx, &store.Resource{UID: "b", App: "shop", Env: "prod", Type: "t", Status: store.ResourceReady}))
	ok(t, s.PutResource(ctx, &store.Resource{UID: "c", App: "other", Env: "dev", Type: "t", Status: store.ResourceReady}))
	list, err := s.ListResources(ctx, "shop", "dev")
	ok(t, err)
	var uids []string
	for _, x := range list {
		uids = append(uids, x.UID)
	}
	if !slices.Equal(uids, []string{"a", "m", r.UID, "z"}) {
		t.Fatalf("ListResources = %v", uids)
	}
	if !reflect.DeepEqual(list[2].SecretOutputs, want.SecretOutputs) || string(list[2].State) != string(want.State) {
		t.Fatalf("listed resource lost its secrets: %v %s", list[2].SecretOutputs, list[2].State)
	}
	if list[0].Outputs != nil || list[0].SecretOutputs != nil || list[0].State != nil || list[0].Manifests != nil || list[0].Users != nil {
		t.Fatalf("empty fields come back non-nil: %+v", list[0])
	}
	if l, err := s.ListResources(ctx, "shop", "nope"); err != nil || len(l) != 0 {
		t.Fatalf("ListResources of a missing env = %v, %v", l, err)
	}

	ok(t, s.DeleteResource(ctx, "shop", "dev", "z"))
	_, err = s.GetResource(ctx, "shop", "dev", "z")
	wantCode(t, err, errs.NotFound)
	wantCode(t, s.DeleteResource(ctx, "shop", "dev", "z"), errs.NotFound)
}

func testResourceUpsert(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, "shop", "dev")
	r := fullResource()
	r.Status = store.ResourceProvisioning
	ok(t, s.PutResource(ctx, r))
	created := r.CreatedAt
	time.Sleep(2 * time.Millisecond)

	// The engine's second write: ready, new outputs and state, no secrets.
	next := &store.Resource{
		UID: r.UID, App: "shop", Env: "dev", Type: "postgres", Class: "large", Definition: "pg-2", Driver: "postgres",
		Status: store.ResourceReady, InputsHash: "sha256:def",
		Outputs: map[string]any{"host": "db.internal"},
		State:   json.RawMessage(`{"v":2}`),
		Users:   []string{"web"},
	}
	ok(t, s.PutResource(ctx, next))
	if !next.CreatedAt.Equal(created) {
		t.Fatalf("CreatedAt changed on update: %v, was %v", next.CreatedAt, created)
	}
	if !next.UpdatedAt.After(created) {
		t.Fatalf("UpdatedAt %v not after CreatedAt %v", next.UpdatedAt, created)
	}
	got, err := s.GetResource(ctx, "shop", "dev", r.UID)
	ok(t, err)
	if got.Class != "large" || got.Definition != "pg-2" || got.Status != store.ResourceReady || got.InputsHash != "sha256:def" ||
		!reflect.DeepEqual(got.Outputs, next.Outputs) || got.SecretOutputs != nil || got.Manifests != nil ||
		string(got.State) != `{"v":2}` || !slices.Equal(got.Users, []string{"web"}) || !got.CreatedAt.Equal(created) {
		t.Fatalf("after upsert: %+v", got)
	}
	list, err := s.ListResources(ctx, "shop", "dev")
	ok(t, err)
	if len(list) != 1 {
		t.Fatalf("upsert left %d records", len(list))
	}
}

func testResourceStatus(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, "shop", "dev")
	r := fullResource()
	ok(t, s.PutResource(ctx, r))
	for _, st := range []store.ResourceStatus{store.ResourceFailed, store.ResourceDeleting, store.ResourceDeleted, store.ResourceProvisioning, store.ResourceReady} {
		msg := "now " + string(st)
		ok(t, s.MarkResource(ctx, "shop", "dev", r.UID, st, msg))
		got, err := s.GetResource(ctx, "shop", "dev", r.UID)
		ok(t, err)
		if got.Status != st || got.Message != msg {
			t.Fatalf("after MarkResource(%s): status %s, message %q", st, got.Status, got.Message)
		}
		if !reflect.DeepEqual(got.SecretOutputs, r.SecretOutputs) {
			t.Fatalf("MarkResource lost the secrets")
		}
	}
	wantCode(t, s.MarkResource(ctx, "shop", "dev", r.UID, "gone", ""), errs.Invalid)
}

func testResourceUsers(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, "shop", "dev")
	ok(t, s.PutResource(ctx, &store.Resource{UID: "shared", App: "shop", Env: "dev", Type: "t", Status: store.ResourceReady, Users: []string{"web", "api", "worker"}}))
	tests := []struct {
		release string
		want    []string
	}{
		{"api", []string{"web", "worker"}},
		{"api", []string{"web", "worker"}}, // not a user: nothing changes
		{"worker", []string{"web"}},
		{"web", nil},
	}
	for _, tt := range tests {
		left, err := s.ReleaseResource(ctx, "shop", "dev", "shared", tt.release)
		ok(t, err)
		if !slices.Equal(left, tt.want) {
			t.Fatalf("ReleaseResource(%s) = %v, want %v", tt.release, left, tt.want)
		}
		got, err := s.GetResource(ctx, "shop", "dev", "shared")
		ok(t, err)
		if !slices.Equal(got.Users, tt.want) {
			t.Fatalf("stored users %v, want %v", got.Users, tt.want)
		}
	}

	// Concurrent releases each remove their user exactly once.
	users := make([]string, 20)
	for i := range users {
		users[i] = fmt.Sprintf("w%02d", i)
	}
	ok(t, s.PutResource(ctx, &store.Resource{UID: "shared", App: "shop", Env: "dev", Type: "t", Status: store.ResourceReady, Users: users}))
	var wg sync.WaitGroup
	var mu sync.Mutex
	emptied := 0
	for _, u := range users {
		wg.Go(func() {
			left, err := s.ReleaseResource(ctx, "shop", "dev", "shared", u)
			if err != nil {
				t.Error(err)
				return
			}
			if slices.Contains(left, u) {
				t.Errorf("release of %s left it in %v", u, left)
			}
			if len(left) == 0 {
				mu.Lock()
				emptied++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if emptied != 1 {
		t.Fatalf("%d releases saw the last user go, want exactly 1", emptied)
	}
}

func testResourcesInvalid(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, "shop", "dev")
	valid := func() *store.Resource {
		return &store.Resource{UID: "u", App: "shop", Env: "dev", Type: "t", Status: store.ResourceReady}
	}
	tests := []struct {
		name   string
		change func(r *store.Resource)
	}{
		{"no uid", func(r *store.Resource) { r.UID = "" }},
		{"no app", func(r *store.Resource) { r.App = "" }},
		{"no env", func(r *store.Resource) { r.Env = "" }},
		{"no type", func(r *store.Resource) { r.Type = "" }},
		{"bad status", func(r *store.Resource) { r.Status = "done" }},
		{"no status", func(r *store.Resource) { r.Status = "" }},
		{"bad state", func(r *store.Resource) { r.State = json.RawMessage("{") }},
		{"bad user", func(r *store.Resource) { r.Users = []string{""} }},
		{"unencodable output", func(r *store.Resource) { r.Outputs = map[string]any{"f": func() {}} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := valid()
			tt.change(r)
			wantCode(t, s.PutResource(ctx, r), errs.Invalid)
		})
	}
}

func testResourcesConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, "shop", "dev")
	const workers, each = 8, 25
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				r := &store.Resource{UID: fmt.Sprintf("r-%d-%d", w, i), App: "shop", Env: "dev", Type: "t",
					Status: store.ResourceProvisioning, SecretOutputs: map[string]any{"p": i}}
				if err := s.PutResource(ctx, r); err != nil {
					t.Error(err)
					return
				}
				if err := s.MarkResource(ctx, "shop", "dev", r.UID, store.ResourceReady, ""); err != nil {
					t.Error(err)
					return
				}
				if _, err := s.GetResource(ctx, "shop", "dev", r.UID); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	list, err := s.ListResources(ctx, "shop", "dev")
	ok(t, err)
	if len(list) != workers*each {
		t.Fatalf("%d resources stored, want %d", len(list), workers*each)
	}
	for _, r := range list {
		if r.Status != store.ResourceReady {
			t.Fatalf("resource %s is %s", r.UID, r.Status)
		}
	}
}
