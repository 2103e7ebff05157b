package graph

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/pavedev/pave/internal/score"
)

// Action is what applying a plan does to a node.
type Action string

// The actions, against the environment's previous state.
const (
	Create Action = "create"
	Update Action = "update"
	Keep   Action = "keep"
	Delete Action = "delete"
)

// Plan is the deterministic result of resolving workloads against a
// platform in one environment. The same inputs, in any file order, give a
// byte-identical plan and the same Hash. It holds no secret: definition
// inputs are represented by their hash, and secrets by their placeholders.
type Plan struct {
	Hash    string `json:"hash"`
	App     string `json:"app"`
	Env     string `json:"env"`
	EnvType string `json:"envType"`
	// Target is the kind of target the environment deploys to.
	Target string `json:"target"`
	// Template is the platform environment whose type and target an
	// environment created outside the config uses; empty otherwise.
	Template string `json:"template,omitempty"`
	// Resources are in dependency order: by Level, then by UID. Deleted
	// resources come last, in reverse dependency order.
	Resources []Resource `json:"resources"`
	// Workloads are sorted by name.
	Workloads []Workload `json:"workloads"`

	// decoded are the workloads the plan was built from, when it was built
	// in this process, so that applying it needs no parsing again.
	decoded []*score.Workload
}

// Resource is one node of the resource graph.
type Resource struct {
	UID        string   `json:"uid"`
	Type       string   `json:"type"`
	Class      string   `json:"class"`
	ID         string   `json:"id,omitempty"`
	Definition string   `json:"definition"`
	Driver     string   `json:"driver"`
	DependsOn  []string `json:"dependsOn"`
	Action     Action   `json:"action"`
	// Level is the node's depth in the graph: nodes of one level may be
	// provisioned in parallel.
	Level int `json:"level"`
	// ResID is the id the definition was matched with: the shared id, or
	// "workload.name" for a private resource.
	ResID string `json:"resId"`
	// Params are the workload's params, placeholders unresolved.
	Params map[string]any `json:"params,omitempty"`
	// InputsHash fingerprints the definition, its inputs as written, the
	// keyed fingerprints of the platform secrets they reference, the params
	// and the dependencies: a change means update.
	InputsHash string `json:"inputsHash"`
	// Users are the workloads (by name) and resources (by UID) that need it.
	Users []string `json:"users"`
	// Reason says why the action was chosen, for people reading the plan.
	Reason string `json:"reason,omitempty"`
	// Preview is what the node's driver says provisioning it would change,
	// when the plan was asked for previews and the driver can give one. It
	// is filled in after the plan is built and is not part of its hash.
	Preview *Preview `json:"preview,omitempty"`
}

// Preview is a driver's account of what provisioning a node would change
// (driver.Planner), its secrets redacted. Either Summary (and maybe
// Detail) or Error is set.
type Preview struct {
	// Summary is one line, such as "3 to add, 0 to change, 0 to destroy".
	Summary string `json:"summary,omitempty"`
	// Detail is the driver's full account, such as the tool's plan.
	Detail string `json:"detail,omitempty"`
	// Error says why there is no preview: the driver failed, or the node
	// uses outputs not known before the plan is applied.
	Error string `json:"error,omitempty"`
}

// Workload is one workload of the plan.
type Workload struct {
	Name   string `json:"name"`
	Action Action `json:"action"`
	// Hash is the content hash of the normalised Score workload.
	Hash string `json:"hash"`
	// Resources maps the workload's resource names to UIDs.
	Resources map[string]string `json:"resources"`
	// Spec is the normalised Score workload, so that applying a plan needs
	// nothing but the plan and the platform.
	Spec json.RawMessage `json:"spec"`
}

// computeHash fills p.Hash with the SHA-256 of the plan's canonical JSON
// with an empty hash and no previews. encoding/json sorts map keys, and
// every slice in a plan is sorted, so the encoding is canonical.
func (p *Plan) computeHash() error {
	sum, err := p.contentHash()
	if err != nil {
		return err
	}
	p.Hash = sum
	return nil
}

// contentHash is the hash of the plan: its JSON without hash and previews,
// which come from outside (a driver's account of the world now) and would
// make the same plan hash differently.
func (p *Plan) contentHash() (string, error) {
	c := *p
	c.Hash = ""
	c.Resources = make([]Resource, len(p.Resources))
	for i, r := range p.Resources {
		r.Preview = nil
		c.Resources[i] = r
	}
	b, err := json.Marshal(&c)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// Resource returns the node with uid.
func (p *Plan) Resource(uid string) (*Resource, bool) {
	for i := range p.Resources {
		if p.Resources[i].UID == uid {
			return &p.Resources[i], true
		}
	}
	return nil, false
}
