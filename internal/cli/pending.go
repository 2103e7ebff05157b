package cli

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/policy"
	"github.com/pavedev/pave/internal/service"
)

// pendingError reports that a change waits for a second person's approval:
// the exit code is ExitPending. Its cause is an errs error, so that it
// passes for one of pave's own.
type pendingError struct{ err *errs.Error }

func (e *pendingError) Error() string { return e.err.Error() }
func (e *pendingError) Unwrap() error { return e.err }

// isPending reports whether err says a change waits for approval.
func isPending(err error) bool {
	var p *pendingError
	return errors.As(err, &p)
}

// finish prints the end of a change: the policy findings, the summary, or
// what the change waits for; it returns err, or a pending error.
func (p *progressPrinter) finish(res *service.DeployResult, err error) error {
	if res != nil {
		p.policy(res.Policy)
	}
	p.summary(res)
	if res == nil || res.Pending == nil {
		return err
	}
	pd := res.Pending
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.json {
		b, _ := json.Marshal(struct {
			Type string `json:"type"`
			*service.Pending
		}{"pending", pd})
		fmt.Fprintf(p.w, "%s\n", b)
	} else {
		fmt.Fprintf(p.w, "plan %s waits for approval:\n", pd.PlanID)
		for _, r := range pd.Reasons {
			fmt.Fprintf(p.w, "  - %s\n", r)
		}
		fmt.Fprintf(p.w, "Another person approves it with `pave approve %s`; then apply it with `pave deploy --plan %s`.\n", pd.PlanID, pd.PlanID)
	}
	return silent(&pendingError{err: errs.New(errs.Conflict, "plan %s waits for approval", pd.PlanID)})
}

// policy prints policy warnings (denials come back as the error).
func (p *progressPrinter) policy(res *policy.Result) {
	if res == nil || len(res.Warn) == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, f := range res.Warn {
		if p.json {
			b, _ := json.Marshal(struct {
				Type string `json:"type"`
				policy.Finding
			}{"warning", f})
			fmt.Fprintf(p.w, "%s\n", b)
			continue
		}
		fmt.Fprintf(p.w, "warning: policy %s: %s\n", f.Policy, f.Message)
	}
}
