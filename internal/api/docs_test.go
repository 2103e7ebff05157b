package api_test

import (
	"os"
	"regexp"
	"slices"
	"testing"

	"github.com/pavedev/pave/internal/api"
)

// TestDocsListEveryRoute: the endpoint table of docs/server.md lists
// exactly the server's routes.
func TestDocsListEveryRoute(t *testing.T) {
	b, err := os.ReadFile("../../docs/server.md")
	must(t, err)
	row := regexp.MustCompile("(?m)^\\| (GET|POST|PUT|PATCH|DELETE) \\| `([^`]+)` \\|")
	var documented []string
	for _, m := range row.FindAllStringSubmatch(string(b), -1) {
		documented = append(documented, m[1]+" "+m[2])
	}
	var registered []string
	for _, r := range api.New(api.Options{}).Routes() {
		registered = append(registered, r[0]+" "+r[1])
	}
	for _, r := range registered {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is not in docs/server.md", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(registered, d) {
			t.Errorf("docs/server.md lists %s, which is not a route", d)
		}
	}
}
