package graph

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"github.com/pavedev/pave/internal/yamldoc"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/score"
)

// Input is what a plan is built from.
type Input struct {
	App string
	Env string
	// Workloads of the app; their order does not matter.
	Workloads []*score.Workload
	Platform  *platform.Platform
	// Previous are the environment's resource instances as the store knows
	// them; nil for a new environment.
	Previous []Previous
	// PreviousWorkloads maps the workloads of the last successful
	// deployment to their hashes.
	PreviousWorkloads map[string]string
	// Template, when set, is the platform environment that gives an
	// environment created outside the config (pave env create) its type
	// and target.
	Template *platform.Environment
	// SecretFingerprint returns a keyed fingerprint of the value of a
	// platform secret, "" when it is not set. The fingerprint of each
	// secret a resource's definition references goes into the resource's
	// inputs hash, so that a new value updates exactly the resources that
	// use it; neither the value nor the fingerprint is in the plan. When
	// nil (plans without state, which have nothing to compare with),
	// secrets are not part of the hash.
	SecretFingerprint func(name string) (string, error)
}

// Previous is what the planner needs of an existing resource instance.
type Previous struct {
	UID        string
	Type       string
	Class      string
	ID         string
	Definition string
	Driver     string
	InputsHash string
	// Ready is false when the last provision failed or never finished.
	Ready bool
	// Deleted resources are kept as records but are not part of the
	// environment any more.
	Deleted bool
	Users   []string
}

// UID returns the unique id of a resource: "type.class#id" for a shared
// resource, "type.class#app.workload.name" for a private one.
func UID(typ, class, suffix string) string { return typ + "." + class + "#" + suffix }

// node is a resource while the plan is being built.
type node struct {
	Resource
	def    *platform.ResourceDefinition
	rtype  *platform.ResourceType
	suffix string // the part of the UID after '#'
	// where the node was first requested, for errors
	w       *score.Workload
	pointer string
}

type builder struct {
	in     Input
	env    *platform.Environment
	nodes  map[string]*node
	dag    *DAG
	errs   errs.List
	queue  []*node
	byName map[string]map[string]string // workload → resource name → uid
	// fingerprints are the secret fingerprints asked for so far, by name.
	fingerprints map[string]string
}

// Build resolves the workloads against the platform in one environment and
// returns the plan, or every problem found, each located in its file.
func Build(in Input) (*Plan, error) {
	env := in.Template
	if env == nil {
		var err error
		if env, err = in.Platform.Environment(in.Env); err != nil {
			return nil, err
		}
	}
	if !env.Allows(in.App) {
		return nil, errs.New(errs.Invalid, "environment %q is reserved for app %q, not %q", env.Name, env.App, in.App)
	}
	ws := slices.Clone(in.Workloads)
	sort.Slice(ws, func(i, j int) bool { return ws[i].Name < ws[j].Name })
	for i := 1; i < len(ws); i++ {
		if ws[i].Name == ws[i-1].Name {
			return nil, errs.New(errs.Invalid, "workload %q is defined twice (%s and %s)", ws[i].Name, ws[i-1].File, ws[i].File)
		}
	}
	b := &builder{in: in, env: env, nodes: map[string]*node{}, dag: NewDAG(), byName: map[string]map[string]string{},
		fingerprints: map[string]string{}}
	for _, w := range ws {
		b.addWorkload(w)
	}
	for len(b.queue) > 0 {
		n := b.queue[0]
		b.queue = b.queue[1:]
		b.expand(n)
	}
	for _, w := range ws {
		b.checkWorkloadRefs(w)
	}
	if len(b.errs) > 0 {
		b.errs.Sort()
		return nil, b.errs
	}
	plan := &Plan{App: in.App, Env: in.Env, EnvType: env.Type, Target: env.Target.Kind}
	if env.Name != in.Env {
		plan.Template = env.Name
	}
	if err := b.order(plan); err != nil {
		return nil, err
	}
	b.deletions(plan)
	if err := b.workloads(plan, ws); err != nil {
		return nil, err
	}
	plan.decoded = ws
	if err := plan.computeHash(); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "hash plan")
	}
	return plan, nil
}

// addWorkload adds a node for each resource the workload requests.
func (b *builder) addWorkload(w *score.Workload) {
	names := map[string]string{}
	b.byName[w.Name] = names
	for _, rn := range yamldoc.SortedKeys(w.Resources) {
		r := w.Resources[rn]
		ptr := "/resources/" + rn
		class := r.Class
		if class == "" {
			class = score.DefaultClass
		}
		suffix := b.in.App + "." + w.Name + "." + rn
		resID := w.Name + "." + rn
		if r.ID != "" {
			suffix, resID = r.ID, r.ID
		}
		uid := UID(r.Type, class, suffix)
		names[rn] = uid
		if n, ok := b.nodes[uid]; ok {
			if !reflect.DeepEqual(n.Params, r.Params) {
				b.errs = append(b.errs, w.Errorf(ptr+"/params", "resource %s is shared by id %q with workload %q, which gives it different params",
					uid, r.ID, n.w.Name))
			}
			n.Users = appendUnique(n.Users, w.Name)
			continue
		}
		n := b.newNode(uid, r.Type, class, r.ID, resID, suffix, w, ptr)
		if n == nil {
			continue
		}
		n.Params = r.Params
		n.Users = []string{w.Name}
		if err := n.rtype.ValidateParams(r.Params); err != nil && !hasPlaceholder(r.Params) {
			for _, e := range errs.Errors(err) {
				b.errs = append(b.errs, w.Errorf(ptr+"/params"+strings.TrimSuffix(e.Path, "/"), "%s", e.Message))
			}
		}
	}
}

