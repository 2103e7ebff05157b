package pave.container_resources_test

import data.pave.container_resources.deny
import data.pave.container_resources.warn

run(env_type, limits) := {
	"action": "deploy",
	"environment": {"name": env_type, "type": env_type},
	"plan": {"resources": [], "workloads": [{"name": "api", "containers": [{"name": "main", "image": "api:1.0", "limits": limits, "requests": {}}]}]},
}

test_limits_within_maximum_allowed if {
	every t in ["production", "staging", "development"] {
		count(deny) == 0 with input as run(t, {"cpu": "500m", "memory": "512Mi"})
		count(warn) == 0 with input as run(t, {"cpu": "500m", "memory": "512Mi"})
	}
}

test_missing_limits_denied_in_production if {
	deny == {
		`workload "api" container "main" has no cpu limit: limits are required in production`,
		`workload "api" container "main" has no memory limit: limits are required in production`,
	} with input as run("production", {})
}

test_missing_limit_denied_in_staging if {
	deny == {`workload "api" container "main" has no memory limit: limits are required in staging`} with input as run("staging", {"cpu": "1"})
}

test_missing_limit_warns_in_development if {
	count(deny) == 0 with input as run("development", {"cpu": "1"})
	warn == {`workload "api" container "main" has no memory limit: set one, it will be required in staging and production`} with input as run("development", {"cpu": "1"})
}

test_missing_limits_object_warns if {
	inp := json.patch(run("development", {}), [{"op": "remove", "path": "/plan/workloads/0/containers/0/limits"}])
	count(warn) == 2 with input as inp
}

test_maximum_per_environment_type if {
	deny == {`workload "api" container "main": cpu limit "4500m" exceeds the production maximum of 4`} with input as run("production", {"cpu": "4500m", "memory": "8Gi"})
	deny == {`workload "api" container "main": memory limit "5Gi" exceeds the staging maximum of 4Gi`} with input as run("staging", {"cpu": "2", "memory": "5Gi"})
	count(deny) == 2 with input as run("development", {"cpu": "2", "memory": "3Gi"})
}

test_decimal_and_exponent_quantities if {
	count(deny) == 0 with input as run("development", {"cpu": "0.5", "memory": "2G"})
	count(deny) == 0 with input as run("development", {"cpu": "1", "memory": "129e6"})
	count(deny) == 1 with input as run("development", {"cpu": "1", "memory": "3G"})
}

test_unknown_environment_type_uses_development if {
	count(deny) == 1 with input as run("preview", {"cpu": "2", "memory": "1Gi"})
	count(warn) == 1 with input as run("preview", {"cpu": "1"})
}

test_invalid_quantity_denied_everywhere if {
	every t in ["production", "development", "preview"] {
		deny == {`workload "api" container "main": memory limit "1Gb" is not a quantity such as "500m", "2" or "512Mi"`} with input as run(t, {"cpu": "1", "memory": "1Gb"})
	}
	count(deny) == 1 with input as run("development", {"cpu": 1, "memory": "1Gi"})
	count(deny) == 1 with input as run("development", {"cpu": "-1", "memory": "1Gi"})
}

test_destroy_not_checked if {
	inp := json.patch(run("production", {}), [{"op": "replace", "path": "/action", "value": "destroy"}])
	count(deny) == 0 with input as inp
}
