// Package exec is the exec driver: it runs a command the platform team
// provides, handing it {"action":"provision"|"deprovision","request":...}
// (a driver.Request) on stdin, and reads a driver.Result as strict JSON from
// its stdout. The command carries the contract every driver does: it must
// be idempotent, keyed by the request's uid. The driver kills the command's
// whole process group when the context ends or its timeout passes, and
// keeps the values of the request's inputs, outputs and state out of the
// errors it reports.
package exec

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"time"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/drivers/input"
	"github.com/pavedev/pave/internal/errs"
)

// Limits of a run.
const (
	MaxStdout      = 1 << 20
	DefaultTimeout = 10 * time.Minute
	MaxTimeout     = 24 * time.Hour
	// StderrLines is how many of the last lines of stderr an error shows.
	StderrLines = 20
)

// inheritedEnv are the variables of pave's environment a command gets
// unless inheritEnv is set.
var inheritedEnv = []string{"PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TMPDIR", "TZ"}

// Driver is the exec driver.
type Driver struct{}

// New returns the exec driver.
func New() *Driver { return &Driver{} }

// Describe documents the driver and its inputs.
func (*Driver) Describe() driver.Info {
	return driver.Info{
		Name: "exec",
		Description: `Runs a command with {"action":"provision"|"deprovision","request":<request>} on stdin; ` +
			"on provision its stdout must be a JSON result ({\"outputs\":{...},\"state\":...,\"manifests\":[...]}) of at most 1 MiB. " +
			"A non-zero exit is an error showing the last lines of stderr.",
		Inputs: []driver.Input{
			{Name: "command", Type: "array", Required: true, Description: "The program and its arguments, not run through a shell."},
			{Name: "env", Type: "object", Secret: true, Description: "Environment variables for the command; they may hold tokens."},
			{Name: "inheritEnv", Type: "boolean", Description: "Pass pave's whole environment too (default: only PATH, HOME, USER, LOGNAME, LANG, LC_ALL, TMPDIR, TZ)."},
			{Name: "dir", Type: "string", Description: "Working directory of the command (default: pave's)."},
			{Name: "timeout", Type: "duration", Description: "Time limit of one run, such as \"5m\" (default 10m)."},
			{Name: "values", Type: "any", Description: "Free configuration for the command, which it finds in request.inputs.values."},
		},
	}
}

type inputs struct {
	command    []string
	env        map[string]string
	inheritEnv bool
	dir        string
	timeout    time.Duration
}

func (d *Driver) parse(in map[string]any, validating bool) (*inputs, error) {
	r := input.New(in, d.Describe(), validating)
	out := &inputs{
		command:    r.StringList("command"),
		env:        r.StringMap("env"),
		inheritEnv: r.Bool("inheritEnv", false),
		dir:        r.String("dir", ""),
		timeout:    r.Duration("timeout", DefaultTimeout, time.Second, MaxTimeout),
	}
	if list, ok := r.Raw("command").([]any); ok && len(list) == 0 {
		r.Fail("command", "must name a program")
	} else if len(out.command) > 0 && out.command[0] == "" {
		r.FailIn("command", 0, "must name a program")
	}
	for k := range out.env {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			r.FailIn("env", k, "is not a valid variable name")
		}
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidateInputs checks the inputs.
func (d *Driver) ValidateInputs(in map[string]any) error {
	_, err := d.parse(in, true)
	return err
}

// message is what the command reads on stdin.
type message struct {
	Action  string          `json:"action"`
	Request *driver.Request `json:"request"`
}

// Provision runs the command with action "provision" and returns the
// result it prints.
func (d *Driver) Provision(ctx context.Context, req *driver.Request) (*driver.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, errs.Wrap(errs.Transient, err, "%v", err)
	}
	in, err := d.parse(req.Inputs, false)
	if err != nil {
		return nil, err
	}
	out, err := run(ctx, in, "provision", req)
	if err != nil {
		return nil, err
	}
	res, err := driver.DecodeResult(out)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "command %q printed an invalid result: %v", in.command[0], err)
	}
	return res, nil
}

// Deprovision runs the command with action "deprovision"; what it prints
// is ignored.
func (d *Driver) Deprovision(ctx context.Context, req *driver.Request) error {
	if err := ctx.Err(); err != nil {
		return errs.Wrap(errs.Transient, err, "%v", err)
	}
	in, err := d.parse(req.Inputs, false)
	if err != nil {
		return err
	}
	_, err = run(ctx, in, "deprovision", req)
	return err
}

// environ is the command's environment.
func environ(in *inputs) []string {
	var env []string
	if in.inheritEnv {
		env = os.Environ()
	} else {
		for _, k := range inheritedEnv {
			if v, ok := os.LookupEnv(k); ok {
				env = append(env, k+"="+v)
			}
		}
	}
	for k, v := range in.env {
		env = append(env, k+"="+v)
	}
	return env
}

func encodeMessage(action string, req *driver.Request) ([]byte, error) {
	data, err := json.Marshal(message{Action: action, Request: req})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "encode the request for the command")
	}
	return data, nil
}
