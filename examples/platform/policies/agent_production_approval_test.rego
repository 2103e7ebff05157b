package pave.agent_production_approval_test

import data.pave.agent_production_approval.approval

run(kind, action, env_type) := {
	"action": action,
	"actor": {"id": "claude", "kind": kind, "roles": [], "teams": []},
	"environment": {"name": "prod-eu", "type": env_type},
}

test_agent_deploy_to_production_needs_approval if {
	approval == {`agent "claude" may deploy production environment "prod-eu" only with the approval of a person`} with input as run("agent", "deploy", "production")
}

test_agent_guarded_actions_need_approval if {
	every action in ["deploy", "destroy", "promote", "rollback", "delete-env"] {
		count(approval) == 1 with input as run("agent", action, "production")
	}
}

test_agent_plan_needs_no_approval if {
	count(approval) == 0 with input as run("agent", "plan", "production")
}

test_agent_outside_production_needs_no_approval if {
	count(approval) == 0 with input as run("agent", "deploy", "staging")
}

test_people_and_ci_need_no_approval if {
	every kind in ["human", "ci", "local"] {
		count(approval) == 0 with input as run(kind, "deploy", "production")
	}
}
