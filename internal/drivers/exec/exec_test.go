package exec

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	osexec "os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/driver/drivertest"
	"github.com/pavedev/pave/internal/errs"
)

// provisioner is the test command, built once by TestMain.
var provisioner string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pavetest_exec")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	provisioner = filepath.Join(dir, "provisioner")
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	build := osexec.Command(goBin, "build", "-o", provisioner, "./testdata/provisioner")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build the test provisioner:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const token = "tok-3f9a61c2-secret"

func testInputs(stateDir string) map[string]any {
	return map[string]any{
		"command": []any{provisioner},
		"env":     map[string]any{"PROVISIONER_DIR": stateDir, "PROVISIONER_TOKEN": token},
		"timeout": "30s",
		"values":  map[string]any{"note": "private-value-77"},
	}
}

func recordPath(stateDir, uid string) string {
	sum := sha256.Sum256([]byte(uid))
	return filepath.Join(stateDir, hex.EncodeToString(sum[:8])+".json")
}

func TestConformance(t *testing.T) {
	stateDir := t.TempDir()
	drivertest.Run(t, New(), drivertest.Case{
		Request: func(uid string) *driver.Request {
			return &driver.Request{Type: "bucket", Class: "default", Params: map[string]any{"size": "small"}, Inputs: testInputs(stateDir)}
		},
		Update: func(req *driver.Request) { req.Params["size"] = "large" },
		VerifyUpdate: func(t *testing.T, _ *driver.Request, outputs map[string]any) {
			if outputs["size"] != "large" {
				t.Errorf("size = %v after the update", outputs["size"])
			}
		},
		Outputs: []drivertest.Output{
			{Name: "path", Kind: drivertest.String},
			{Name: "size", Kind: drivertest.String},
			{Name: "token", Kind: drivertest.String, Secret: true},
		},
		Verify: func(t *testing.T, outputs map[string]any) {
			data, err := os.ReadFile(outputs["path"].(string))
			if err != nil {
				t.Fatalf("the resource does not exist: %v", err)
			}
			var rec struct{ Token, Size string }
			if err := json.Unmarshal(data, &rec); err != nil {
				t.Fatal(err)
			}
			if rec.Token != outputs["token"] || rec.Size != outputs["size"] {
				t.Errorf("the resource holds %+v, the outputs %v", rec, outputs)
			}
		},
		VerifyGone: func(t *testing.T, req *driver.Request) {
			p := recordPath(stateDir, req.UID)
			for _, f := range []string{p, p + ".tmp"} {
				if _, err := os.Stat(f); !os.IsNotExist(err) {
					t.Errorf("%s is left (%v)", f, err)
				}
			}
		},
	})
}

func provision(t *testing.T, ctx context.Context, mode string, extra map[string]any) (*driver.Result, error) {
	t.Helper()
	in := testInputs(t.TempDir())
	for k, v := range extra {
		in[k] = v
	}
	return New().Provision(ctx, &driver.Request{
		UID: drivertest.UID(t, "x"), Params: map[string]any{"mode": mode}, Inputs: in,
		Outputs: map[string]any{"password": "old-output-secret"},
	})
}

func TestFailures(t *testing.T) {
	tests := []struct {
		mode  string
		extra map[string]any
		code  errs.Code
		want  []string
		not   []string
	}{
		{"fail", nil, errs.Internal, []string{"exited with status 3; stderr:", "line 29", "token [redacted] rejected for value map[note:[redacted]]"},
			[]string{"line 9\n", token, "private-value-77"}},
		{"garbage", nil, errs.Internal, []string{"printed an invalid result: not JSON (at byte 2)"}, []string{"this is not"}},
		{"unknownField", nil, errs.Internal, []string{`printed an invalid result: unknown field "extra"`}, nil},
		{"trailing", nil, errs.Internal, []string{"printed an invalid result: more than one JSON value"}, nil},
		{"huge", nil, errs.Internal, []string{"printed more than 1048576 bytes"}, nil},
		{"", map[string]any{"command": []any{"/nonexistent/pavetest"}}, errs.Invalid, []string{`command "/nonexistent/pavetest" cannot start`}, nil},
		{"", map[string]any{"command": []any{}}, errs.Invalid, []string{"/inputs/command: must name a program"}, nil},
		{"", map[string]any{"command": "sh -c x"}, errs.Invalid, []string{"/inputs/command: must be an array of strings"}, nil},
		{"", map[string]any{"timeout": "soon"}, errs.Invalid, []string{"/inputs/timeout: must be a duration"}, nil},
		{"", map[string]any{"env": map[string]any{"A=B": "x"}}, errs.Invalid, []string{"/inputs/env/A=B: is not a valid variable name"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.mode+strings.Join(keys(tt.extra), ","), func(t *testing.T) {
			_, err := provision(t, context.Background(), tt.mode, tt.extra)
			if err == nil {
				t.Fatal("provision succeeded")
			}
			if errs.CodeOf(err) != tt.code {
				t.Errorf("code %s, want %s: %v", errs.CodeOf(err), tt.code, err)
			}
			for _, e := range errs.Errors(err) {
				text := e.LogString()
				for _, w := range tt.want {
					if !strings.Contains(text, w) {
						t.Errorf("error lacks %q:\n%s", w, text)
					}
				}
				for _, n := range append(tt.not, "old-output-secret") {
					if strings.Contains(text, n) {
						t.Errorf("error shows %q:\n%s", n, text)
					}
				}
			}
		})
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestTimeout(t *testing.T) {
	_, err := provision(t, context.Background(), "sleep", map[string]any{"timeout": "1s"})
	if !errs.Is(err, errs.Transient) || !strings.Contains(err.Error(), "timeout of 1s") {
		t.Fatalf("got %v, want a transient timeout error", err)
	}
}

// TestCancelKillsProcessGroup checks that the command's children die with
// it when the context ends.
func TestCancelKillsProcessGroup(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	stateDir := t.TempDir()
	in := testInputs(stateDir)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := New().Provision(ctx, &driver.Request{UID: drivertest.UID(t, "x"), Params: map[string]any{"mode": "spawn"}, Inputs: in})
		done <- err
	}()
	pidFile := filepath.Join(stateDir, "child.pid")
	var pid int
	for range 500 {
		if data, err := os.ReadFile(pidFile); err == nil && len(data) > 0 {
			pid, _ = strconv.Atoi(string(data))
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if pid == 0 {
		cancel()
		t.Fatal("the command did not start its child")
	}
	cancel()
	if err := <-done; !errs.Is(err, errs.Transient) {
		t.Fatalf("got %v, want a transient error", err)
	}
	for range 500 {
		if !alive(pid) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("child %d outlived the cancelled command", pid)
}

// alive reports whether pid runs: neither gone nor a zombie.
func alive(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}
