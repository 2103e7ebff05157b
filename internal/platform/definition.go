package platform

import (
	"slices"
	"time"

	"github.com/pavedev/pave/internal/yamldoc"
)

// ResourceRef names another resource: one a definition co-provisions, or one
// whose outputs its inputs use through ${resources.<type>[.<class>][#<id>].<output>}.
type ResourceRef struct {
	Type  string `json:"type"`
	Class string `json:"class"`
	// ID is the shared resource id. Empty means "the resource of that type
	// and class with the same id as the resource being provisioned".
	ID string `json:"id,omitempty"`
}

// String renders "type.class" or "type.class#id".
func (r ResourceRef) String() string {
	s := r.Type + "." + r.Class
	if r.ID != "" {
		s += "#" + r.ID
	}
	return s
}

// ResourceDefinition says how one resource type and class is provided where
// its criteria match: by which driver, with which inputs. A loaded definition
// is shared: treat it as read-only. Its JSON form leaves the inputs out, since
// they may hold secrets; durations are in nanoseconds.
type ResourceDefinition struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type"`
	Class       string `json:"class"`
	Driver      string `json:"driver"`
	// Inputs are the driver's inputs as written, placeholders unresolved.
	// They may hold secrets in clear: never log or serve them.
	Inputs map[string]any `json:"-"`
	// Criteria say where the definition applies; an absent or empty list in
	// config becomes the one criterion "*", which matches everywhere.
	Criteria []Criterion `json:"criteria"`
	// Provisions are resources provisioned together with this one.
	Provisions []ResourceRef `json:"provisions,omitempty"`
	// Outputs the definition gives. When spec.outputs is absent they are the
	// keys of inputs.outputs and inputs.secrets for the static and template
	// drivers, and the type's outputs for any other driver (the engine checks
	// what a driver returns with ResourceType.CheckOutputs).
	Outputs []string `json:"outputs"`
	// Timeout bounds one provision; zero means the engine's default.
	Timeout time.Duration `json:"timeout,omitempty"`
	// Uses are the resources whose outputs the inputs reference, in order of
	// first use, without duplicates.
	Uses []ResourceRef `json:"uses,omitempty"`
	// Secrets are the platform secrets the inputs reference, sorted.
	Secrets []string `json:"secrets,omitempty"`
	Source  Source   `json:"source"`

	doc          *yamldoc.Doc
	outputsGiven bool
	outputsPtr   string    // where the outputs were given
	critPtrs     []string  // where each criterion was written
	provPtrs     []string  // where each provision was written
	refs         []located // ${resources...} placeholders, for load checks
}

// located is a parsed placeholder and where it was found.
type located struct {
	pointer string
	ph      placeholder
}

// Drivers whose outputs default to the keys of inputs.outputs and inputs.secrets.
var outputMapDrivers = []string{"static", "template"}

// OutputsInInputs reports whether the definition's driver takes the values
// of its outputs from its inputs: inputs.outputs, and inputs.secrets for
// the secret ones (the static and template drivers).
func (d *ResourceDefinition) OutputsInInputs() bool {
	return slices.Contains(outputMapDrivers, d.Driver)
}

// decodeDefinition reads the spec of a ResourceDefinition document. Checks
// that need other documents (types, drivers, conflicts) happen later.
func decodeDefinition(r *yamldoc.Reader, name string, spec map[string]any, src Source) *ResourceDefinition {
	d := &ResourceDefinition{Name: name, Class: DefaultClass, Source: src, doc: r.Doc}
	r.Known("/spec", spec, "description", "type", "class", "driver", "inputs", "criteria", "provisions", "outputs", "timeout")
	d.Description, _ = r.String("/spec", spec, "description", false)
	if t, ok := r.String("/spec", spec, "type", true); ok {
		if nameRE.MatchString(t) {
			d.Type = t
		} else {
			r.Fail("/spec/type", "%s", nameRule)
		}
	}
	if c, ok := r.String("/spec", spec, "class", false); ok {
		if nameRE.MatchString(c) {
			d.Class = c
		} else {
			r.Fail("/spec/class", "%s", nameRule)
		}
	}
	if drv, ok := r.String("/spec", spec, "driver", true); ok {
		if drv == "" {
			r.Fail("/spec/driver", "must not be empty")
		}
		d.Driver = drv
	}
	if raw, ok := spec["inputs"]; ok {
		if m, ok := r.Map("/spec/inputs", raw); ok {
			d.Inputs = m
		}
	}
	d.decodeCriteria(r, spec)
	d.Provisions, d.provPtrs = decodeRefs(r, spec)
	if _, present := spec["outputs"]; present {
		d.outputsGiven, d.outputsPtr = true, "/spec/outputs"
		r.StringList("/spec", spec, "outputs") // reports what is not a string
		list, _ := spec["outputs"].([]any)
		for i, item := range list {
			o, isString := item.(string)
			p := yamldoc.Join("/spec/outputs", i)
			switch {
			case !isString:
			case !outputNameRE.MatchString(o):
				r.Fail(p, "%s", outputRule)
			case slices.Contains(d.Outputs, o):
				r.Fail(p, "duplicate output %q", o)
			default:
				d.Outputs = append(d.Outputs, o)
			}
		}
	} else if slices.Contains(outputMapDrivers, d.Driver) {
		d.outputsGiven, d.outputsPtr = true, "/spec/inputs"
		if d.Inputs == nil {
			d.outputsPtr = "/spec"
		}
		for _, key := range []string{"outputs", "secrets"} {
			if m, ok := d.Inputs[key].(map[string]any); ok {
				for _, o := range yamldoc.SortedKeys(m) {
					if !slices.Contains(d.Outputs, o) {
						d.Outputs = append(d.Outputs, o)
					}
				}
			}
		}
		slices.Sort(d.Outputs)
	}
	if s, ok := r.String("/spec", spec, "timeout", false); ok {
		if dur, err := time.ParseDuration(s); err != nil || dur <= 0 {
			r.Fail("/spec/timeout", "must be a positive duration like 90s or 5m, not %q", s)
		} else {
			d.Timeout = dur
		}
	}
	d.scanInputs(r)
	return d
}

