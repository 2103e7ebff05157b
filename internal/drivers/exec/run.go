package exec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	osexec "os/exec"
	"strings"
	"time"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/drivers/credential"
	"github.com/pavedev/pave/internal/errs"
)

// waitDelay is how long a killed command's output pipes may stay open.
const waitDelay = 5 * time.Second

// run runs the command once and returns its stdout.
func run(ctx context.Context, in *inputs, action string, req *driver.Request) ([]byte, error) {
	payload, err := encodeMessage(action, req)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, in.timeout)
	defer cancel()
	name := in.command[0]
	cmd := osexec.CommandContext(ctx, name, in.command[1:]...)
	cmd.Dir = in.dir
	cmd.Env = environ(in)
	cmd.Stdin = bytes.NewReader(payload)
	stdout := &capped{max: MaxStdout}
	stderr := &tail{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = waitDelay
	ownGroup(cmd)

	err = cmd.Run()
	killGroup(cmd)
	red := redactor(req)
	switch {
	case err == nil:
	case ctx.Err() != nil:
		why := "cancelled"
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			why = fmt.Sprintf("stopped after its timeout of %s or the caller's deadline", in.timeout)
		}
		return nil, errs.Wrap(errs.Transient, credential.RedactError(err, red...), "command %q %s, killed%s: %v",
			name, why, stderr.summary(red), ctx.Err())
	default:
		var exit *osexec.ExitError
		if errors.As(err, &exit) {
			return nil, errs.Wrap(errs.Internal, err, "command %q %s%s", name, exitStatus(exit), stderr.summary(red))
		}
		if errors.Is(err, osexec.ErrWaitDelay) {
			return nil, errs.Wrap(errs.Internal, err, "command %q exited but left a process holding its output", name)
		}
		return nil, errs.Wrap(errs.Invalid, credential.RedactError(err, red...), "command %q cannot start: %s",
			name, credential.Redact(err.Error(), red...))
	}
	if stdout.over {
		return nil, errs.New(errs.Internal, "command %q printed more than %d bytes", name, MaxStdout)
	}
	return stdout.Bytes(), nil
}

func exitStatus(exit *osexec.ExitError) string {
	if code := exit.ExitCode(); code >= 0 {
		return fmt.Sprintf("exited with status %d", code)
	}
	return "was killed: " + exit.String()
}

// redactor lists the values errors must not show: every string in the
// request's inputs (but the command, its directory and timeout), outputs
// and state.
func redactor(req *driver.Request) []string {
	var out []string
	add := func(v any) {
		walk(v, func(s string) {
			if len(s) >= 4 {
				out = append(out, s)
			}
		})
	}
	for k, v := range req.Inputs {
		if k != "command" && k != "dir" && k != "timeout" {
			add(v)
		}
	}
	add(anyMap(req.Outputs))
	if len(req.State) > 0 {
		var st any
		if json.Unmarshal(req.State, &st) == nil {
			add(st)
		}
	}
	return out
}

func anyMap(m map[string]any) any { return m }

func walk(v any, f func(string)) {
	switch v := v.(type) {
	case string:
		f(v)
	case map[string]any:
		for _, x := range v {
			walk(x, f)
		}
	case map[string]string:
		for _, x := range v {
			f(x)
		}
	case []any:
		for _, x := range v {
			walk(x, f)
		}
	case []string:
		for _, x := range v {
			f(x)
		}
	}
}

// capped keeps up to max bytes and notes the overflow, but keeps accepting
// writes so that the command does not block on a full pipe.
// It embeds no bytes.Buffer: io.Copy would use the buffer's ReadFrom and
// bypass the cap.
type capped struct {
	buf  bytes.Buffer
	max  int
	over bool
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); len(p) > room {
		c.over = true
		if room > 0 {
			c.buf.Write(p[:room])
		}
		return len(p), nil
	}
	return c.buf.Write(p)
}

func (c *capped) Bytes() []byte { return c.buf.Bytes() }

// tail keeps the last max bytes written.
type tail struct {
	buf []byte
	max int
}

func (t *tail) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

// summary renders the last StderrLines lines of stderr, redacted, for an
// error message, or "" when stderr was empty.
func (t *tail) summary(secrets []string) string {
	text := strings.TrimRight(strings.ToValidUTF8(string(t.buf), "?"), "\n")
	if strings.TrimSpace(text) == "" {
		return ""
	}
	text = credential.Redact(text, secrets...)
	lines := strings.Split(text, "\n")
	if len(lines) > StderrLines {
		lines = lines[len(lines)-StderrLines:]
	}
	for i, l := range lines {
		if len(l) > 500 {
			lines[i] = l[:500] + "…"
		}
	}
	return "; stderr:\n  " + strings.Join(lines, "\n  ")
}
