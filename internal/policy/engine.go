package policy

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/pavedev/pave/internal/errs"
)

// query collects the three sets of every policy as [policy, message] pairs.
// Only the deny, warn and approval rules (and the helpers they use) are
// evaluated.
const query = `deny := {[p, m] | m := data.pave[p].deny[_]}
warn := {[p, m] | m := data.pave[p].warn[_]}
approval := {[p, m] | m := data.pave[p].approval[_]}`

// Engine is a compiled set of policies, ready to evaluate. It is safe for
// concurrent use.
type Engine struct {
	query    rego.PreparedEvalQuery
	policies []string
	timeout  time.Duration
}

// Compile parses and compiles the policy files (file name to Rego source),
// leaving out *_test.rego files, and prepares their evaluation once. Errors
// are an errs.List of Invalid errors naming file and line.
func Compile(files map[string][]byte, opts ...Option) (_ *Engine, err error) {
	o := options{timeout: DefaultTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	defer recoverInto(&err)
	policyFiles := maps.Clone(files)
	maps.DeleteFunc(policyFiles, func(name string, _ []byte) bool { return isTestFile(name) })
	modules, err := parse(policyFiles)
	if err != nil {
		return nil, err
	}
	c := newCompiler(false)
	if err := compile(c, modules); err != nil {
		return nil, err
	}
	pq, err := rego.New(rego.Compiler(c), rego.Query(query)).PrepareForEval(context.Background())
	if err != nil {
		return nil, fromAST(err)
	}
	names := map[string]bool{}
	for _, m := range modules {
		name, _ := policyName(m)
		names[name] = true
	}
	return &Engine{query: pq, policies: slices.Sorted(maps.Keys(names)), timeout: o.timeout}, nil
}

// Policies returns the names of the compiled policies, sorted.
func (e *Engine) Policies() []string { return slices.Clone(e.policies) }

// Eval evaluates every policy against in. It fails only when the policies
// cannot be evaluated (a run-time error in a policy, the time limit, a
// cancelled ctx); a denial is a Result, not an error.
func (e *Engine) Eval(ctx context.Context, in Input) (*Result, error) {
	value, err := in.value()
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "policy input: a param or input holds a value that is not plain data")
	}
	evalCtx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	rs, err := e.query.Eval(evalCtx, rego.EvalParsedInput(value))
	if err != nil {
		return nil, fromEval(err, ctx, evalCtx, e.timeout)
	}
	if len(rs) != 1 {
		return nil, errs.New(errs.Internal, "policy evaluation: %d results, want 1", len(rs))
	}
	b := rs[0].Bindings
	return &Result{
		Deny:     findings(b[ruleDeny]),
		Warn:     findings(b[ruleWarn]),
		Approval: findings(b[ruleApproval]),
	}, nil
}

// Result is what the policies say about one input. Each list is sorted by
// policy and message, and never nil.
type Result struct {
	// Deny blocks the action.
	Deny []Finding `json:"deny"`
	// Warn informs and never blocks.
	Warn []Finding `json:"warn"`
	// Approval requires a second person to approve the plan.
	Approval []Finding `json:"approval"`
}

// Allowed reports whether no policy denies the action.
func (r *Result) Allowed() bool { return len(r.Deny) == 0 }

// NeedsApproval reports whether some policy requires an approval.
func (r *Result) NeedsApproval() bool { return len(r.Approval) > 0 }

// Finding is one message of one policy.
type Finding struct {
	// Policy is the policy's name: <name> of "package pave.<name>".
	Policy  string `json:"policy"`
	Message string `json:"message"`
}

// findings converts a set of [policy, message] pairs, sorted.
func findings(v any) []Finding {
	pairs, _ := v.([]any)
	out := make([]Finding, 0, len(pairs))
	for _, p := range pairs {
		pair, ok := p.([]any)
		if !ok || len(pair) != 2 {
			continue
		}
		policy, _ := pair[0].(string)
		out = append(out, Finding{Policy: policy, Message: message(pair[1])})
	}
	slices.SortFunc(out, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Policy, b.Policy), cmp.Compare(a.Message, b.Message))
	})
	return slices.Compact(out)
}

// message is a message value as text: a string as is, anything else as
// JSON.
func message(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// recoverInto turns a panic inside OPA on hostile input into an Internal
// error rather than a crash.
func recoverInto(err *error) {
	if r := recover(); r != nil {
		*err = errs.Wrap(errs.Internal, fmt.Errorf("panic: %v", r), "policy: internal error while compiling policies")
	}
}
