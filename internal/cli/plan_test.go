package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/graph"
)

func TestPrintPreviews(t *testing.T) {
	var out bytes.Buffer
	a := &app{stdout: &out}
	a.printPreviews(&graph.Plan{Resources: []graph.Resource{{UID: "dns.default#x", Driver: "template"}}})
	if out.Len() != 0 {
		t.Fatalf("printed %q for a plan without previews", out.String())
	}
	a.printPreviews(&graph.Plan{Resources: []graph.Resource{
		{UID: "postgres.default#db", Driver: "tofu", Preview: &graph.Preview{Summary: "2 to add, 0 to change, 0 to destroy",
			Detail: "  # random_password.password will be created\n\nPlan: 2 to add, 0 to change, 0 to destroy.\n"}},
		{UID: "dns.default#x", Driver: "template"},
		{UID: "s3.default#files", Driver: "tofu", Preview: &graph.Preview{Error: "no tofu or terraform binary found"}},
		{UID: "s3.default#logs", Driver: "tofu", Preview: &graph.Preview{Error: "tofu plan: exit status 1\nError: Unsupported argument"}},
	}})
	want := `
Previews:
  postgres.default#db (tofu): 2 to add, 0 to change, 0 to destroy
        # random_password.password will be created

      Plan: 2 to add, 0 to change, 0 to destroy.
  s3.default#files (tofu): cannot preview: no tofu or terraform binary found
  s3.default#logs (tofu): cannot preview: tofu plan: exit status 1
      Error: Unsupported argument
`
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestPlanPreviewFlagsExcludeEachOther(t *testing.T) {
	var out, errOut bytes.Buffer
	code := Main(context.Background(), []string{"plan", "--preview", "--no-preview", "--platform", "p", "--app", "a", "--env", "e", "f.yaml"},
		strings.NewReader(""), &out, &errOut)
	if code != 2 || !strings.Contains(errOut.String(), "--preview and --no-preview exclude each other") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}
