package kubernetes

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func workloadObj(kind string, generation int64, spec, status map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "apps/v1", "kind": kind,
		"metadata": map[string]any{"name": "w", "generation": generation}, "spec": spec}}
	if status != nil {
		u.Object["status"] = status
	}
	return u
}

func TestRolloutOf(t *testing.T) {
	full := func(n int64, gen int64) map[string]any {
		return map[string]any{"observedGeneration": gen, "replicas": n, "updatedReplicas": n, "readyReplicas": n, "availableReplicas": n}
	}
	cases := []struct {
		name    string
		u       *unstructured.Unstructured
		done    bool
		failed  string
		summary string
	}{
		{"deployment new", workloadObj("Deployment", 1, map[string]any{"replicas": int64(2)}, nil),
			false, "", "0 of 2 ready, 0 updated, 0 available; the controller has not yet seen generation 1 (saw 0)"},
		{"deployment done", workloadObj("Deployment", 3, map[string]any{"replicas": int64(2)}, full(2, 3)),
			true, "", "2 of 2 ready, 2 updated, 2 available"},
		{"deployment default replicas", workloadObj("Deployment", 1, map[string]any{}, full(1, 1)), true, "", ""},
		{"deployment old generation", workloadObj("Deployment", 4, map[string]any{"replicas": int64(2)}, full(2, 3)),
			false, "", "not yet seen generation 4"},
		{"deployment old replicas", workloadObj("Deployment", 2, map[string]any{"replicas": int64(2)},
			map[string]any{"observedGeneration": int64(2), "replicas": int64(3), "updatedReplicas": int64(2), "readyReplicas": int64(3), "availableReplicas": int64(3)}),
			false, "", "1 old replicas still run"},
		{"deployment not ready", workloadObj("Deployment", 1, map[string]any{"replicas": int64(2)},
			map[string]any{"observedGeneration": int64(1), "replicas": int64(2), "updatedReplicas": int64(2), "readyReplicas": int64(1), "availableReplicas": int64(1)}),
			false, "", "1 of 2 ready"},
		{"deployment scaled to zero", workloadObj("Deployment", 1, map[string]any{"replicas": int64(0)}, map[string]any{"observedGeneration": int64(1)}),
			true, "", ""},
		{"deployment deadline", workloadObj("Deployment", 1, map[string]any{},
			map[string]any{"observedGeneration": int64(1), "conditions": []any{map[string]any{"type": "Progressing", "status": "False",
				"reason": "ProgressDeadlineExceeded", "message": "too slow"}}}),
			false, "progress deadline exceeded: too slow", ""},
		{"statefulset done", workloadObj("StatefulSet", 2, map[string]any{"replicas": int64(3)},
			map[string]any{"observedGeneration": int64(2), "replicas": int64(3), "updatedReplicas": int64(3), "readyReplicas": int64(3),
				"availableReplicas": int64(3), "currentRevision": "r2", "updateRevision": "r2"}),
			true, "", ""},
		{"statefulset revision pending", workloadObj("StatefulSet", 2, map[string]any{"replicas": int64(3)},
			map[string]any{"observedGeneration": int64(2), "replicas": int64(3), "updatedReplicas": int64(3), "readyReplicas": int64(3),
				"availableReplicas": int64(3), "currentRevision": "r1", "updateRevision": "r2"}),
			false, "", ""},
		{"statefulset partition", workloadObj("StatefulSet", 2, map[string]any{"replicas": int64(3),
			"updateStrategy": map[string]any{"rollingUpdate": map[string]any{"partition": int64(2)}}},
			map[string]any{"observedGeneration": int64(2), "replicas": int64(3), "updatedReplicas": int64(1), "readyReplicas": int64(3),
				"availableReplicas": int64(3), "currentRevision": "r1", "updateRevision": "r2"}),
			true, "", ""},
		{"statefulset without availableReplicas", workloadObj("StatefulSet", 1, map[string]any{"replicas": int64(1)},
			map[string]any{"observedGeneration": int64(1), "replicas": int64(1), "updatedReplicas": int64(1), "readyReplicas": int64(1)}),
			true, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ro := rolloutOf(tc.u)
			if ro.done != tc.done || ro.failed != tc.failed || !strings.Contains(ro.summary, tc.summary) {
				t.Errorf("rolloutOf = done %v, failed %q, summary %q; want %v, %q, %q", ro.done, ro.failed, ro.summary, tc.done, tc.failed, tc.summary)
			}
		})
	}
}

func TestClip(t *testing.T) {
	long := strings.Repeat("é", maxReportText)
	got := clip("a\n  b\tc " + long)
	if !strings.HasPrefix(got, "a b c é") || len(got) > maxReportText+len("…") || !strings.HasSuffix(got, "é…") {
		t.Errorf("clip = %q", got)
	}
}

func TestInventoryUnion(t *testing.T) {
	a := newInventory("ns1")
	a.addKind(deploymentsGVR.GroupVersion().WithKind("Deployment"))
	b := newInventory("ns2")
	b.addKind(deploymentsGVR.GroupVersion().WithKind("Deployment"))
	b.addKind(widgetGVR.GroupVersion().WithKind("Widget"))
	b.addKind(crdGVR.GroupVersion().WithKind("CustomResourceDefinition"))
	u := a.union(b)
	if len(u.Kinds) != 3 || len(u.Namespaces) != 2 {
		t.Fatalf("union = %+v", u)
	}
	prune := u.groupKinds(true)
	destroy := u.groupKinds(false)
	if len(prune) != len(managedKinds)+1 || len(destroy) != len(managedKinds)+2 {
		t.Errorf("prune kinds %v, destroy kinds %v", prune, destroy)
	}
}
