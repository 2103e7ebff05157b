package kubernetes

import (
	"context"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/pavedev/pave/internal/target"
)

// workloadKinds are the kinds Status reports on.
var workloadKinds = []schema.GroupKind{
	{Group: "apps", Kind: "Deployment"},
	{Group: "apps", Kind: "StatefulSet"},
}

// failingReasons are container waiting reasons that a rollout does not
// get past by waiting.
var failingReasons = []string{
	"CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "InvalidImageName",
	"CreateContainerConfigError", "CreateContainerError", "RunContainerError",
}

// Status reports each Deployment and StatefulSet of app in env: ready and
// desired replicas, container restarts, and a state: "running" when
// rolled out, "starting" while rolling out, "failed" when the progress
// deadline passed or a container cannot start, "stopped" when scaled to
// zero or being deleted.
func (t *Target) Status(ctx context.Context, cfg target.Config, app, env string) ([]target.WorkloadStatus, error) {
	r, err := t.newRun(cfg, app, env, nil, nil)
	if err != nil {
		return nil, err
	}
	r.red = newRedactor(secretValues(nil, nil, r.s.hashKey))
	out, err := r.status(ctx)
	return out, r.red.err(err)
}

func (r *run) status(ctx context.Context) ([]target.WorkloadStatus, error) {
	inv, err := r.readInventory(ctx)
	if err != nil {
		return nil, err
	}
	items, err := r.owned(ctx, workloadKinds, inv.Namespaces)
	if err != nil {
		return nil, err
	}
	out := make([]target.WorkloadStatus, 0, len(items))
	for _, u := range items {
		if metav1.GetControllerOfNoCopy(u) != nil {
			continue
		}
		out = append(out, r.workloadStatus(ctx, u))
	}
	slices.SortFunc(out, func(a, b target.WorkloadStatus) int { return strings.Compare(a.Workload, b.Workload) })
	return out, nil
}

func (r *run) workloadStatus(ctx context.Context, u *unstructured.Unstructured) target.WorkloadStatus {
	ro := rolloutOf(u)
	ws := target.WorkloadStatus{
		Workload: workloadName(u),
		Ready:    int(ro.ready),
		Desired:  int(ro.desired),
		Message:  ro.summary,
	}
	var problem string
	if sel, ok := podSelector(u); ok {
		pods, err := r.c.dyn.Resource(podGVR).Namespace(u.GetNamespace()).List(ctx, metav1.ListOptions{LabelSelector: sel})
		if err == nil {
			for i := range pods.Items {
				n, p := podRestarts(&pods.Items[i])
				ws.Restarts += n
				if problem == "" {
					problem = p
				}
			}
		}
	}
	switch {
	case u.GetDeletionTimestamp() != nil || ro.desired == 0:
		ws.State = "stopped"
	case ro.failed != "":
		ws.State, ws.Message = "failed", ro.failed
	case problem != "":
		ws.State, ws.Message = "failed", problem+"; "+ro.summary
	case ro.done:
		ws.State = "running"
	default:
		ws.State = "starting"
	}
	ws.Message = r.red.String(ws.Message)
	return ws
}

// podRestarts sums the restarts of a pod's containers and describes the
// first one that waits for a reason waiting does not cure.
func podRestarts(p *unstructured.Unstructured) (int, string) {
	total, problem := 0, ""
	sts, _, _ := unstructured.NestedSlice(p.Object, "status", "containerStatuses")
	for _, x := range sts {
		st, ok := x.(map[string]any)
		if !ok {
			continue
		}
		n, _, _ := unstructured.NestedInt64(st, "restartCount")
		total += int(n)
		reason, _, _ := unstructured.NestedString(st, "state", "waiting", "reason")
		if problem == "" && slices.Contains(failingReasons, reason) {
			msg, _, _ := unstructured.NestedString(st, "state", "waiting", "message")
			problem = "pod " + p.GetName() + " container " + str(st["name"]) + ": " + reason
			if msg != "" {
				problem += ": " + clip(msg)
			}
		}
	}
	return total, problem
}
