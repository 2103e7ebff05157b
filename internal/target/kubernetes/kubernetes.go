// Package kubernetes is pave's kubernetes target: it applies a deployment
// to a cluster through the Kubernetes API with client-go's dynamic client.
//
// Deploy renders the deployment with internal/render/kubernetes, creates
// the namespace when it is missing, and server-side applies every object,
// the Secrets included (field manager "pave", forcing conflicts), in apply
// order. Namespaced objects without a namespace go into the deployment's
// namespace. Secret values travel to the API server only: they are never
// written to disk, and every error pave returns has them redacted.
//
// Ownership is recorded with labels: every object carries
// app.kubernetes.io/managed-by=pave, pave.dev/app and pave.dev/env (see
// kube.AppLabels). After applying, Deploy prunes: it deletes the objects
// that carry those three labels but are not part of the new deployment,
// for the kinds pave manages (Deployment, StatefulSet, Service, ConfigMap,
// Secret) and every kind of extra manifest this app environment has
// applied. Objects without pave's labels are never touched; Namespaces and
// CustomResourceDefinitions are never pruned, because deleting them deletes
// everything they hold.
//
// The kinds and namespaces an app environment has used are kept in an
// inventory ConfigMap "pave-inventory-<app>-<env>" in its namespace (no
// secret values), so that a kind dropped from the extra manifests is
// still pruned, and so that Destroy finds everything.
//
// Deploy then waits for the rollout of every Deployment and StatefulSet,
// at most the config's rolloutTimeout: until the controller has observed
// the new generation and the updated, ready and available replicas are the
// desired ones. A Deployment whose progress deadline is exceeded fails at
// once. On failure the error names each workload that is not ready with
// its status conditions, the waiting reasons of its pods' containers and
// the latest events of it, its ReplicaSets and its pods.
//
// Destroy deletes every object of the app environment by label, then the
// namespace when pave created it for this app environment (pave labels the
// namespaces it creates, and never deletes one that still holds pave
// objects of another app environment), and succeeds when nothing is left.
package kubernetes

import (
	"time"

	"github.com/pavedev/pave/internal/target"
)

// Name is the target's name in the registry and in environments.
const Name = "kubernetes"

// FieldManager is the server-side apply field manager of every object pave
// applies.
const FieldManager = "pave"

// Options configure the kubernetes target.
type Options struct {
	// PollInterval spaces the status polls of a rollout; zero means one
	// second.
	PollInterval time.Duration
}

// Target is the kubernetes target.
type Target struct {
	poll time.Duration
}

// New returns a kubernetes target.
func New(opts Options) *Target {
	poll := opts.PollInterval
	if poll <= 0 {
		poll = time.Second
	}
	return &Target{poll: poll}
}

var (
	_ target.Target         = (*Target)(nil)
	_ target.StatusReporter = (*Target)(nil)
	_ target.Describer      = (*Target)(nil)
)

// Describe documents the target and its config keys.
func (t *Target) Describe() target.Info {
	return target.Info{
		Name: Name,
		Description: "Applies workloads to a Kubernetes cluster with server-side apply (field manager \"pave\"): " +
			"a Deployment or StatefulSet per workload, its ConfigMap, Secret and Service, and the extra manifests " +
			"of resources, in namespace <app>-<env> unless configured (created when missing). Objects are labelled " +
			"with pave.dev/app, pave.dev/env and app.kubernetes.io/managed-by=pave; those a deployment no longer " +
			"has are pruned. A deploy waits for the rollout and reports conditions and events when it fails.",
		Config: configInputs,
	}
}
