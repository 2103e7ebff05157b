package policy

import "github.com/open-policy-agent/opa/v1/ast"

// The actions policies are evaluated for. Doors and the service layer may use
// others; policies see the string as given.
const (
	ActionPlan      = "plan"
	ActionDeploy    = "deploy"
	ActionDestroy   = "destroy"
	ActionPromote   = "promote"
	ActionRollback  = "rollback"
	ActionCreateEnv = "create-env"
	ActionDeleteEnv = "delete-env"
)

// The kinds of actor.
const (
	ActorHuman = "human"
	ActorCI    = "ci"
	ActorAgent = "agent"
	ActorLocal = "local"
)

// Input is the document policies see as input. The service layer fills it;
// it must never hold secret values.
type Input struct {
	// Action is what the actor asks for: one of the Action constants.
	Action      string      `json:"action"`
	Actor       Actor       `json:"actor"`
	App         string      `json:"app"`
	Environment Environment `json:"environment"`
	Plan        Plan        `json:"plan"`
}

// Actor is who asks: a person, CI, an AI agent, or the local user.
type Actor struct {
	ID string `json:"id"`
	// Kind is one of the Actor constants.
	Kind  string   `json:"kind"`
	Roles []string `json:"roles"`
	Teams []string `json:"teams"`
}

// Environment is the environment the action is about.
type Environment struct {
	Name string `json:"name"`
	// Type is the environment type: development, staging, production...
	Type      string `json:"type"`
	Ephemeral bool   `json:"ephemeral"`
	// TTL is the time to live of an ephemeral environment as a Go duration
	// string ("72h"), empty when none is set.
	TTL string `json:"ttl,omitempty"`
}

// Plan is the part of a plan policies judge.
type Plan struct {
	Hash      string     `json:"hash"`
	Resources []Resource `json:"resources"`
	Workloads []Workload `json:"workloads"`
}

// Resource is one node of the plan's resource graph.
type Resource struct {
	UID        string `json:"uid"`
	Type       string `json:"type"`
	Class      string `json:"class"`
	ID         string `json:"id,omitempty"`
	Definition string `json:"definition,omitempty"`
	Driver     string `json:"driver,omitempty"`
	// Params are the workload's resource params, resolved as far as a plan
	// can (${metadata.*}; ${resources.*} stays as written), without the
	// params the type's schema marks writeOnly.
	Params map[string]any `json:"params"`
	// Inputs are the definition's driver inputs without what the driver
	// and the resource type mark secret, ${context.*} resolved and
	// ${secrets.*} and ${resources.*} as written.
	Inputs map[string]any `json:"inputs"`
}

// Workload is one workload as it will be deployed.
type Workload struct {
	Name        string            `json:"name"`
	Containers  []Container       `json:"containers"`
	Ports       []Port            `json:"ports"`
	Annotations map[string]string `json:"annotations"`
}

// Container is one container of a workload.
type Container struct {
	Name string `json:"name"`
	// Image is the image reference; "." means built from source at deploy.
	Image    string    `json:"image"`
	Limits   Resources `json:"limits"`
	Requests Resources `json:"requests"`
}

// Resources are compute quantities in Kubernetes notation ("500m", "2",
// "128Mi"); an empty one is absent from the input.
type Resources struct {
	CPU    string `json:"cpu,omitempty"`
	Memory string `json:"memory,omitempty"`
}

// Port is one service port of a workload.
type Port struct {
	Name       string `json:"name"`
	Port       int    `json:"port"`
	TargetPort int    `json:"targetPort,omitempty"`
	Protocol   string `json:"protocol,omitempty"`
}

// value renders the input as the OPA value policies see: the shape of its
// JSON encoding, with nil lists and maps as empty ones rather than null and
// without empty optional fields, built without a JSON round trip.
func (in *Input) value() (ast.Value, error) {
	plan, err := in.Plan.value()
	if err != nil {
		return nil, err
	}
	env := []item{
		{"name", str(in.Environment.Name)},
		{"type", str(in.Environment.Type)},
		{"ephemeral", ast.InternedTerm(in.Environment.Ephemeral)},
	}
	env = optional(env, "ttl", in.Environment.TTL)
	return object(
		item{"action", str(in.Action)},
		item{"actor", ast.NewTerm(object(
			item{"id", str(in.Actor.ID)},
			item{"kind", str(in.Actor.Kind)},
			item{"roles", list(in.Actor.Roles)},
			item{"teams", list(in.Actor.Teams)},
		))},
		item{"app", str(in.App)},
		item{"environment", ast.NewTerm(object(env...))},
		item{"plan", ast.NewTerm(plan)},
	), nil
}

