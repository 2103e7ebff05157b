package pave.images

deny contains msg if {
	some w in input.plan.workloads
	some c in w.containers
	endswith(c.image, ":forbidden")
	msg := sprintf("container %q uses a forbidden image", [c.name])
}
