package kubernetes

import (
	"context"
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/pavedev/pave/internal/errs"
	kube "github.com/pavedev/pave/internal/render/kubernetes"
)

// rollout is the state of one Deployment or StatefulSet rollout.
type rollout struct {
	done bool
	// failed says why the rollout cannot succeed any more; empty while
	// it may.
	failed                  string
	desired, ready, updated int64
	available, replicas     int64
	generation, observedGen int64
	summary                 string
}

// rolloutOf reads the rollout state of a Deployment or StatefulSet from
// its spec and status, as `kubectl rollout status` does, also requiring
// the ready replicas: done when the controller has observed the current
// generation and every desired replica is updated, ready and available
// with no old replica left.
func rolloutOf(u *unstructured.Unstructured) rollout {
	i := func(path ...string) int64 {
		v, _, _ := unstructured.NestedInt64(u.Object, path...)
		return v
	}
	ro := rollout{
		desired:     1,
		ready:       i("status", "readyReplicas"),
		updated:     i("status", "updatedReplicas"),
		available:   i("status", "availableReplicas"),
		replicas:    i("status", "replicas"),
		generation:  u.GetGeneration(),
		observedGen: i("status", "observedGeneration"),
	}
	if n, found, _ := unstructured.NestedInt64(u.Object, "spec", "replicas"); found {
		ro.desired = n
	}
	observed := ro.observedGen >= ro.generation
	switch u.GetKind() {
	case "Deployment":
		for _, c := range conditions(u) {
			if c.Type == "Progressing" && c.Reason == "ProgressDeadlineExceeded" {
				ro.failed = "progress deadline exceeded: " + c.Message
			}
		}
		ro.done = observed && ro.updated >= ro.desired && ro.replicas <= ro.updated &&
			ro.available >= ro.desired && ro.ready >= ro.desired
	case "StatefulSet":
		// A StatefulSet reports no availableReplicas before 1.22-era
		// clusters; ready replicas stand in for them.
		if _, found, _ := unstructured.NestedInt64(u.Object, "status", "availableReplicas"); !found {
			ro.available = ro.ready
		}
		cur, _, _ := unstructured.NestedString(u.Object, "status", "currentRevision")
		upd, _, _ := unstructured.NestedString(u.Object, "status", "updateRevision")
		partition, _, _ := unstructured.NestedInt64(u.Object, "spec", "updateStrategy", "rollingUpdate", "partition")
		revised := cur == upd || partition > 0
		ro.done = observed && ro.ready >= ro.desired && ro.updated >= ro.desired-partition &&
			ro.available >= ro.desired && revised
	}
	if ro.failed != "" {
		ro.done = false
	}
	ro.summary = fmt.Sprintf("%d of %d ready, %d updated, %d available", ro.ready, ro.desired, ro.updated, ro.available)
	if !observed {
		ro.summary += fmt.Sprintf("; the controller has not yet seen generation %d (saw %d)", ro.generation, ro.observedGen)
	} else if ro.replicas > ro.updated {
		ro.summary += fmt.Sprintf("; %d old replicas still run", ro.replicas-ro.updated)
	}
	return ro
}

// condition is one status condition.
type condition struct {
	Type, Status, Reason, Message string
}

func conditions(u *unstructured.Unstructured) []condition {
	list, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	out := make([]condition, 0, len(list))
	for _, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			continue
		}
		s := func(k string) string { v, _ := m[k].(string); return v }
		out = append(out, condition{Type: s("type"), Status: s("status"), Reason: s("reason"), Message: s("message")})
	}
	return out
}

// workloadName is the pave workload an object belongs to, or its name.
func workloadName(u *unstructured.Unstructured) string {
	if w := u.GetLabels()[kube.LabelWorkload]; w != "" {
		return w
	}
	return u.GetName()
}

// waitRollout polls the workloads until each has rolled out, one fails,
// or the rollout timeout passes; a failure or timeout is an
// errs.Transient error that diagnoses each workload not rolled out.
func (r *run) waitRollout(ctx context.Context, workloads []*unstructured.Unstructured) error {
	if len(workloads) == 0 {
		return nil
	}
	wctx, cancel := context.WithTimeout(ctx, r.s.rolloutTimeout)
	defer cancel()
	pending := map[objKey]*unstructured.Unstructured{}
	for _, u := range workloads {
		pending[keyOf(u)] = u
		r.emit(workloadName(u), "waiting", "%s: %s", keyOf(u), rolloutOf(u).summary)
	}
	var failed []string
poll:
	for {
		for k, u := range pending {
			m, err := r.c.mapping(wctx, u.GroupVersionKind())
			if err != nil {
				if wctx.Err() != nil {
					break
				}
				return err
			}
			cur, err := r.c.resource(m, k.Namespace).Get(wctx, k.Name, metav1.GetOptions{})
			if err != nil {
				if wctx.Err() != nil {
					break
				}
				return apiError(err, "kubernetes target: read %s", k)
			}
			pending[k] = cur
			ro := rolloutOf(cur)
			switch {
			case ro.done:
				delete(pending, k)
				r.emit(workloadName(cur), "ready", "%s: %s", k, ro.summary)
			case ro.failed != "":
				failed = append(failed, k.String())
			}
		}
		if len(pending) == 0 || len(failed) > 0 {
			break
		}
		select {
		case <-wctx.Done():
			break poll
		case <-time.After(r.t.poll):
		}
	}
	if len(pending) == 0 {
		return nil
	}
	if ctx.Err() != nil {
		return errs.Wrap(errs.Transient, ctx.Err(), "kubernetes target: deployment of %s/%s interrupted while waiting for the rollout", r.app, r.env)
	}
	// The wait's deadline has passed: diagnose with a fresh one.
	dctx, dcancel := context.WithTimeout(ctx, 30*time.Second)
	defer dcancel()
	var b strings.Builder
	if len(failed) > 0 {
		fmt.Fprintf(&b, "kubernetes target: rollout of %s/%s failed", r.app, r.env)
	} else {
		fmt.Fprintf(&b, "kubernetes target: rollout of %s/%s not complete after %s", r.app, r.env, r.s.rolloutTimeout)
	}
	for _, u := range sortedObjects(pending) {
		ro := rolloutOf(u)
		msg := ro.summary
		if ro.failed != "" {
			msg = ro.failed + "; " + msg
		}
		r.emit(workloadName(u), "failed", "%s: %s", keyOf(u), msg)
		fmt.Fprintf(&b, "\n%s: %s", keyOf(u), msg)
		for _, line := range r.diagnose(dctx, u) {
			b.WriteString("\n  ")
			b.WriteString(line)
		}
	}
	return errs.New(errs.Transient, "%s", r.red.String(b.String()))
}
