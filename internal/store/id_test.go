package store

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNewIDSortsByCreation(t *testing.T) {
	var ids []string
	for range 10000 {
		ids = append(ids, NewID())
	}
	if !slices.IsSorted(ids) {
		t.Fatal("IDs made one after another do not sort in order")
	}
	if len(slices.Compact(slices.Clone(ids))) != len(ids) {
		t.Fatal("duplicate IDs")
	}
	for _, id := range ids[:10] {
		if len(id) != 26 || strings.Trim(id, crockford) != "" {
			t.Fatalf("ID %q is not 26 Crockford base-32 digits", id)
		}
	}
}

func TestNewIDEncodesTime(t *testing.T) {
	tests := []struct {
		t      time.Time
		prefix string
	}{
		{time.UnixMilli(0), "0000000000"},
		{time.UnixMilli(1), "0000000001"},
		{time.UnixMilli(32), "0000000010"},
		{time.UnixMilli(1<<48 - 1), "7ZZZZZZZZZ"},
	}
	for _, tt := range tests {
		idGen.Lock()
		idGen.ms = 0
		idGen.Unlock()
		if got := newIDAt(tt.t); got[:10] != tt.prefix {
			t.Errorf("newIDAt(%d ms) = %s, want prefix %s", tt.t.UnixMilli(), got, tt.prefix)
		}
	}
	// A clock stepping back does not make IDs go back.
	idGen.Lock()
	idGen.ms = 0
	idGen.Unlock()
	a := newIDAt(time.UnixMilli(5000))
	b := newIDAt(time.UnixMilli(4000))
	if b <= a {
		t.Fatalf("ID after a clock step back %s <= %s", b, a)
	}
}

func TestEncodeID(t *testing.T) {
	var b [16]byte
	if got := encodeID(b); got != strings.Repeat("0", 26) {
		t.Fatalf("encodeID(zero) = %s", got)
	}
	for i := range b {
		b[i] = 0xff
	}
	if got := encodeID(b); got != "7"+strings.Repeat("Z", 25) {
		t.Fatalf("encodeID(max) = %s", got)
	}
}

func TestContentHash(t *testing.T) {
	if got := ContentHash([]byte("abc")); got != "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("ContentHash = %s", got)
	}
}

func TestStatuses(t *testing.T) {
	for _, s := range []DeploymentStatus{DeploymentPending, DeploymentRunning} {
		if !s.Active() || s.Finished() || !s.Valid() {
			t.Errorf("%s", s)
		}
	}
	for _, s := range []DeploymentStatus{DeploymentSucceeded, DeploymentFailed, DeploymentCancelled} {
		if s.Active() || !s.Finished() || !s.Valid() {
			t.Errorf("%s", s)
		}
	}
	if DeploymentStatus("x").Valid() || ResourceStatus("x").Valid() || EventPhase("x").Valid() || ActorKind("x").Valid() {
		t.Error("unknown values are valid")
	}
}

func TestCheckSecretName(t *testing.T) {
	for name, valid := range map[string]bool{
		"db_password": true, "a": true, "API-token-2": true, strings.Repeat("a", 128): true,
		"": false, "1a": false, "_a": false, "a.b": false, "a b": false, "a/b": false, strings.Repeat("a", 129): false, "é": false,
	} {
		if err := CheckSecretName(name); (err == nil) != valid {
			t.Errorf("CheckSecretName(%q) = %v, want valid %v", name, err, valid)
		}
	}
}

func TestValidateMessages(t *testing.T) {
	err := (&Resource{UID: "db", App: "shop", Env: "dev", Type: "pg", Status: "done"}).Validate()
	if err == nil || err.Error() != `resource db: status is "done", want one of provisioning, ready, failed, deleting, deleted` {
		t.Fatalf("Validate = %v", err)
	}
	err = (&App{Name: "a b"}).Validate()
	if err == nil || err.Error() != `app: name "a b" holds white space or a control character` {
		t.Fatalf("Validate = %v", err)
	}
}
