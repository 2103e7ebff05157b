package policy

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/pavedev/pave/internal/errs"
)

// fromAST turns OPA parse and compile errors into one errs.List of Invalid
// errors located at file and line, sorted.
func fromAST(err error) error {
	var list errs.List
	var many ast.Errors
	var one *ast.Error
	switch {
	case errors.As(err, &many):
		for _, e := range many {
			list = append(list, located(e.Code, withHint(e), e.Location))
		}
	case errors.As(err, &one):
		list = append(list, located(one.Code, withHint(one), one.Location))
	default:
		list = append(list, &errs.Error{Code: errs.Invalid, Message: "policy: " + err.Error()})
	}
	list.Sort()
	return list
}

// fromEval turns an evaluation error into an errs error. A policy that
// fails at run time (conflicting values, a built-in error in strict code) is
// Invalid and located; an evaluation stopped by the caller's context is
// Transient; one stopped by the engine's time limit is Invalid, since the
// policies themselves are too slow.
func fromEval(err error, caller, eval context.Context, limit time.Duration) error {
	if topdown.IsCancel(err) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		if caller.Err() != nil {
			return errs.Wrap(errs.Transient, err, "policy evaluation: %v", caller.Err())
		}
		if eval.Err() != nil {
			return errs.Wrap(errs.Invalid, err, "policy evaluation: exceeded its time limit of %s", limit)
		}
	}
	var te *topdown.Error
	if errors.As(err, &te) {
		return located(te.Code, te.Message, te.Location)
	}
	var many ast.Errors
	if errors.As(err, &many) {
		return fromAST(err)
	}
	return errs.Wrap(errs.Internal, err, "policy evaluation failed")
}

// withHint adds to an "undefined ref" error the fields that the input
// schema allows where the reference went wrong.
func withHint(e *ast.Error) string {
	d, ok := e.Details.(*ast.RefErrInvalidDetail)
	if !ok || len(d.OneOf) == 0 {
		return e.Message
	}
	want := make([]string, len(d.OneOf))
	for i, v := range d.OneOf {
		want[i] = v.String()
	}
	return e.Message + " (want one of " + strings.Join(want, ", ") + ")"
}

// located is an Invalid error at loc, its message prefixed by a readable
// form of OPA's error code ("rego_type_error" becomes "type error").
func located(code, message string, loc *ast.Location) *errs.Error {
	e := &errs.Error{Code: errs.Invalid, Message: message}
	if kind := strings.ReplaceAll(strings.TrimPrefix(code, "rego_"), "_", " "); kind != "" {
		e.Message = kind + ": " + message
	}
	if loc != nil {
		e.File = loc.File
		e.Line = loc.Row
	}
	return e
}
