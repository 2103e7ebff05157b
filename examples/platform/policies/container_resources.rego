# METADATA
# title: CPU and memory limits required and capped
# description: |
#   Every container sets a CPU and a memory limit, within the maximum of its
#   environment type:
#
#   | environment type | missing limit | max cpu | max memory |
#   | ---------------- | ------------- | ------- | ---------- |
#   | production       | deny          | 4       | 8Gi        |
#   | staging          | deny          | 2       | 4Gi        |
#   | development      | warn          | 1       | 2Gi        |
#
#   Any other environment type is treated like development. Limits are
#   Kubernetes quantities ("500m", "2", "512Mi", "1G", "129e6"); a limit that
#   is not one is denied in every environment type, so that a typo never
#   slips past the maximum. Tearing down (destroy, delete-env) is not checked.
package pave.container_resources

maximums := {
	"production": {"cpu": "4", "memory": "8Gi"},
	"staging": {"cpu": "2", "memory": "4Gi"},
	"development": {"cpu": "1", "memory": "2Gi"},
}

# limits_required are the environment types where a missing limit denies;
# elsewhere it warns.
limits_required := {"staging", "production"}

teardown_actions := {"destroy", "delete-env"}

kinds := ["cpu", "memory"]

# quantity_pattern is the Kubernetes quantity syntax, without a sign.
quantity_pattern := `^([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][0-9]+|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$`

env_type := t if {
	t := input.environment.type
	maximums[t]
} else := "development"

# maximum is the environment type's maximum of each kind, as numbers.
maximum := {kind: units.parse(q) | some kind, q in maximums[env_type]}

containers contains {"workload": w.name, "container": c.name, "limits": object.get(c, "limits", {})} if {
	not input.action in teardown_actions
	some w in input.plan.workloads
	some c in w.containers
}

# limits are the limits that are set, one per container and kind.
limits contains {"workload": c.workload, "container": c.container, "kind": kind, "quantity": c.limits[kind]} if {
	some c in containers
	some kind in kinds
}

missing contains sprintf("workload %q container %q has no %s limit", [c.workload, c.container, kind]) if {
	some c in containers
	some kind in kinds
	not c.limits[kind]
}

deny contains msg if {
	input.environment.type in limits_required
	some m in missing
	msg := sprintf("%s: limits are required in %s", [m, input.environment.type])
}

warn contains msg if {
	not input.environment.type in limits_required
	some m in missing
	msg := sprintf("%s: set one, it will be required in staging and production", [m])
}

deny contains msg if {
	some l in limits
	not quantity(l.quantity)
	msg := sprintf("workload %q container %q: %s limit %s is not a quantity such as \"500m\", \"2\" or \"512Mi\"", [l.workload, l.container, l.kind, json.marshal(l.quantity)])
}

deny contains msg if {
	some l in limits
	quantity(l.quantity) > maximum[l.kind]
	msg := sprintf("workload %q container %q: %s limit %q exceeds the %s maximum of %s", [l.workload, l.container, l.kind, l.quantity, env_type, maximums[env_type][l.kind]])
}

# quantity is the value of a Kubernetes quantity, undefined when q is not
# one. (Function results are cached per argument: each distinct quantity is
# parsed once per evaluation.)
quantity(q) := units.parse(q) if {
	is_string(q)
	regex.match(quantity_pattern, q)
}
