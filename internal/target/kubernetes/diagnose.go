package kubernetes

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// Limits of a failure report.
const (
	maxDiagnosedPods = 5
	maxEvents        = 10
	maxReportText    = 300
)

var (
	podGVR        = schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	replicaSetGVR = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "replicasets"}
	eventGVR      = schema.GroupVersionResource{Version: "v1", Resource: "events"}
)

// diagnose explains why a workload has not rolled out: its conditions,
// the waiting or terminated state of its pods' containers, and the latest
// events of it, its ReplicaSets and its pods. What it cannot read is left
// out; it never fails.
func (r *run) diagnose(ctx context.Context, u *unstructured.Unstructured) []string {
	var lines []string
	for _, c := range conditions(u) {
		line := fmt.Sprintf("condition %s=%s", c.Type, c.Status)
		if c.Reason != "" {
			line += " " + c.Reason
		}
		if c.Message != "" {
			line += ": " + clip(c.Message)
		}
		lines = append(lines, line)
	}
	ns := u.GetNamespace()
	involved := []types.UID{u.GetUID()}
	sel, ok := podSelector(u)
	if ok {
		if u.GetKind() == "Deployment" {
			rss, err := r.c.dyn.Resource(replicaSetGVR).Namespace(ns).List(ctx, metav1.ListOptions{LabelSelector: sel})
			if err == nil {
				for i := range rss.Items {
					if ref := metav1.GetControllerOfNoCopy(&rss.Items[i]); ref != nil && ref.UID == u.GetUID() {
						involved = append(involved, rss.Items[i].GetUID())
					}
				}
			}
		}
		pods, err := r.c.dyn.Resource(podGVR).Namespace(ns).List(ctx, metav1.ListOptions{LabelSelector: sel})
		if err == nil {
			items := pods.Items
			slices.SortFunc(items, func(a, b unstructured.Unstructured) int {
				return b.GetCreationTimestamp().Compare(a.GetCreationTimestamp().Time)
			})
			for i := range items[:min(len(items), maxDiagnosedPods)] {
				involved = append(involved, items[i].GetUID())
				lines = append(lines, podProblems(&items[i])...)
			}
		}
	}
	lines = append(lines, r.events(ctx, ns, involved)...)
	return lines
}

// podSelector returns the label selector of a workload's pods.
func podSelector(u *unstructured.Unstructured) (string, bool) {
	m, found, _ := unstructured.NestedMap(u.Object, "spec", "selector")
	if !found {
		return "", false
	}
	var ls metav1.LabelSelector
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, &ls); err != nil {
		return "", false
	}
	s, err := metav1.LabelSelectorAsSelector(&ls)
	if err != nil || s.Empty() {
		return "", false
	}
	return s.String(), true
}

// podProblems reports the containers of a pod that wait or have died,
// and a pod that is not scheduled.
func podProblems(p *unstructured.Unstructured) []string {
	var out []string
	for _, c := range conditions(p) {
		if c.Type == "PodScheduled" && c.Status == "False" {
			out = append(out, fmt.Sprintf("pod %s: not scheduled: %s %s", p.GetName(), c.Reason, clip(c.Message)))
		}
	}
	for _, field := range []string{"initContainerStatuses", "containerStatuses"} {
		sts, _, _ := unstructured.NestedSlice(p.Object, "status", field)
		for _, x := range sts {
			st, ok := x.(map[string]any)
			if !ok {
				continue
			}
			name, _ := st["name"].(string)
			restarts, _, _ := unstructured.NestedInt64(st, "restartCount")
			if w, ok, _ := unstructured.NestedMap(st, "state", "waiting"); ok {
				out = append(out, fmt.Sprintf("pod %s container %s: waiting: %s %s%s", p.GetName(), name,
					str(w["reason"]), clip(str(w["message"])), restartNote(restarts)))
			}
			if t, ok, _ := unstructured.NestedMap(st, "lastState", "terminated"); ok {
				code, _, _ := unstructured.NestedInt64(t, "exitCode")
				out = append(out, fmt.Sprintf("pod %s container %s: last exit: %s, code %d%s", p.GetName(), name,
					str(t["reason"]), code, restartNote(restarts)))
			}
		}
	}
	return out
}

func restartNote(n int64) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (restarted %d times)", n)
}

// events returns the latest events of the involved objects, newest last.
func (r *run) events(ctx context.Context, ns string, involved []types.UID) []string {
	type ev struct {
		at   time.Time
		line string
	}
	var evs []ev
	for _, uid := range involved {
		if uid == "" {
			continue
		}
		l, err := r.c.dyn.Resource(eventGVR).Namespace(ns).List(ctx, metav1.ListOptions{
			FieldSelector: fields.OneTermEqualSelector("involvedObject.uid", string(uid)).String(),
		})
		if err != nil {
			continue
		}
		for i := range l.Items {
			e := &l.Items[i]
			kind, _, _ := unstructured.NestedString(e.Object, "involvedObject", "kind")
			name, _, _ := unstructured.NestedString(e.Object, "involvedObject", "name")
			typ, _, _ := unstructured.NestedString(e.Object, "type")
			reason, _, _ := unstructured.NestedString(e.Object, "reason")
			msg, _, _ := unstructured.NestedString(e.Object, "message")
			count, _, _ := unstructured.NestedInt64(e.Object, "count")
			line := fmt.Sprintf("event %s %s %s/%s: %s", typ, reason, kind, name, clip(msg))
			if count > 1 {
				line += fmt.Sprintf(" (x%d)", count)
			}
			evs = append(evs, ev{at: eventTime(e), line: line})
		}
	}
	slices.SortStableFunc(evs, func(a, b ev) int { return cmp.Or(a.at.Compare(b.at), strings.Compare(a.line, b.line)) })
	if len(evs) > maxEvents {
		evs = evs[len(evs)-maxEvents:]
	}
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.line
	}
	return out
}

// eventTime is when an event last happened.
func eventTime(e *unstructured.Unstructured) time.Time {
	for _, path := range [][]string{{"lastTimestamp"}, {"series", "lastObservedTime"}, {"eventTime"}, {"firstTimestamp"}} {
		if s, ok, _ := unstructured.NestedString(e.Object, path...); ok && s != "" {
			for _, layout := range []string{time.RFC3339Nano, time.RFC3339} {
				if t, err := time.Parse(layout, s); err == nil {
					return t
				}
			}
		}
	}
	return e.GetCreationTimestamp().Time
}

// clip shortens a message from the cluster to one line of at most
// maxReportText bytes.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxReportText {
		n := maxReportText
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n] + "…"
	}
	return s
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// sortedObjects returns m's objects by key.
func sortedObjects(m map[objKey]*unstructured.Unstructured) []*unstructured.Unstructured {
	keys := slices.SortedFunc(maps.Keys(m), func(a, b objKey) int { return strings.Compare(a.String(), b.String()) })
	out := make([]*unstructured.Unstructured, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}
