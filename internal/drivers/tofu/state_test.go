package tofu

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/errs"
)

func TestDecodeState(t *testing.T) {
	tf := []byte(`{"version":4,"resources":[{"type":"random_password"}]}`)
	good := (&state{Version: stateVersion, TFState: tf, ModuleHash: "sha256:00"}).encode()
	tests := []struct {
		name      string
		raw       string
		wantErr   string
		resources bool
	}{
		{name: "none", raw: ""},
		{name: "null", raw: "null"},
		{name: "round trip", raw: string(good), resources: true},
		{name: "empty resources", raw: string((&state{Version: 1, TFState: []byte(`{"resources":[]}`)}).encode())},
		{name: "unknown field", raw: `{"version":1,"extra":1}`, wantErr: "not valid"},
		{name: "wrong version", raw: `{"version":2}`, wantErr: "has version 2"},
		{name: "not base64", raw: `{"version":1,"tfstate":"%%%"}`, wantErr: "not valid"},
		{name: "state not json", raw: `{"version":1,"tfstate":"bm90IGpzb24="}`, wantErr: "not JSON"},
		{name: "trailing data", raw: `{"version":1} {}`, wantErr: "trailing"},
		{name: "not an object", raw: `[1]`, wantErr: "not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := decodeState(json.RawMessage(tt.raw))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errs.Is(err, errs.Invalid) {
					t.Fatalf("decodeState error = %v, want invalid %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("decodeState: %v", err)
			}
			if got := st.hasResources(); got != tt.resources {
				t.Errorf("hasResources = %v, want %v", got, tt.resources)
			}
		})
	}
}

func TestHashModule(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, content string) {
		t.Helper()
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hash := func() string {
		t.Helper()
		h, err := hashModule(dir)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	write("main.tf", "a")
	write("sub/x.tf", "b")
	h1 := hash()
	if !strings.HasPrefix(h1, "sha256:") || len(h1) != len("sha256:")+64 {
		t.Fatalf("hash = %q", h1)
	}
	// Generated files do not change the hash.
	write(".terraform/providers/p", "x")
	write(stateFile, "{}")
	write(stateFile+".backup", "{}")
	write(varsFile, "{}")
	write(".terraform.lock.hcl", "lock")
	if h := hash(); h != h1 {
		t.Errorf("generated files changed the hash")
	}
	// Moving bytes between name and content does.
	write("main.tf", "ab")
	write("sub/x.tf", "")
	if h := hash(); h == h1 {
		t.Errorf("different module, same hash")
	}
}

// FuzzDecodeState: hostile state never panics and is either read or
// rejected as invalid.
func FuzzDecodeState(f *testing.F) {
	f.Add([]byte(`{"version":1,"tfstate":"e30=","moduleHash":"sha256:ab"}`))
	f.Add([]byte(`{"version":1,"tfstate":"eyJyZXNvdXJjZXMiOjF9"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		st, err := decodeState(raw)
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("code %s: %v", errs.CodeOf(err), err)
			}
			return
		}
		st.hasResources()
		if _, err := decodeState(st.encode()); err != nil {
			t.Fatalf("re-encoded state does not decode: %v", err)
		}
	})
}
