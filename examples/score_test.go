package examples

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pavedev/pave/internal/score"
	"github.com/pavedev/pave/internal/yamldoc"
)

// loadScore decodes and validates a Score file the way pave does: strictly,
// every placeholder checked.
func loadScore(t *testing.T, path string) *score.Workload {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := score.Parse(path, data)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return w
}

func TestScoreFiles(t *testing.T) {
	files, _ := filepath.Glob("*/*.score.yaml")
	if len(files) < 4 {
		t.Fatalf("found only %v", files)
	}
	names := map[string]string{}
	for _, f := range files {
		w := loadScore(t, f)
		for _, name := range yamldoc.SortedKeys(w.Containers) {
			if len(w.Containers[name].Command) == 0 {
				t.Errorf("%s: container %s: the examples run on the process target, which needs a command", f, name)
			}
		}
		if other, dup := names[w.Name]; dup {
			t.Errorf("%s and %s are both workload %q", f, other, w.Name)
		}
		names[w.Name] = f
	}
	// Workloads of one app share their database by id.
	for _, pair := range [][2]string{{"shop/api.score.yaml", "shop/worker.score.yaml"}, {"blog/web.score.yaml", "blog/feed.score.yaml"}} {
		a, b := loadScore(t, pair[0]), loadScore(t, pair[1])
		ra, rb := a.Resources["db"], b.Resources["db"]
		if ra.ID == "" || ra.ID != rb.ID || ra.Type != rb.Type || ra.Class != rb.Class {
			t.Errorf("%s and %s do not share their db: %+v, %+v", pair[0], pair[1], ra, rb)
		}
	}
}
