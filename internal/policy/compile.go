package policy

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/pavedev/pave/internal/errs"
)

// The three rule names a policy module may define, in the order findings are
// reported.
const (
	ruleDeny     = "deny"
	ruleWarn     = "warn"
	ruleApproval = "approval"
)

var findingRules = []string{ruleDeny, ruleWarn, ruleApproval}

// DefaultTimeout bounds one evaluation when no WithTimeout option is given.
const DefaultTimeout = 5 * time.Second

// Option tunes Compile.
type Option func(*options)

type options struct {
	timeout time.Duration
}

// WithTimeout bounds every evaluation of the engine to d (DefaultTimeout by
// default); a caller's context deadline, if sooner, still applies.
func WithTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.timeout = d
		}
	}
}

// isTestFile reports whether name holds Rego unit tests, which Compile
// leaves out and Test runs.
func isTestFile(name string) bool { return strings.HasSuffix(name, "_test.rego") }

// capabilities are OPA's built-ins less every network and non-deterministic
// one, so that a policy is a pure function of its input.
func capabilities() *ast.Capabilities {
	c := ast.CapabilitiesForThisVersion()
	c.Builtins = slices.DeleteFunc(c.Builtins, func(b *ast.Builtin) bool { return forbidden[b.Name] })
	c.AllowNet = []string{}
	return c
}

// forbidden names the built-ins policies may not call.
var forbidden = func() map[string]bool {
	m := map[string]bool{}
	for _, b := range ast.CapabilitiesForThisVersion().Builtins {
		if b.IsNondeterministic() {
			m[b.Name] = true
		}
	}
	// Belt and braces: these must stay out whatever OPA marks them.
	for _, name := range []string{"http.send", "net.lookup_ip_addr", "opa.runtime", "time.now_ns"} {
		m[name] = true
	}
	return m
}()

// parse parses every file as a Rego v1 module and checks pave's conventions.
// Modules are keyed by file name.
func parse(files map[string][]byte) (map[string]*ast.Module, error) {
	modules := make(map[string]*ast.Module, len(files))
	var list errs.List
	for _, name := range slices.Sorted(maps.Keys(files)) {
		m, err := ast.ParseModuleWithOpts(name, string(files[name]), ast.ParserOptions{
			RegoVersion:       ast.RegoV1,
			ProcessAnnotation: true,
		})
		if err != nil {
			list.Add(fromAST(err))
			continue
		}
		if m == nil {
			list = append(list, &errs.Error{Code: errs.Invalid, File: name, Message: "policy file is empty: it must declare \"package pave.<name>\""})
			continue
		}
		list = append(list, check(name, m)...)
		modules[name] = m
	}
	if len(list) > 0 {
		list.Sort()
		return nil, list
	}
	return modules, nil
}

// check enforces the package convention, the shape of deny, warn and
// approval, and the ban on forbidden built-ins.
func check(file string, m *ast.Module) errs.List {
	var list errs.List
	at := func(loc *ast.Location, format string, args ...any) {
		e := &errs.Error{Code: errs.Invalid, File: file, Message: fmt.Sprintf(format, args...)}
		if loc != nil {
			e.Line = loc.Row
		}
		list = append(list, e)
	}
	if _, ok := policyName(m); !ok {
		at(m.Package.Location, "policy module must be in \"package pave.<name>\", found \"package %s\"",
			strings.TrimPrefix(m.Package.Path.String(), "data."))
	}
	for _, r := range m.Rules {
		ref := r.Head.Ref()
		if len(ref) == 0 {
			continue
		}
		name, ok := ref[0].Value.(ast.Var)
		if !ok || !slices.Contains(findingRules, string(name)) {
			continue
		}
		if len(ref) != 1 || r.Head.RuleKind() != ast.MultiValue || len(r.Head.Args) > 0 || r.Default {
			at(r.Location, "rule %q must be a set of messages: write \"%s contains msg if { ... }\"", name, name)
		}
	}
	report := func(op ast.Ref, loc *ast.Location) {
		if s := op.String(); forbidden[s] {
			at(loc, "built-in %s is not allowed in pave policies: network and non-deterministic built-ins are disabled", s)
		}
	}
	ast.WalkExprs(m, func(e *ast.Expr) bool {
		if e.IsCall() {
			report(e.Operator(), e.Location)
		}
		return false
	})
	ast.WalkTerms(m, func(t *ast.Term) bool {
		if c, ok := t.Value.(ast.Call); ok && len(c) > 0 {
			if op, ok := c[0].Value.(ast.Ref); ok {
				report(op, t.Location)
			}
		}
		return false
	})
	return list
}

// policyName returns <name> of a module in "package pave.<name>".
func policyName(m *ast.Module) (string, bool) {
	p := m.Package.Path
	if len(p) != 3 || !p[0].Equal(ast.DefaultRootDocument) || !p[1].Equal(ast.StringTerm("pave")) {
		return "", false
	}
	s, ok := p[2].Value.(ast.String)
	if !ok || !ast.IsVarCompatibleString(string(s)) {
		return "", false
	}
	return string(s), true
}

// inputSchema is the JSON schema of Input. The compiler type-checks every
// reference to input against it, so that a misspelt field
// (input.enviroment.type) is a compile error rather than a rule that never
// fires.
//
//go:embed input.schema.json
var inputSchema []byte

var schemas = func() *ast.SchemaSet {
	var schema any
	if err := json.Unmarshal(inputSchema, &schema); err != nil {
		panic("policy: input.schema.json: " + err.Error())
	}
	ss := ast.NewSchemaSet()
	ss.Put(ast.SchemaRootRef, schema)
	return ss
}()

// newCompiler returns a compiler with pave's sandboxed capabilities and the
// input's schema.
func newCompiler(print bool) *ast.Compiler {
	return ast.NewCompiler().
		WithCapabilities(capabilities()).
		WithDefaultRegoVersion(ast.RegoV1).
		WithEnablePrintStatements(print).
		WithSchemas(schemas)
}

// compile compiles modules, reporting errors with their file and line.
func compile(c *ast.Compiler, modules map[string]*ast.Module) error {
	if c.Compile(modules); c.Failed() {
		return fromAST(c.Errors)
	}
	return nil
}
