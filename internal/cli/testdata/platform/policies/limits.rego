package pave.limits

warn contains msg if {
	some w in input.plan.workloads
	some c in w.containers
	not c.limits.memory
	msg := sprintf("container %q has no memory limit", [c.name])
}