// newNode resolves the definition of a resource and queues it for expansion.
func (b *builder) newNode(uid, typ, class, id, resID, suffix string, w *score.Workload, ptr string) *node {
	rt, err := b.in.Platform.Type(typ)
	if err != nil {
		b.errs = append(b.errs, w.Errorf(ptr+"/type", "unknown resource type %q", typ))
		return nil
	}
	ctx := b.env.MatchContext(b.in.App, resID)
	ctx.Env = b.in.Env
	def, err := b.in.Platform.Resolve(ctx, typ, class)
	if err != nil {
		b.errs = append(b.errs, w.Errorf(ptr, "%s", errs.Errors(err)[0].Message))
		return nil
	}
	n := &node{
		Resource: Resource{UID: uid, Type: typ, Class: class, ID: id, ResID: resID, Definition: def.Name, Driver: def.Driver},
		def:      def, rtype: rt, suffix: suffix, w: w, pointer: ptr,
	}
	b.nodes[uid] = n
	b.dag.AddNode(uid)
	b.queue = append(b.queue, n)
	return n
}

// expand adds the edges of a node: resources its params reference, and the
// resources its definition co-provisions or uses.
func (b *builder) expand(n *node) {
	if n.Params != nil {
		refs, _ := score.FindReferences(n.Params, n.pointer+"/params")
		names := b.byName[n.w.Name]
		for _, p := range refs {
			if p.Root() != score.RootResources || len(p.Parts) < 2 {
				continue
			}
			dep, ok := names[p.Parts[1]]
			if !ok {
				continue // reported by score
			}
			b.checkOutput(n.w, p.Pointer, p.String(), dep, p.Parts[2:])
			b.dag.AddEdge(n.UID, dep)
			b.nodes[dep].Users = appendUnique(b.nodes[dep].Users, n.UID)
		}
	}
	link := func(ref platform.ResourceRef, uses bool) {
		suffix, resID := n.suffix, n.ResID
		if ref.ID != "" {
			suffix, resID = ref.ID, ref.ID
		}
		class := ref.Class
		if class == "" {
			class = score.DefaultClass
		}
		uid := UID(ref.Type, class, suffix)
		dep, ok := b.nodes[uid]
		if !ok {
			dep = b.newNode(uid, ref.Type, class, ref.ID, resID, suffix, n.w, n.pointer)
			if dep == nil {
				return
			}
		}
		dep.Users = appendUnique(dep.Users, n.UID)
		if uses {
			b.dag.AddEdge(n.UID, uid)
		}
	}
	for _, ref := range n.def.Provisions {
		link(ref, false)
	}
	for _, ref := range n.def.Uses {
		link(ref, true)
	}
}

// checkWorkloadRefs checks that every ${resources.X.out} of a workload names
// an output that X's type declares.
func (b *builder) checkWorkloadRefs(w *score.Workload) {
	names := b.byName[w.Name]
	for _, p := range w.References() {
		if p.Root() != score.RootResources || len(p.Parts) < 2 {
			continue
		}
		if uid, ok := names[p.Parts[1]]; ok {
			if strings.HasPrefix(p.Pointer, "/resources/") {
				continue // checked with the graph's edges
			}
			b.checkOutput(w, p.Pointer, p.String(), uid, p.Parts[2:])
		}
	}
}

func (b *builder) checkOutput(w *score.Workload, ptr, ref, uid string, keys []string) {
	n, ok := b.nodes[uid]
	if !ok || len(keys) == 0 {
		return
	}
	if _, ok := n.rtype.Outputs[keys[0]]; !ok {
		b.errs = append(b.errs, w.Errorf(ptr, "%s: resource type %s has no output %q (outputs: %s)",
			ref, n.Type, keys[0], strings.Join(n.rtype.OutputNames(), ", ")))
	}
}

// order fills the plan's resources in dependency order with their actions.
func (b *builder) order(plan *Plan) error {
	levels, err := b.dag.Levels()
	if err != nil {
		return err
	}
	prev := map[string]Previous{}
	for _, p := range b.in.Previous {
		prev[p.UID] = p
	}
	for i, level := range levels {
		for _, uid := range level {
			n := b.nodes[uid]
			n.Level = i
			n.DependsOn = b.dag.DependsOn(uid)
			slices.Sort(n.Users)
			secrets, err := b.secretFingerprints(n.def)
			if err != nil {
				return err
			}
			n.InputsHash = inputsHash(n, secrets)
			n.Action, n.Reason = action(n, prev[uid])
			plan.Resources = append(plan.Resources, n.Resource)
		}
	}
	return nil
}

