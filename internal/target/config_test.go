package target

import (
	"strings"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/errs"
)

func TestConfigReader(t *testing.T) {
	inputs := []Input{{Name: "dir"}, {Name: "timeout"}}
	r := NewConfigReader("demo", inputs)
	var dir string
	var timeout time.Duration
	var read []string
	r.Read(Config{"timeout": "soon", "dir": "/x", "color": "red"}, func(k string, v any) error {
		read = append(read, k)
		var err error
		switch k {
		case "dir":
			dir, err = ConfigString(v)
		case "timeout":
			timeout, err = ConfigDuration(v, 0)
		}
		return err
	})
	r.Fail("dir", "must not be %s", "/x")
	if strings.Join(read, " ") != "dir timeout" || dir != "/x" || timeout != 0 {
		t.Errorf("read %v, dir %q, timeout %v", read, dir, timeout)
	}
	got := errs.Errors(r.Err())
	want := []string{
		"/color: demo target config: unknown key; known keys are dir, timeout",
		`/timeout: demo target config: "soon" is not a duration such as "90s"`,
		"/dir: demo target config: must not be /x",
	}
	if len(got) != len(want) {
		t.Fatalf("errors %v, want %d", got, len(want))
	}
	for i, e := range got {
		if e.Code != errs.Invalid || e.Error() != want[i] {
			t.Errorf("error %d = %s %q, want invalid %q", i, e.Code, e.Error(), want[i])
		}
	}
	if err := NewConfigReader("demo", inputs).Err(); err != nil {
		t.Errorf("no problems, but %v", err)
	}
}

func TestConfigValues(t *testing.T) {
	durations := []struct {
		v     any
		least time.Duration
		want  time.Duration
		err   string
	}{
		{"90s", 0, 90 * time.Second, ""},
		{int64(30), 0, 30 * time.Second, ""},
		{float64(30), 0, 30 * time.Second, ""},
		{30, time.Second, 30 * time.Second, ""},
		{"500ms", 0, 500 * time.Millisecond, ""},
		{"500ms", time.Second, 0, "must be at least 1s and at most 24h"},
		{"-1s", 0, 0, "must be more than 0 and at most 24h"},
		{int64(0), 0, 0, "must be more than 0"},
		{int64(-1), time.Second, 0, "must be at least 1s"},
		{"25h", 0, 0, "at most 24h"},
		{float64(1e12), 0, 0, "at most 24h"},
		{1.5, 0, 0, "whole number of seconds"},
		{true, 0, 0, `must be a duration such as "90s", not a boolean`},
	}
	for _, c := range durations {
		got, err := ConfigDuration(c.v, c.least)
		if c.err == "" && (err != nil || got != c.want) || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("ConfigDuration(%#v, %v) = %v, %v; want %v, %q", c.v, c.least, got, err, c.want, c.err)
		}
	}
	ints := []struct {
		v    any
		want int64
		err  string
	}{
		{7, 7, ""}, {int64(-7), -7, ""}, {float64(7), 7, ""},
		{7.5, 0, "must be an integer, not a number"}, {1e300, 0, "must be an integer"}, {"7", 0, "not a string"},
	}
	for _, c := range ints {
		got, err := ConfigInt(c.v)
		if c.err == "" && (err != nil || got != c.want) || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("ConfigInt(%#v) = %v, %v; want %v, %q", c.v, got, err, c.want, c.err)
		}
	}
	if _, err := ConfigString(map[string]any{}); err == nil || err.Error() != "must be a string, not a map" {
		t.Errorf("ConfigString(map) error = %v", err)
	}
	for v, want := range map[any]string{nil: "null", "": "a string", false: "a boolean", 1: "a number"} {
		if got := TypeName(v); got != want {
			t.Errorf("TypeName(%#v) = %q, want %q", v, got, want)
		}
	}
	if TypeName([]string{}) != "a list" || TypeName(map[string]string{}) != "a map" {
		t.Error("TypeName of a []string or a map[string]string")
	}
}
