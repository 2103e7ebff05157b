package pave.ephemeral_ttl_test

import data.pave.ephemeral_ttl.deny

run(action, env) := {"action": action, "environment": env}

test_ephemeral_with_ttl_allowed if {
	every ttl in ["72h", "30m", "1h30m", "1.5h"] {
		count(deny) == 0 with input as run("create-env", {"name": "pr-123", "type": "development", "ephemeral": true, "ttl": ttl})
	}
}

test_ephemeral_without_ttl_denied if {
	deny == {`ephemeral environment "pr-123" has no ttl: set one, such as "72h", so that it is cleaned up`} with input as run("create-env", {"name": "pr-123", "type": "development", "ephemeral": true})
	count(deny) == 1 with input as run("deploy", {"name": "pr-123", "type": "development", "ephemeral": true, "ttl": ""})
}

test_invalid_ttl_denied if {
	every ttl in ["3 days", "1d", "0s", "-1h", "forever"] {
		msgs := deny with input as run("deploy", {"name": "pr-123", "type": "development", "ephemeral": true, "ttl": ttl})
		some msg in msgs
		contains(msg, "is not a positive duration")
	}
}

test_permanent_environment_needs_no_ttl if {
	count(deny) == 0 with input as run("create-env", {"name": "staging", "type": "staging", "ephemeral": false})
}

test_other_actions_not_checked if {
	count(deny) == 0 with input as run("destroy", {"name": "pr-123", "type": "development", "ephemeral": true})
}
