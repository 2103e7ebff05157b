package drivers

import (
	"slices"
	"testing"

	"github.com/pavedev/pave/internal/driver"
)

func TestRegister(t *testing.T) {
	r := driver.NewRegistry()
	Register(r)
	want := []string{"exec", "http", "mysql", "postgres", "redis", "static", "template", "tofu"}
	if got := r.Names(); !slices.Equal(got, want) {
		t.Fatalf("registered %v, want %v", got, want)
	}
	pure := map[string]bool{"static": true, "template": true}
	for _, name := range want {
		d, _ := r.Get(name)
		if _, ok := d.(driver.Describer); !ok {
			t.Errorf("%s does not describe itself", name)
		}
		if _, ok := d.(driver.InputValidator); !ok {
			t.Errorf("%s does not validate its inputs", name)
		}
		info := r.Info(name)
		if info.Pure != pure[name] {
			t.Errorf("%s: Pure = %v", name, info.Pure)
		}
		if d.(driver.Describer).Describe().Name != name {
			t.Errorf("%s describes itself as %q", name, d.(driver.Describer).Describe().Name)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("registering twice did not panic")
		}
	}()
	Register(r)
}
