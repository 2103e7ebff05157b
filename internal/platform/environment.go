package platform

import (
	"slices"
	"time"

	"github.com/pavedev/pave/internal/yamldoc"
)

// EnvironmentType is a class of environments (development, staging,
// production) that definitions and policies match on.
type EnvironmentType struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Approval says whether a developer's changes to environments of this
	// type wait for a second person's approval: ApprovalRequired (the
	// default, so that a new type is guarded until a platform engineer
	// opens it) or ApprovalNone.
	Approval string `json:"approval"`
	Source   Source `json:"source"`
}

// The values of an environment type's approval.
const (
	ApprovalRequired = "required"
	ApprovalNone     = "none"
)

var approvalValues = []string{ApprovalRequired, ApprovalNone}

// DeveloperDirect reports whether developers change environments of this
// type without an approval.
func (t *EnvironmentType) DeveloperDirect() bool { return t.Approval == ApprovalNone }

// The target kinds an environment may deploy to.
const (
	TargetProcess    = "process"
	TargetKubernetes = "kubernetes"
	TargetGitOps     = "gitops"
	TargetCompose    = "compose"
)

var targetKinds = []string{TargetProcess, TargetKubernetes, TargetGitOps, TargetCompose}

// Target says where an environment's workloads run.
type Target struct {
	Kind string `json:"kind"`
	// Config is the target's configuration as written. Its strings may hold
	// ${secrets.<name>} and ${context.env|envType} placeholders, unresolved.
	Config map[string]any `json:"config,omitempty"`
}

// Environment is a deployment target of apps, of exactly one environment
// type. Its JSON form gives the TTL in nanoseconds.
type Environment struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type"`
	Target      Target `json:"target"`
	// TTL is how long an ephemeral environment lives; zero for a permanent one.
	TTL time.Duration `json:"ttl,omitempty"`
	// App restricts the environment to one app; empty allows every app.
	App string `json:"app,omitempty"`
	// Secrets are the platform secrets the target config references, sorted.
	Secrets []string `json:"secrets,omitempty"`
	Source  Source   `json:"source"`

	doc *yamldoc.Doc
}

// Ephemeral reports whether the environment has a time to live.
func (e *Environment) Ephemeral() bool { return e.TTL > 0 }

// Allows reports whether app may deploy to the environment.
func (e *Environment) Allows(app string) bool { return e.App == "" || e.App == app }

// MatchContext returns the context in which a resource of app with id resID
// is resolved in this environment.
func (e *Environment) MatchContext(app, resID string) MatchContext {
	return MatchContext{App: app, Env: e.Name, EnvType: e.Type, ResID: resID}
}

func decodeEnvironmentType(r *yamldoc.Reader, name string, spec map[string]any, src Source) *EnvironmentType {
	t := &EnvironmentType{Name: name, Approval: ApprovalRequired, Source: src}
	if spec != nil {
		r.Known("/spec", spec, "description", "approval")
		t.Description, _ = r.String("/spec", spec, "description", false)
		if a, ok := r.String("/spec", spec, "approval", false); ok {
			if slices.Contains(approvalValues, a) {
				t.Approval = a
			} else {
				r.Fail("/spec/approval", "must be %s, not %q", orList(approvalValues), a)
			}
		}
	}
	return t
}

func decodeEnvironment(r *yamldoc.Reader, name string, spec map[string]any, src Source) *Environment {
	e := &Environment{Name: name, Source: src, doc: r.Doc}
	r.Known("/spec", spec, "description", "type", "target", "ttl", "app")
	e.Description, _ = r.String("/spec", spec, "description", false)
	if t, ok := r.String("/spec", spec, "type", true); ok {
		if nameRE.MatchString(t) {
			e.Type = t
		} else {
			r.Fail("/spec/type", "%s", nameRule)
		}
	}
	if a, ok := r.String("/spec", spec, "app", false); ok {
		if nameRE.MatchString(a) {
			e.App = a
		} else {
			r.Fail("/spec/app", "%s", nameRule)
		}
	}
	if s, ok := r.String("/spec", spec, "ttl", false); ok {
		if d, err := time.ParseDuration(s); err != nil || d <= 0 {
			r.Fail("/spec/ttl", "must be a positive duration like 72h, not %q", s)
		} else {
			e.TTL = d
		}
	}
	if !r.Required("/spec", spec, "target") {
		return e
	}
	tm, ok := r.Map("/spec/target", spec["target"])
	if !ok {
		return e
	}
	r.Known("/spec/target", tm, "kind", "config")
	if k, ok := r.String("/spec/target", tm, "kind", true); ok {
		if slices.Contains(targetKinds, k) {
			e.Target.Kind = k
		} else {
			r.Fail("/spec/target/kind", "unknown target kind %q (expected %s)", k, orList(targetKinds))
		}
	}
	if raw, ok := tm["config"]; ok {
		if cfg, ok := r.Map("/spec/target/config", raw); ok {
			e.Target.Config = cfg
		}
	}
	var secrets []string
	walkStrings(e.Target.Config, "/spec/target/config", func(ptr, s string) {
		for _, ph := range scanAndParse(r, ptr, s, "context", "secrets") {
			if ph.root == "context" && (ph.key == "app" || ph.key == "resId") {
				r.Fail(ptr, "placeholder ${context.%s}: an environment's target knows only context.env and context.envType", ph.key)
			}
			if ph.root == "secrets" {
				secrets = append(secrets, ph.key)
			}
		}
	})
	slices.Sort(secrets)
	e.Secrets = slices.Compact(secrets)
	return e
}
