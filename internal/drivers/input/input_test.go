package input

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/errs"
)

var info = driver.Info{Inputs: []driver.Input{
	{Name: "name", Required: true}, {Name: "port"}, {Name: "timeout"}, {Name: "env"}, {Name: "args"}, {Name: "on"},
}}

func TestReader(t *testing.T) {
	r := New(map[string]any{
		"name": "x", "port": json.Number("5432"), "timeout": int64(90),
		"env":  map[string]any{"A": "1", "B": int64(2), "C": true, "D": 1.5},
		"args": []any{"a", "b"}, "on": true,
	}, info, false)
	if got := r.String("name", ""); got != "x" {
		t.Errorf("name %q", got)
	}
	if got := r.Int("port", 0, 1, 65535); got != 5432 {
		t.Errorf("port %d", got)
	}
	if got := r.Duration("timeout", 0, time.Second, time.Hour); got != 90*time.Second {
		t.Errorf("timeout %s", got)
	}
	if got := r.StringMap("env"); !reflect.DeepEqual(got, map[string]string{"A": "1", "B": "2", "C": "true", "D": "1.5"}) {
		t.Errorf("env %v", got)
	}
	if got := r.StringList("args"); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("args %v", got)
	}
	if !r.Bool("on", false) || r.Err() != nil {
		t.Errorf("on, or errors: %v", r.Err())
	}
}

func TestReaderErrors(t *testing.T) {
	tests := []struct {
		in         map[string]any
		validating bool
		read       func(r *Reader)
		want       string
	}{
		{map[string]any{}, false, func(*Reader) {}, "/inputs/name: required"},
		{map[string]any{"name": "x", "nope": 1}, false, func(*Reader) {}, "/inputs/nope: unknown field"},
		{map[string]any{"name": 1}, false, func(r *Reader) { r.String("name", "") }, "/inputs/name: must be a string, not number"},
		{map[string]any{"name": "x", "port": 1.5}, false, func(r *Reader) { r.Int("port", 0, 0, 9) }, "/inputs/port: must be a whole number"},
		{map[string]any{"name": "x", "port": "${x}"}, false, func(r *Reader) { r.Int("port", 0, 0, 9) }, "/inputs/port: must be a whole number"},
		{map[string]any{"name": "x", "port": int64(10)}, false, func(r *Reader) { r.Int("port", 0, 0, 9) }, "/inputs/port: must be between 0 and 9, not 10"},
		{map[string]any{"name": "x", "timeout": "1y"}, false, func(r *Reader) { r.Duration("timeout", 0, 0, time.Hour) }, "/inputs/timeout: must be a duration"},
		{map[string]any{"name": "x", "timeout": "2h"}, false, func(r *Reader) { r.Duration("timeout", 0, 0, time.Hour) }, "/inputs/timeout: must be between"},
		{map[string]any{"name": "x", "args": []any{"a", 2}}, false, func(r *Reader) { r.StringList("args") }, "/inputs/args/1: must be a string"},
		{map[string]any{"name": "x", "env": map[string]any{"a/b": []any{}}}, false, func(r *Reader) { r.StringMap("env") }, "/inputs/env/a~1b: must be a string, not array"},
		{map[string]any{"name": "x", "on": "yes"}, false, func(r *Reader) { r.Bool("on", false) }, "/inputs/on: must be a boolean"},
	}
	for _, tt := range tests {
		r := New(tt.in, info, tt.validating)
		tt.read(r)
		err := r.Err()
		if err == nil || !strings.Contains(err.Error(), tt.want) || !errs.Is(err, errs.Invalid) {
			t.Errorf("%v: got %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestPlaceholdersWhileValidating(t *testing.T) {
	r := New(map[string]any{"name": "${secrets.n}", "port": "${resources.db.port}", "timeout": "${x}", "on": "${y}"}, info, true)
	r.Int("port", 0, 1, 9)
	r.Duration("timeout", 0, 0, time.Hour)
	r.Bool("on", false)
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if !Placeholder("a${b}") || Placeholder("$b") {
		t.Error("Placeholder")
	}
}
