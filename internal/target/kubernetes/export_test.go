package kubernetes

// Test helpers for the external test package (kubernetes_test).
var (
	RequireCluster   = requireCluster
	AdminClient      = adminClient
	RolloutSimulator = rolloutSimulator
)
