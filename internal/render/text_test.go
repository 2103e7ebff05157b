package render

import (
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/render/rendertest"
	"github.com/pavedev/pave/internal/target"
)

func TestCheckText(t *testing.T) {
	const bad = "\xff"
	tests := []struct {
		name string
		mut  func(d *target.Deployment)
		want string
	}{
		{"valid", func(*target.Deployment) {}, ""},
		{"secret value", func(d *target.Deployment) { d.Workloads[0].Containers[0].Variables[1].Value.Text = bad }, ""},
		{"file content", func(d *target.Deployment) { d.Workloads[0].Containers[0].Files[0].Content = []byte(bad) }, ""},
		{"app", func(d *target.Deployment) { d.App = bad }, `deployment: app or environment "\xff" is not valid UTF-8`},
		{"label", func(d *target.Deployment) { d.Workloads[0].Labels = map[string]string{"a": bad} }, `workload "svc-0000": label "\xff"`},
		{"annotation key", func(d *target.Deployment) { d.Workloads[0].Annotations = map[string]string{bad: "a"} }, `annotation "\xff"`},
		{"port", func(d *target.Deployment) { d.Workloads[0].Ports[0].Name = bad }, `port "\xff"`},
		{"image", func(d *target.Deployment) { d.Workloads[0].Containers[0].Image = bad }, `container "main": name "\xff"`},
		{"command", func(d *target.Deployment) { d.Workloads[0].Containers[0].Command = []string{bad} }, `command "\xff"`},
		{"variable name", func(d *target.Deployment) { d.Workloads[0].Containers[0].Variables[0].Name = bad }, `variable "\xff"`},
		{"plain value", func(d *target.Deployment) { d.Workloads[0].Containers[0].Variables[0].Value.Text = bad }, `variable "DB_HOST": value is not valid UTF-8`},
		{"file path", func(d *target.Deployment) { d.Workloads[0].Containers[0].Files[0].Path = bad }, `file "\xff"`},
		{"volume", func(d *target.Deployment) { d.Workloads[0].Containers[0].Volumes[0].SubPath = bad }, `volume "\xff"`},
		{"probe", func(d *target.Deployment) { d.Workloads[0].Containers[0].Readiness.HTTPGet.Path = bad }, `probe "\xff"`},
		{"probe header", func(d *target.Deployment) {
			d.Workloads[0].Containers[0].Readiness.HTTPGet.HTTPHeaders = []target.HTTPHeader{{Name: "a", Value: bad}}
		}, `probe header "\xff"`},
		{"exec probe", func(d *target.Deployment) {
			d.Workloads[0].Containers[0].Liveness = &target.Probe{Exec: &target.ExecProbe{Command: []string{bad}}}
		}, `probe command "\xff"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := rendertest.Large(1)
			tt.mut(d)
			err := CheckText(d)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
}

// TestPure keeps the package free of I/O imports.
func TestPure(t *testing.T) { rendertest.AssertPure(t) }
