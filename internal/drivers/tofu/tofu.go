// Package tofu is the OpenTofu/Terraform driver: it provisions a resource by
// applying an infrastructure-as-code module with the tofu (or terraform)
// binary, and returns the module's outputs as the resource's outputs.
//
// Each resource instance has its own state, kept inside the driver state
// that pave stores sealed: every run materialises a private temporary
// working directory with the module, the state and the variables, runs the
// tool, reads the state back and removes the directory. Nothing of a run is
// left on disk and no backend needs configuring.
//
// Inputs:
//
//	module:    a local module directory, or a source the tool fetches
//	           ("git::https://…//path?ref=v1")
//	variables: the root module's input variables (any JSON values)
//	outputs:   resource output name → tool output name; default: every tool
//	           output under its own name
//	timeout:   bound of one run, such as "20m" (default 30m)
//
// Modules must not configure a backend of their own: the driver owns state.
package tofu

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/errs"
)

// EnvBinary names the environment variable that points at the tool's
// binary, when Config.Binary is empty.
const EnvBinary = "PAVE_TOFU_BINARY"

// The defaults of Config.
const (
	DefaultLogLimit = 16 << 10
	DefaultGrace    = 20 * time.Second
)

// Config configures the driver. The zero value works.
type Config struct {
	// Binary is the tool's executable. Empty: $PAVE_TOFU_BINARY, then tofu,
	// then terraform on PATH, looked up on every run.
	Binary string
	// ModuleDir resolves relative local module paths of requests that name
	// no platform config directory (driver.Request.ConfigDir, which wins);
	// empty: the current directory.
	ModuleDir string
	// TempDir is where private working directories are made; empty:
	// os.TempDir().
	TempDir string
	// LogLimit is how many bytes of the tool's output, the last ones, are
	// kept and attached (redacted) to errors. 0 is DefaultLogLimit.
	LogLimit int
	// Grace is how long the tool has to stop after SIGINT when a run is
	// cancelled, before it and its plugins are killed. 0 is DefaultGrace.
	Grace time.Duration
	// Env is added to the tool's environment, after the process's own
	// (TF_CLI_CONFIG_FILE, TF_PLUGIN_CACHE_DIR … are honoured from there).
	Env []string
}

// Driver is the tofu driver. It is safe for concurrent use: every run has
// its own working directory.
type Driver struct {
	cfg Config
}

// The interfaces the driver implements.
var (
	_ driver.Driver            = (*Driver)(nil)
	_ driver.Describer         = (*Driver)(nil)
	_ driver.InputValidator    = (*Driver)(nil)
	_ driver.DirInputValidator = (*Driver)(nil)
	_ driver.Planner           = (*Driver)(nil)
	_ driver.Checker           = (*Driver)(nil)
)

// New returns a driver configured by cfg.
func New(cfg Config) *Driver {
	if cfg.LogLimit <= 0 {
		cfg.LogLimit = DefaultLogLimit
	}
	if cfg.Grace <= 0 {
		cfg.Grace = DefaultGrace
	}
	return &Driver{cfg: cfg}
}

// Describe documents the driver.
func (d *Driver) Describe() driver.Info {
	return driver.Info{
		Name:        "tofu",
		Description: "applies an OpenTofu/Terraform module per resource, keeping its state sealed in pave; the module's outputs are the resource's outputs",
		Inputs: []driver.Input{
			{Name: "module", Type: "string", Required: true, Description: "local module directory, or a source the tool fetches such as git::https://host/repo.git//dir?ref=v1"},
			{Name: "variables", Type: "object", Description: "the module's input variables; string values of 6 characters or more are redacted from logs"},
			{Name: "outputs", Type: "object", Description: "resource output name to module output name; default: every module output under its own name"},
			{Name: "timeout", Type: "string", Description: "bound of one run, such as 20m (default 30m)"},
		},
	}
}

// ValidateInputs checks the inputs of a definition when the platform
// config loads.
func (d *Driver) ValidateInputs(inputs map[string]any) error {
	_, err := parseInputs(inputs, d.moduleBase(""), true)
	return err
}

// ValidateInputsIn checks the inputs of a definition of the platform config
// read from dir: a local module must then be a directory, unless its path
// holds a placeholder.
func (d *Driver) ValidateInputsIn(dir string, inputs map[string]any) error {
	in, err := parseInputs(inputs, d.moduleBase(dir), true)
	if err != nil || dir == "" || in.Remote || strings.Contains(in.Module, "${") {
		return err
	}
	if info, err := os.Stat(in.Module); err != nil || !info.IsDir() {
		return errs.List{{Code: errs.Invalid, Path: "/module",
			Message: fmt.Sprintf("tofu module %q is not a directory (relative paths are relative to the platform config directory)", inputs["module"])}}
	}
	return nil
}

// moduleBase is the directory relative local module paths resolve against:
// the platform config's, else Config.ModuleDir, else the current one.
func (d *Driver) moduleBase(configDir string) string {
	if configDir != "" {
		return configDir
	}
	return d.cfg.ModuleDir
}

// errNoBinary is the message when no tool is installed.
const errNoBinary = "no tofu or terraform binary found: set " + EnvBinary + " or install OpenTofu"

// binary resolves the tool's executable.
func (d *Driver) binary() (string, error) {
	bin := d.cfg.Binary
	if bin == "" {
		bin = os.Getenv(EnvBinary)
	}
	if bin != "" {
		path, err := exec.LookPath(bin)
		if err != nil {
			return "", errs.Wrap(errs.Invalid, err, "tofu binary %q is not an executable file", bin)
		}
		return path, nil
	}
	for _, name := range []string{"tofu", "terraform"} {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", errs.New(errs.Invalid, errNoBinary)
}

// Check reports whether the tool is installed and runs.
func (d *Driver) Check(ctx context.Context) error {
	bin, err := d.binary()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	log := newTail(4 << 10)
	r := &runner{bin: bin, env: toolEnv(os.Environ(), d.cfg.Env), grace: 5 * time.Second, log: log}
	if err := r.run(ctx, nil, "version"); err != nil {
		return toolError("version", err, log.String())
	}
	return nil
}

// toolError turns a failed command into a user-safe error carrying the
// (already redacted) log.
func toolError(command string, err error, log string) error {
	code := errs.Internal
	what := err.Error()
	var exit *exec.ExitError
	switch {
	case errors.Is(err, errInterrupted):
		code = errs.Transient
		what = "stopped: " + strings.TrimPrefix(err.Error(), errInterrupted.Error()+": ")
	case errors.As(err, &exit):
		what = exit.String()
	}
	msg := "tofu " + command + ": " + what
	if log = strings.TrimSpace(log); log != "" {
		msg += "\n" + log
	}
	return &errs.Error{Code: code, Message: msg, Cause: err}
}