// secretFingerprints returns the fingerprints of the platform secrets def
// references, asking for each secret once per plan.
func (b *builder) secretFingerprints(def *platform.ResourceDefinition) (map[string]string, error) {
	if len(def.Secrets) == 0 || b.in.SecretFingerprint == nil {
		return nil, nil
	}
	out := make(map[string]string, len(def.Secrets))
	for _, name := range def.Secrets {
		fp, ok := b.fingerprints[name]
		if !ok {
			var err error
			if fp, err = b.in.SecretFingerprint(name); err != nil {
				return nil, errs.Prefix("platform secret "+name, err)
			}
			b.fingerprints[name] = fp
		}
		out[name] = fp
	}
	return out, nil
}

// inputsHash fingerprints what the driver will be given, before placeholders
// are resolved, so that planning needs no outputs and leaks no secret. The
// platform secrets the inputs reference count by their keyed fingerprints.
func inputsHash(n *node, secrets map[string]string) string {
	b, _ := json.Marshal(struct {
		Definition string            `json:"definition"`
		Driver     string            `json:"driver"`
		Inputs     map[string]any    `json:"inputs"`
		Params     map[string]any    `json:"params"`
		DependsOn  []string          `json:"dependsOn"`
		Timeout    int64             `json:"timeout"`
		Secrets    map[string]string `json:"secrets,omitempty"`
	}{n.def.Name, n.def.Driver, n.def.Inputs, n.Params, n.DependsOn, int64(n.def.Timeout), secrets})
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func action(n *node, p Previous) (Action, string) {
	switch {
	case p.UID == "" || p.Deleted:
		return Create, "new resource"
	case p.Definition != n.Definition:
		return Update, "definition changed from " + p.Definition
	case !p.Ready:
		return Update, "last provision did not finish"
	case p.InputsHash != n.InputsHash:
		return Update, "inputs changed"
	default:
		return Keep, "unchanged"
	}
}

// deletions appends the previous resources the plan no longer has, users
// before what they use.
func (b *builder) deletions(plan *Plan) {
	gone := NewDAG()
	byUID := map[string]Previous{}
	for _, p := range b.in.Previous {
		if p.Deleted || b.nodes[p.UID] != nil {
			continue
		}
		byUID[p.UID] = p
		gone.AddNode(p.UID)
	}
	for uid, p := range byUID {
		for _, u := range p.Users {
			if _, ok := byUID[u]; ok && u != uid {
				gone.AddEdge(uid, u) // uid is deleted after its user u
			}
		}
	}
	levels, err := gone.Levels()
	if err != nil { // users recorded in a loop: fall back to UID order
		levels = [][]string{yamldoc.SortedKeys(byUID)}
	}
	for i, level := range levels {
		for _, uid := range level {
			p := byUID[uid]
			plan.Resources = append(plan.Resources, Resource{
				UID: uid, Type: p.Type, Class: p.Class, ID: p.ID, Definition: p.Definition, Driver: p.Driver,
				DependsOn: []string{}, Action: Delete, Level: i, InputsHash: p.InputsHash, Users: []string{},
				Reason: "no longer requested",
			})
		}
	}
}

// workloads fills the plan's workloads with their actions.
func (b *builder) workloads(plan *Plan, ws []*score.Workload) error {
	seen := map[string]bool{}
	for _, w := range ws {
		spec, err := json.Marshal(w)
		if err != nil {
			return errs.Wrap(errs.Internal, err, "encode workload %q", w.Name)
		}
		sum := sha256.Sum256(spec)
		h := "sha256:" + hex.EncodeToString(sum[:])
		act := Create
		if old, ok := b.in.PreviousWorkloads[w.Name]; ok {
			act = Update
			if old == h {
				act = Keep
			}
		}
		seen[w.Name] = true
		res := b.byName[w.Name]
		if res == nil {
			res = map[string]string{}
		}
		plan.Workloads = append(plan.Workloads, Workload{Name: w.Name, Action: act, Hash: h, Resources: res, Spec: spec})
	}
	for _, name := range yamldoc.SortedKeys(b.in.PreviousWorkloads) {
		if !seen[name] {
			plan.Workloads = append(plan.Workloads, Workload{Name: name, Action: Delete, Hash: b.in.PreviousWorkloads[name], Resources: map[string]string{}})
		}
	}
	sort.Slice(plan.Workloads, func(i, j int) bool { return plan.Workloads[i].Name < plan.Workloads[j].Name })
	return nil
}

func hasPlaceholder(v any) bool {
	refs, err := score.FindReferences(v, "")
	return err != nil || len(refs) > 0
}

func appendUnique(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}
