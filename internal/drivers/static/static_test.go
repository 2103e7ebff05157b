package static

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/driver/drivertest"
	"github.com/pavedev/pave/internal/errs"
)

func TestConformance(t *testing.T) {
	drivertest.Run(t, New(), drivertest.Case{
		Request: func(uid string) *driver.Request {
			return &driver.Request{Type: "postgres", Class: "default", Inputs: map[string]any{
				"outputs": map[string]any{"host": "db.example.com", "port": int64(5432), "name": "shop"},
				"secrets": map[string]any{"username": "shop", "password": "s3cret-static"},
			}}
		},
		Update: func(req *driver.Request) {
			req.Inputs["outputs"].(map[string]any)["host"] = "db2.example.com"
		},
		VerifyUpdate: func(t *testing.T, _ *driver.Request, outputs map[string]any) {
			if outputs["host"] != "db2.example.com" {
				t.Errorf("host = %v after the update", outputs["host"])
			}
		},
		Outputs: []drivertest.Output{
			{Name: "host", Kind: drivertest.String},
			{Name: "port", Kind: drivertest.Number},
			{Name: "name", Kind: drivertest.String},
			{Name: "username", Kind: drivertest.String, Secret: true},
			{Name: "password", Kind: drivertest.String, Secret: true},
		},
		Verify: func(t *testing.T, outputs map[string]any) {
			if outputs["password"] != "s3cret-static" {
				t.Error("password output is not the password input")
			}
		},
	})
}

func TestProvision(t *testing.T) {
	tests := []struct {
		name    string
		inputs  map[string]any
		want    map[string]any
		wantErr string
	}{
		{"empty", nil, map[string]any{}, ""},
		{"merged", map[string]any{"outputs": map[string]any{"a": "1"}, "secrets": map[string]any{"b": true}},
			map[string]any{"a": "1", "b": true}, ""},
		{"conflict", map[string]any{"outputs": map[string]any{"a": "1"}, "secrets": map[string]any{"a": "2"}},
			nil, `/inputs/secrets/a: "a" is also in outputs`},
		{"not an object", map[string]any{"outputs": "x"}, nil, "/inputs/outputs: must be an object, not string"},
		{"unknown", map[string]any{"output": map[string]any{}}, nil, "/inputs/output: unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := New().Provision(context.Background(), &driver.Request{Inputs: tt.inputs})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errs.Is(err, errs.Invalid) {
					t.Fatalf("got error %v, want an invalid error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(res.Outputs, tt.want) {
				t.Errorf("outputs = %v, want %v", res.Outputs, tt.want)
			}
		})
	}
}
