package pave.agents_test

import data.pave.agents.approval

test_agent_needs_approval if {
	count(approval) == 1 with input as {"action": "deploy", "actor": {"id": "bot", "kind": "agent"}}
}
