package storetest

import (
	"bytes"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/secrets"
	"github.com/pavedev/pave/internal/store"
)

func testSecrets(t *testing.T, s store.Store) {
	ctx := t.Context()
	if l, err := s.ListSecrets(ctx); err != nil || len(l) != 0 {
		t.Fatalf("new store lists secrets %v, %v", l, err)
	}
	values := map[string][]byte{
		"db_password": []byte("hunter2"),
		"api-token":   []byte("tok_123"),
		"binary":      {0, 1, 2, 0xff, 0},
		"empty":       {},
	}
	for name, v := range values {
		ok(t, s.PutSecret(ctx, name, v))
	}
	for name, v := range values {
		got, err := s.GetSecret(ctx, name)
		ok(t, err)
		if !bytes.Equal(got, v) {
			t.Fatalf("GetSecret(%s) = %q, want %q", name, got, v)
		}
	}
	list, err := s.ListSecrets(ctx)
	ok(t, err)
	var names []string
	for _, i := range list {
		names = append(names, i.Name)
		wantUTC(t, "CreatedAt", i.CreatedAt)
	}
	if !slices.Equal(names, []string{"api-token", "binary", "db_password", "empty"}) {
		t.Fatalf("ListSecrets = %v", names)
	}

	time.Sleep(2 * time.Millisecond)
	ok(t, s.PutSecret(ctx, "db_password", []byte("correct horse")))
	got, err := s.GetSecret(ctx, "db_password")
	ok(t, err)
	if string(got) != "correct horse" {
		t.Fatalf("after update GetSecret = %q", got)
	}
	list, err = s.ListSecrets(ctx)
	ok(t, err)
	for _, i := range list {
		if i.Name == "db_password" && !i.UpdatedAt.After(i.CreatedAt) {
			t.Fatalf("update did not move UpdatedAt: %+v", i)
		}
	}

	ok(t, s.DeleteSecret(ctx, "api-token"))
	_, err = s.GetSecret(ctx, "api-token")
	wantCode(t, err, errs.NotFound)
	wantCode(t, s.DeleteSecret(ctx, "api-token"), errs.NotFound)

	for _, bad := range []string{"", "1abc", "has space", "dots.not.allowed", "a/b", string(make([]byte, 200))} {
		wantCode(t, s.PutSecret(ctx, bad, []byte("x")), errs.Invalid)
	}
}

func testRotateKey(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed(t, s, "shop", "dev")
	r := fullResource()
	ok(t, s.PutResource(ctx, r))
	ok(t, s.PutResource(ctx, &store.Resource{UID: "plain", App: "shop", Env: "dev", Type: "t", Status: store.ResourceReady}))
	ok(t, s.PutSecret(ctx, "one", []byte("v1")))
	ok(t, s.PutSecret(ctx, "two", []byte("v2")))

	k, err := secrets.GenerateKey()
	ok(t, err)
	next, err := secrets.NewSealer(k)
	ok(t, err)
	n, err := s.RotateKey(ctx, next)
	ok(t, err)
	// secret outputs, state and manifests of one resource, two secrets.
	if n != 5 {
		t.Fatalf("RotateKey re-sealed %d values, want 5", n)
	}
	got, err := s.GetResource(ctx, "shop", "dev", r.UID)
	ok(t, err)
	if !reflect.DeepEqual(got.SecretOutputs, r.SecretOutputs) || string(got.State) != string(r.State) || !reflect.DeepEqual(got.Manifests, r.Manifests) {
		t.Fatalf("after rotation: %+v", got)
	}
	for name, want := range map[string]string{"one": "v1", "two": "v2"} {
		v, err := s.GetSecret(ctx, name)
		ok(t, err)
		if string(v) != want {
			t.Fatalf("secret %s = %q after rotation", name, v)
		}
	}
	// The store now seals with the new key.
	ok(t, s.PutSecret(ctx, "three", []byte("v3")))
	v, err := s.GetSecret(ctx, "three")
	ok(t, err)
	if string(v) != "v3" {
		t.Fatalf("secret written after rotation = %q", v)
	}
	_, err = s.RotateKey(ctx, nil)
	wantCode(t, err, errs.Invalid)
}
