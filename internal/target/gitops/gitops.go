package gitops

import (
	"github.com/pavedev/pave/internal/target"
)

// Name is the target's name in the registry and in environments.
const Name = "gitops"

// maxAttempts bounds how often one deploy or destroy pushes after the
// branch moved under it.
const maxAttempts = 5

// Options configure the gitops target.
type Options struct {
	// HashKey is a stable platform secret key. The pod template annotation
	// pave.dev/config-hash and the fingerprints of encrypted Secrets are
	// HMACs under it, so that nothing committed is an oracle for guessing
	// secret values. It must be the same wherever pave deploys to the same
	// repository, or every deploy from another place is a change. A
	// deployment with Secrets is refused when it is empty.
	HashKey []byte
}

// Target is the gitops target. It keeps no state between calls and is
// safe for concurrent use.
type Target struct {
	opts Options

	// beforePush, when set (by tests), runs after the commit is made and
	// before it is pushed, with the attempt number from 1.
	beforePush func(attempt int)
}

// New returns a gitops target.
func New(opts Options) *Target {
	return &Target{opts: Options{HashKey: append([]byte(nil), opts.HashKey...)}}
}

var (
	_ target.Target    = (*Target)(nil)
	_ target.Describer = (*Target)(nil)
)

// Describe documents the target and its config keys.
func (t *Target) Describe() target.Info {
	return target.Info{
		Name: Name,
		Description: "Commits the deployment's Kubernetes manifests to a Git repository that Argo CD or Flux " +
			"syncs: one file per object plus a kustomization.yaml under path, replaced as a whole (removed objects " +
			"are pruned) in one commit per deployment naming the app, environment, deployment id and plan hash, " +
			"rebased onto the remote head and pushed again when the branch moved; no change makes no commit. " +
			"Secrets are never committed in clear: with ageRecipients each is committed encrypted with age as " +
			"secrets/<name>.yaml.age, otherwise only their names and keys are listed in SECRETS.md, to be provided " +
			"in the cluster (for example by an external secrets operator). Destroy removes the directory in one commit.",
		Config: configInputs,
	}
}
