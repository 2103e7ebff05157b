package kubernetes

import (
	"maps"
	"slices"
	"strings"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

// Pod volume names for the workload's files; volume-resource volumes are
// named "vol-<source>", so they never collide with these.
const (
	filesVolume       = "pave-files"
	secretFilesVolume = "pave-secret-files"
)

// workloadRender collects what one workload's containers contribute to
// the shared ConfigMap, Secret and pod volumes.
type workloadRender struct {
	w       *target.Workload
	config  *dataSet // the ConfigMap
	secret  *dataSet // the Secret
	pvcs    map[string]string
	volumes *allocator
	// secretVars maps a variable name to the Secret key and value that
	// first took it, so containers sharing a value share the key.
	secretVars map[string]secretVar
}

type secretVar struct {
	key   string
	value string
}

// workload renders one workload into its objects and its Secret (nil when
// it has no secret material).
func (rc *renderContext) workload(w *target.Workload) ([]map[string]any, map[string]any, error) {
	if !isDNS1035(w.Name) {
		return nil, nil, errs.New(errs.Invalid, "workload %q: name must be a DNS label starting with a letter (lower-case letters, digits and '-', at most 63)", w.Name)
	}
	kind := "Deployment"
	if k, ok := w.Annotations[AnnotationKind]; ok {
		if k != "Deployment" && k != "StatefulSet" {
			return nil, nil, errs.New(errs.Invalid, "workload %q: annotation %s is %q; use Deployment or StatefulSet", w.Name, AnnotationKind, k)
		}
		kind = k
	}
	if len(w.Containers) == 0 {
		return nil, nil, errs.New(errs.Invalid, "workload %q has no containers", w.Name)
	}
	wr := &workloadRender{
		w:          w,
		config:     newDataSet(),
		secret:     newDataSet(),
		pvcs:       map[string]string{},
		volumes:    newAllocator(dnsLabel),
		secretVars: map[string]secretVar{},
	}
	var problems errs.List
	containers := make([]any, 0, len(w.Containers))
	seen := map[string]bool{}
	for i := range w.Containers {
		c := &w.Containers[i]
		if seen[c.Name] {
			problems.Add(errs.New(errs.Invalid, "workload %q: container %q is listed twice", w.Name, c.Name))
			continue
		}
		seen[c.Name] = true
		obj, err := wr.container(c)
		if err != nil {
			problems.Add(err)
			continue
		}
		containers = append(containers, obj)
	}
	if err := problems.Err(); err != nil {
		return nil, nil, err
	}

	labels := rc.workloadLabels(w.Name)
	selector := copyMap(labels)
	podLabels := copyMap(labels)
	for k, v := range w.Labels {
		if _, pave := podLabels[k]; !pave {
			podLabels[k] = v
		}
	}
	objLabels := copyMap(podLabels)

	var objs []map[string]any
	configName, secretName := w.Name+"-files", w.Name+"-secrets"
	if !wr.config.empty() {
		cm := object("v1", "ConfigMap", rc.ns, configName, copyMap(objLabels))
		if len(wr.config.text) > 0 {
			cm["data"] = wr.config.textMap()
		}
		if len(wr.config.binary) > 0 {
			cm["binaryData"] = wr.config.binaryMap()
		}
		objs = append(objs, cm)
	}
	var secret map[string]any
	if !wr.secret.empty() {
		secret = object("v1", "Secret", rc.ns, secretName, copyMap(objLabels))
		secret["type"] = "Opaque"
		secret["data"] = wr.secret.secretMap()
	}

	podAnnotations := map[string]any{AnnotationHash: configHash(rc.key, wr.config, wr.secret)}
	objAnnotations := map[string]any{}
	for k, v := range w.Annotations {
		objAnnotations[k] = v
		if !strings.HasPrefix(k, annotationPave) {
			podAnnotations[k] = v
		}
	}
	podSpec := map[string]any{"containers": containers}
	if vols := wr.podVolumes(configName, secretName); len(vols) > 0 {
		podSpec["volumes"] = vols
	}
	spec := map[string]any{
		"replicas": int64(1),
		"selector": map[string]any{"matchLabels": selector},
		"template": map[string]any{
			"metadata": map[string]any{"labels": podLabels, "annotations": podAnnotations},
			"spec":     podSpec,
		},
	}
	if kind == "StatefulSet" {
		spec["serviceName"] = w.Name
	}
	wl := object("apps/v1", kind, rc.ns, w.Name, copyMap(objLabels))
	if len(objAnnotations) > 0 {
		wl["metadata"].(map[string]any)["annotations"] = objAnnotations
	}
	wl["spec"] = spec
	objs = append(objs, wl)

	if len(w.Ports) > 0 {
		svc, err := service(rc.ns, w, copyMap(objLabels), copyMap(selector))
		if err != nil {
			return nil, nil, err
		}
		objs = append(objs, svc)
	}
	return objs, secret, nil
}

func (rc *renderContext) workloadLabels(workload string) map[string]any {
	l := copyMap(rc.appLabels)
	l[LabelName] = workload
	l[LabelWorkload] = workload
	return l
}

// podVolumes lists the pod's volumes: files, secret files, then claims by
// volume name.
func (wr *workloadRender) podVolumes(configName, secretName string) []any {
	var vols []any
	if items := wr.config.items(); len(items) > 0 {
		vols = append(vols, map[string]any{"name": filesVolume,
			"configMap": map[string]any{"name": configName, "items": items}})
	}
	if items := wr.secret.items(); len(items) > 0 {
		vols = append(vols, map[string]any{"name": secretFilesVolume,
			"secret": map[string]any{"secretName": secretName, "items": items}})
	}
	for _, name := range slices.Sorted(maps.Keys(wr.pvcs)) {
		vols = append(vols, map[string]any{"name": name,
			"persistentVolumeClaim": map[string]any{"claimName": wr.pvcs[name]}})
	}
	return vols
}
