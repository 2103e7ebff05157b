package gitops

import "strings"

// clusterScoped are the cluster-scoped kinds of Kubernetes' own API
// groups, by "<group>/<kind>" (core group: "/<kind>").
var clusterScoped = map[string]bool{
	"/Namespace": true, "/Node": true, "/PersistentVolume": true, "/ComponentStatus": true,
	"rbac.authorization.k8s.io/ClusterRole":                         true,
	"rbac.authorization.k8s.io/ClusterRoleBinding":                  true,
	"apiextensions.k8s.io/CustomResourceDefinition":                 true,
	"apiregistration.k8s.io/APIService":                             true,
	"storage.k8s.io/StorageClass":                                   true,
	"storage.k8s.io/CSIDriver":                                      true,
	"storage.k8s.io/CSINode":                                        true,
	"storage.k8s.io/VolumeAttachment":                               true,
	"storage.k8s.io/VolumeAttributesClass":                          true,
	"admissionregistration.k8s.io/MutatingWebhookConfiguration":     true,
	"admissionregistration.k8s.io/ValidatingWebhookConfiguration":   true,
	"admissionregistration.k8s.io/ValidatingAdmissionPolicy":        true,
	"admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding": true,
	"admissionregistration.k8s.io/MutatingAdmissionPolicy":          true,
	"admissionregistration.k8s.io/MutatingAdmissionPolicyBinding":   true,
	"scheduling.k8s.io/PriorityClass":                               true,
	"networking.k8s.io/IngressClass":                                true,
	"networking.k8s.io/IPAddress":                                   true,
	"networking.k8s.io/ServiceCIDR":                                 true,
	"node.k8s.io/RuntimeClass":                                      true,
	"certificates.k8s.io/CertificateSigningRequest":                 true,
	"certificates.k8s.io/ClusterTrustBundle":                        true,
	"flowcontrol.apiserver.k8s.io/FlowSchema":                       true,
	"flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration":       true,
	"resource.k8s.io/DeviceClass":                                   true,
	"resource.k8s.io/ResourceSlice":                                 true,
	"policy/PodSecurityPolicy":                                      true,
	"migration.k8s.io/StorageVersionMigration":                      true,
	"internal.apiserver.k8s.io/StorageVersion":                      true,
	"apiserverinternal.k8s.io/StorageVersion":                       true,
	"authentication.k8s.io/SelfSubjectReview":                       true,
	"authorization.k8s.io/SelfSubjectAccessReview":                  true,
	"authorization.k8s.io/SubjectAccessReview":                      true,
	"authorization.k8s.io/SelfSubjectRulesReview":                   true,
	"authentication.k8s.io/TokenReview":                             true,
}

// isClusterScoped guesses an object's scope without a cluster to ask: the
// cluster-scoped kinds of Kubernetes' own API groups, and any kind whose
// name starts with "Cluster" (ClusterIssuer, ClusterSecretStore,
// ClusterPolicy…), as is the convention for custom resources.
func isClusterScoped(o map[string]any) bool {
	api, _ := o["apiVersion"].(string)
	kind, _ := o["kind"].(string)
	group := ""
	if g, _, ok := strings.Cut(api, "/"); ok {
		group = g
	}
	return clusterScoped[group+"/"+kind] || strings.HasPrefix(kind, "Cluster")
}

// setNamespace puts a namespaced object without a namespace into ns, as an
// applier would: in Git the object must say where it goes, or Argo CD or
// Flux put it in their own default namespace.
func setNamespace(o map[string]any, ns string) {
	if isClusterScoped(o) {
		return
	}
	meta, ok := o["metadata"].(map[string]any)
	if !ok {
		return
	}
	if cur, _ := meta["namespace"].(string); cur == "" {
		meta["namespace"] = ns
	}
}