func (p *Plan) value() (ast.Value, error) {
	resources := make([]*ast.Term, len(p.Resources))
	for i := range p.Resources {
		v, err := p.Resources[i].value()
		if err != nil {
			return nil, err
		}
		resources[i] = ast.NewTerm(v)
	}
	workloads := make([]*ast.Term, len(p.Workloads))
	for i := range p.Workloads {
		workloads[i] = ast.NewTerm(p.Workloads[i].value())
	}
	return object(
		item{"hash", str(p.Hash)},
		item{"resources", ast.ArrayTerm(resources...)},
		item{"workloads", ast.ArrayTerm(workloads...)},
	), nil
}

func (r *Resource) value() (ast.Value, error) {
	params, err := plain(r.Params)
	if err != nil {
		return nil, err
	}
	inputs, err := plain(r.Inputs)
	if err != nil {
		return nil, err
	}
	items := []item{
		{"uid", str(r.UID)},
		{"type", str(r.Type)},
		{"class", str(r.Class)},
		{"params", params},
		{"inputs", inputs},
	}
	items = optional(items, "id", r.ID)
	items = optional(items, "definition", r.Definition)
	items = optional(items, "driver", r.Driver)
	return object(items...), nil
}

func (w *Workload) value() ast.Value {
	containers := make([]*ast.Term, len(w.Containers))
	for i, c := range w.Containers {
		containers[i] = ast.NewTerm(object(
			item{"name", str(c.Name)},
			item{"image", str(c.Image)},
			item{"limits", c.Limits.term()},
			item{"requests", c.Requests.term()},
		))
	}
	ports := make([]*ast.Term, len(w.Ports))
	for i, p := range w.Ports {
		items := []item{{"name", str(p.Name)}, {"port", ast.InternedTerm(p.Port)}}
		if p.TargetPort != 0 {
			items = append(items, item{"targetPort", ast.InternedTerm(p.TargetPort)})
		}
		items = optional(items, "protocol", p.Protocol)
		ports[i] = ast.NewTerm(object(items...))
	}
	annotations := make([]item, 0, len(w.Annotations))
	for k, v := range w.Annotations {
		annotations = append(annotations, item{k, str(v)})
	}
	return object(
		item{"name", str(w.Name)},
		item{"containers", ast.ArrayTerm(containers...)},
		item{"ports", ast.ArrayTerm(ports...)},
		item{"annotations", ast.NewTerm(object(annotations...))},
	)
}

func (r Resources) term() *ast.Term {
	return ast.NewTerm(object(optional(optional(nil, "cpu", r.CPU), "memory", r.Memory)...))
}

// item is one key and value of an object.
type item struct {
	key   string
	value *ast.Term
}

func object(items ...item) ast.Object {
	pairs := make([][2]*ast.Term, len(items))
	for i, it := range items {
		k, ok := keys[it.key]
		if !ok {
			k = str(it.key)
		}
		pairs[i] = [2]*ast.Term{k, it.value}
	}
	return ast.NewObject(pairs...)
}

// keys are the terms of the input's field names, made once: terms are
// immutable, so every object shares them.
var keys = func() map[string]*ast.Term {
	m := map[string]*ast.Term{}
	for _, k := range []string{
		"action", "actor", "app", "environment", "plan",
		"id", "kind", "roles", "teams",
		"name", "type", "ephemeral", "ttl",
		"hash", "resources", "workloads",
		"uid", "class", "definition", "driver", "params", "inputs",
		"containers", "ports", "annotations", "image", "limits", "requests", "cpu", "memory",
		"port", "targetPort", "protocol",
	} {
		m[k] = ast.StringTerm(k)
	}
	return m
}()

// optional appends key unless value is empty.
func optional(items []item, key, value string) []item {
	if value == "" {
		return items
	}
	return append(items, item{key, str(value)})
}

func str(s string) *ast.Term { return ast.InternedTerm(s) }

func list(s []string) *ast.Term {
	terms := make([]*ast.Term, len(s))
	for i, v := range s {
		terms[i] = str(v)
	}
	return ast.ArrayTerm(terms...)
}

// plain converts params or inputs, plain values from YAML or JSON, with nil
// as an empty object.
func plain(m map[string]any) (*ast.Term, error) {
	if m == nil {
		return ast.ObjectTerm(), nil
	}
	v, err := ast.InterfaceToValue(m)
	if err != nil {
		return nil, err
	}
	return ast.NewTerm(v), nil
}
