// Package gitops is pave's gitops target: a deployment becomes one commit
// of Kubernetes manifests in a Git repository that Argo CD or Flux syncs to
// a cluster. pave never talks to the cluster itself.
//
// # Layout
//
// The deployment is rendered by internal/render/kubernetes and written
// under the configured path of the branch (default "<app>/<env>"), one file
// per object:
//
//	<path>/kustomization.yaml        lists every object file, in apply order
//	<path>/<kind>-<name>.yaml        one object, e.g. deployment-web.yaml
//	<path>/SECRETS.md                when the deployment has Secrets (below)
//	<path>/secrets/<name>.yaml.age   with ageRecipients: each Secret, encrypted
//	<path>/secrets/fingerprints.txt  with ageRecipients: see "Secrets"
//
// The objects go to the namespace config key names, or "<app>-<env>"; the
// Namespace object is committed only for the latter, since a namespace the
// platform config names is the platform's and may be shared by several
// apps. An object without a namespace is put in the deployment's
// namespace, as an applier would, unless its kind is a
// cluster-scoped kind of Kubernetes' own API groups or starts with
// "Cluster" (ClusterIssuer, ClusterSecretStore…): in Git it must say where
// it goes, or Argo CD or Flux would put it in a namespace of their own.
// A cluster-scoped custom resource of any other kind would wrongly get a
// namespace too: pave cannot ask the cluster which scope a kind has.
//
// File names are lower case; a name that two objects would share (same
// kind and name in two namespaces or API groups) gets a short hash suffix.
// Argo CD and Flux both build the directory with kustomize; with Flux,
// point a Kustomization's spec.path at it.
//
// # Commits
//
// Each Deploy clones the branch into memory (history depth 1), replaces
// the whole directory at path with the rendered files, so that the files
// of objects no longer deployed are removed, and pushes one commit whose
// message names the app, the environment, the deployment id and the plan
// hash (also as Pave-App, Pave-Environment, Pave-Deployment and Pave-Plan
// trailers). When the rendered directory is byte for byte what the branch
// already holds, nothing is committed and a progress event says so.
// Destroy removes the directory in one commit, and commits nothing when it
// is already gone. Both return once the commit is pushed: applying it to
// the cluster is Argo CD's or Flux's, and pave does not wait for that.
//
// When the push is rejected because the branch moved (someone else pushed
// in between), the target fetches the new head and applies its directory
// again on top of it, leaving every other path of the new head as it is,
// then pushes again, up to five attempts in all. Only this target's path
// is ever written: the rest of the repository belongs to others.
//
// # Secrets
//
// Secret values are never committed in clear. The renderer's Secrets (a
// workload's secret variables and files, and v1 Secrets among the extra
// manifests) are handled in one of two ways:
//
//   - With ageRecipients (age X25519 public keys, "age1…"), each Secret
//     manifest is encrypted with age (ASCII-armored) to all the recipients
//     and committed as secrets/<name>.yaml.age. age is the encryption SOPS
//     and Flux use for Git; the holder of an identity decrypts with
//     `age --decrypt -i key.txt secrets/<name>.yaml.age | kubectl apply -f -`
//     or a controller that does the same. The encrypted files are not
//     listed in kustomization.yaml, because kustomize cannot read them.
//     age encryption is randomized, so to keep "no change, no commit" true
//     the target records in secrets/fingerprints.txt an HMAC-SHA256, under
//     Options.HashKey, of each Secret's plaintext and the recipients, and
//     keeps the committed ciphertext while that fingerprint is unchanged.
//   - Without ageRecipients the Secrets are not committed at all. SECRETS.md
//     lists each Secret's name, namespace and keys (never values), which
//     must be provided in the cluster under the same names, for example by
//     the External Secrets Operator.
//
// In both cases SECRETS.md says which applies. The pod template annotation
// pave.dev/config-hash, which changes with secret values, is an HMAC under
// Options.HashKey so that it is no offline guessing oracle: a deployment
// with Secrets is refused when no HashKey is set.
//
// Extra manifests of other kinds are committed as they are: a resource
// driver must not put secret values in anything but a v1 Secret.
//
// # Repositories and credentials
//
// repository is a local path or file:// URL (served by the git-upload-pack
// and git-receive-pack programs of an installed git), an http(s):// URL or
// an ssh:// or scp-style (git@host:org/repo.git) URL. username and
// password, or token (sent as the password of HTTP basic authentication,
// which GitHub, GitLab, Gitea and Bitbucket accept for access tokens),
// authenticate over HTTP(S); sshKey, an unencrypted private key, over SSH,
// checked against knownHosts or else the known_hosts files of the user
// (SSH_KNOWN_HOSTS, ~/.ssh/known_hosts, /etc/ssh/ssh_known_hosts). These
// values come from platform secrets: they never appear in errors, events or
// logs, and credentials are refused over plain http:// except to a loopback
// address.
package gitops