func (d *ResourceDefinition) decodeCriteria(r *yamldoc.Reader, spec map[string]any) {
	raw, ok := spec["criteria"]
	if !ok || raw == nil {
		d.Criteria, d.critPtrs = []Criterion{{}}, []string{"/spec"}
		return
	}
	list, ok := r.List("/spec/criteria", raw)
	if !ok {
		return
	}
	if len(list) == 0 {
		d.Criteria, d.critPtrs = []Criterion{{}}, []string{"/spec/criteria"}
		return
	}
	for i, item := range list {
		p := yamldoc.Join("/spec/criteria", i)
		m, ok := r.Map(p, item)
		if !ok {
			continue
		}
		r.Known(p, m, "app", "env", "envType", "resId")
		var c Criterion
		c.App = readCriterionField(r, p, m, "app", nameRE, nameRule)
		c.Env = readCriterionField(r, p, m, "env", nameRE, nameRule)
		c.EnvType = readCriterionField(r, p, m, "envType", nameRE, nameRule)
		c.ResID = readCriterionField(r, p, m, "resId", resIDRE, resIDRule)
		if j := slices.Index(d.Criteria, c); j >= 0 {
			r.Fail(p, "duplicate criterion %s (same as %s)", c, d.critPtrs[j])
			continue
		}
		d.Criteria = append(d.Criteria, c)
		d.critPtrs = append(d.critPtrs, p)
	}
}

func readCriterionField(r *yamldoc.Reader, p string, m map[string]any, key string, re interface{ MatchString(string) bool }, rule string) string {
	s, ok := r.String(p, m, key, false)
	if !ok {
		return ""
	}
	if !re.MatchString(s) {
		r.Fail(yamldoc.Join(p, key), "%s", rule)
		return ""
	}
	return s
}

func decodeRefs(r *yamldoc.Reader, spec map[string]any) (refs []ResourceRef, ptrs []string) {
	raw, ok := spec["provisions"]
	if !ok {
		return nil, nil
	}
	list, ok := r.List("/spec/provisions", raw)
	if !ok {
		return nil, nil
	}
	for i, item := range list {
		p := yamldoc.Join("/spec/provisions", i)
		m, ok := r.Map(p, item)
		if !ok {
			continue
		}
		r.Known(p, m, "type", "class", "id")
		ref := ResourceRef{Class: DefaultClass}
		good := true
		if t, ok := r.String(p, m, "type", true); ok && nameRE.MatchString(t) {
			ref.Type = t
		} else {
			if ok {
				r.Fail(yamldoc.Join(p, "type"), "%s", nameRule)
			}
			good = false
		}
		if c, ok := r.String(p, m, "class", false); ok {
			if nameRE.MatchString(c) {
				ref.Class = c
			} else {
				r.Fail(yamldoc.Join(p, "class"), "%s", nameRule)
				good = false
			}
		}
		if id, ok := r.String(p, m, "id", false); ok {
			if resIDRE.MatchString(id) {
				ref.ID = id
			} else {
				r.Fail(yamldoc.Join(p, "id"), "%s", resIDRule)
				good = false
			}
		}
		if !good {
			continue
		}
		if slices.Contains(refs, ref) {
			r.Fail(p, "duplicate provision %s", ref)
			continue
		}
		refs = append(refs, ref)
		ptrs = append(ptrs, p)
	}
	return refs, ptrs
}

// scanInputs parses every placeholder in the inputs' string values.
func (d *ResourceDefinition) scanInputs(r *yamldoc.Reader) {
	var secrets []string
	walkStrings(d.Inputs, "/spec/inputs", func(ptr, s string) {
		for _, ph := range scanAndParse(r, ptr, s, "context", "secrets", "resources") {
			switch ph.root {
			case "secrets":
				secrets = append(secrets, ph.key)
			case "resources":
				d.refs = append(d.refs, located{ptr, ph})
				if !slices.Contains(d.Uses, ph.ref) {
					d.Uses = append(d.Uses, ph.ref)
				}
			}
		}
	})
	slices.Sort(secrets)
	d.Secrets = slices.Compact(secrets)
}

// scanAndParse returns the placeholders of s, recording problems at ptr.
func scanAndParse(r *yamldoc.Reader, ptr, s string, roots ...string) []placeholder {
	exprs, err := scanPlaceholders(s)
	if err != nil {
		r.Fail(ptr, "%s", err)
		return nil
	}
	var out []placeholder
	for _, e := range exprs {
		ph, err := parsePlaceholder(e, roots...)
		if err != nil {
			r.Fail(ptr, "%s", err)
			continue
		}
		out = append(out, ph)
	}
	return out
}

// walkStrings calls fn for every string in v, in a stable order.
func walkStrings(v any, ptr string, fn func(ptr, s string)) {
	switch x := v.(type) {
	case string:
		fn(ptr, x)
	case map[string]any:
		for _, k := range yamldoc.SortedKeys(x) {
			walkStrings(x[k], yamldoc.Join(ptr, k), fn)
		}
	case []any:
		for i, item := range x {
			walkStrings(item, yamldoc.Join(ptr, i), fn)
		}
	}
}
