package target

import (
	"fmt"
	"sort"
)

// Registry maps target names to targets.
type Registry struct {
	targets map[string]Target
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{targets: map[string]Target{}} }

// Register adds t under name; a duplicate name panics at start.
func (r *Registry) Register(name string, t Target) {
	if _, dup := r.targets[name]; dup {
		panic(fmt.Sprintf("target %q registered twice", name))
	}
	r.targets[name] = t
}

// Get returns the target called name.
func (r *Registry) Get(name string) (Target, bool) {
	t, ok := r.targets[name]
	return t, ok
}

// Names returns the registered names in order.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.targets))
	for n := range r.targets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
