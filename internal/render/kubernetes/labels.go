package kubernetes

// AppLabels returns the labels Render puts on every object of app in env:
// app.kubernetes.io/managed-by, app.kubernetes.io/instance, pave.dev/app
// and pave.dev/env, with values made valid label values. A target selects
// an app environment's objects with exactly these labels.
func AppLabels(app, env string) map[string]string {
	return map[string]string{
		LabelManagedBy: ManagedByPave,
		LabelInstance:  labelValue(app + "-" + env),
		LabelApp:       labelValue(app),
		LabelEnv:       labelValue(env),
	}
}

// DefaultNamespace returns the namespace Render uses when Options.Namespace
// is empty: "<app>-<env>" made a DNS label. It is empty when app and env
// give no usable name.
func DefaultNamespace(app, env string) string { return dnsLabel(app + "-" + env) }

// IsDNSLabel reports whether s is an RFC 1123 label, as namespace names
// must be: at most 63 lower-case letters, digits and '-', starting and
// ending with a letter or digit.
func IsDNSLabel(s string) bool { return isDNSLabel(s) }
