package driver

import (
	"fmt"
	"sort"
)

// Registry maps driver names to drivers.
type Registry struct {
	drivers map[string]Driver
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{drivers: map[string]Driver{}} }

// Register adds d under name. A duplicate name is a programming error and
// panics at start.
func (r *Registry) Register(name string, d Driver) {
	if _, dup := r.drivers[name]; dup {
		panic(fmt.Sprintf("driver %q registered twice", name))
	}
	r.drivers[name] = d
}

// Get returns the driver called name.
func (r *Registry) Get(name string) (Driver, bool) {
	d, ok := r.drivers[name]
	return d, ok
}

// Names returns the registered names in order.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.drivers))
	for n := range r.drivers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Info describes the driver called name, falling back to its name alone.
func (r *Registry) Info(name string) Info {
	d := r.drivers[name]
	if ds, ok := d.(Describer); ok {
		info := ds.Describe()
		info.Name = name
		return info
	}
	return Info{Name: name}
}
