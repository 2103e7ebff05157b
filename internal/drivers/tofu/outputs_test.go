package tofu

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/errs"
)

func TestMapOutputs(t *testing.T) {
	raw := `{
		"host": {"sensitive": false, "type": "string", "value": "127.0.0.1"},
		"port": {"sensitive": false, "type": "number", "value": 5432},
		"ratio": {"sensitive": false, "type": "number", "value": 0.5},
		"db_password": {"sensitive": true, "type": "string", "value": "pw-123456"},
		"tags": {"sensitive": false, "type": ["list", "number"], "value": [1, 2.5]}
	}`
	tests := []struct {
		name    string
		mapping map[string]string
		want    map[string]any
		wantErr string
	}{
		{
			name: "identity",
			want: map[string]any{
				"host": "127.0.0.1", "port": int64(5432), "ratio": 0.5,
				"db_password": "pw-123456", "tags": []any{int64(1), 2.5},
			},
		},
		{
			name:    "renamed away",
			mapping: map[string]string{"password": "db_password", "host": "host"},
			want: map[string]any{
				"host": "127.0.0.1", "port": int64(5432), "ratio": 0.5,
				"password": "pw-123456", "tags": []any{int64(1), 2.5},
			},
		},
		{
			name:    "one tool output, two names",
			mapping: map[string]string{"server": "host", "address": "host"},
			want: map[string]any{
				"server": "127.0.0.1", "address": "127.0.0.1", "port": int64(5432), "ratio": 0.5,
				"db_password": "pw-123456", "tags": []any{int64(1), 2.5},
			},
		},
		{
			name:    "missing",
			mapping: map[string]string{"password": "pass", "user": "username"},
			wantErr: "lacks outputs named in the outputs input (password <- pass, user <- username); it has: db_password, host, port, ratio, tags",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mapOutputs([]byte(raw), tt.mapping)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "pw-123456") {
					t.Fatalf("error shows a secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("mapOutputs = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestMapOutputsBadJSON(t *testing.T) {
	_, err := mapOutputs([]byte(`{"password": "hunter2-secret"`), nil)
	if err == nil || strings.Contains(err.Error(), "hunter2") || !errs.Is(err, errs.Internal) {
		t.Fatalf("error = %v", err)
	}
}

func TestPlanSummary(t *testing.T) {
	tests := []struct {
		text    string
		changes bool
		want    string
	}{
		{"...\nPlan: 2 to add, 0 to change, 0 to destroy.\n", true, "2 to add, 0 to change, 0 to destroy"},
		{"Plan: 1 to import, 1 to add, 1 to change, 1 to destroy.", true, "1 to import, 1 to add, 1 to change, 1 to destroy"},
		{"No changes. Your infrastructure matches the configuration.", false, "no changes"},
		{"Changes to Outputs:\n  ~ name = \"a\" -> \"b\"", true, "0 to add, 0 to change, 0 to destroy; outputs change"},
		{"something else", true, "changes"},
	}
	for _, tt := range tests {
		if got := planSummary(tt.text, tt.changes); got != tt.want {
			t.Errorf("planSummary(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestCapped(t *testing.T) {
	c := &capped{limit: 4}
	if _, err := c.Write([]byte("abc")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("de")); err == nil {
		t.Fatal("write past the limit succeeded")
	}
}
