package policy

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
	// Params are the workload's resource params, placeholders resolved.
	Params map[string]any `json:"params"`
	// Inputs are the definition's driver inputs with every secret value
	// left out.
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

// document renders the input as the plain values OPA converts, with empty
// lists and maps rather than nulls and without empty optional fields: the
// same shape as its JSON encoding, built without a JSON round trip.
func (in *Input) document() map[string]any {
	env := map[string]any{
		"name":      in.Environment.Name,
		"type":      in.Environment.Type,
		"ephemeral": in.Environment.Ephemeral,
	}
	putString(env, "ttl", in.Environment.TTL)
	return map[string]any{
		"action": in.Action,
		"actor": map[string]any{
			"id":    in.Actor.ID,
			"kind":  in.Actor.Kind,
			"roles": stringList(in.Actor.Roles),
			"teams": stringList(in.Actor.Teams),
		},
		"app":         in.App,
		"environment": env,
		"plan":        in.Plan.document(),
	}
}

func (p *Plan) document() map[string]any {
	resources := make([]any, len(p.Resources))
	for i := range p.Resources {
		resources[i] = p.Resources[i].document()
	}
	workloads := make([]any, len(p.Workloads))
	for i := range p.Workloads {
		workloads[i] = p.Workloads[i].document()
	}
	return map[string]any{"hash": p.Hash, "resources": resources, "workloads": workloads}
}

func (r *Resource) document() map[string]any {
	m := map[string]any{
		"uid":    r.UID,
		"type":   r.Type,
		"class":  r.Class,
		"params": anyMap(r.Params),
		"inputs": anyMap(r.Inputs),
	}
	putString(m, "id", r.ID)
	putString(m, "definition", r.Definition)
	putString(m, "driver", r.Driver)
	return m
}

func (w *Workload) document() map[string]any {
	containers := make([]any, len(w.Containers))
	for i, c := range w.Containers {
		containers[i] = map[string]any{
			"name":     c.Name,
			"image":    c.Image,
			"limits":   c.Limits.document(),
			"requests": c.Requests.document(),
		}
	}
	ports := make([]any, len(w.Ports))
	for i, p := range w.Ports {
		port := map[string]any{"name": p.Name, "port": p.Port}
		if p.TargetPort != 0 {
			port["targetPort"] = p.TargetPort
		}
		putString(port, "protocol", p.Protocol)
		ports[i] = port
	}
	annotations := make(map[string]any, len(w.Annotations))
	for k, v := range w.Annotations {
		annotations[k] = v
	}
	return map[string]any{
		"name":        w.Name,
		"containers":  containers,
		"ports":       ports,
		"annotations": annotations,
	}
}

func (r Resources) document() map[string]any {
	m := make(map[string]any, 2)
	putString(m, "cpu", r.CPU)
	putString(m, "memory", r.Memory)
	return m
}

func putString(m map[string]any, key, value string) {
	if value != "" {
		m[key] = value
	}
}

func stringList(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func anyMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
