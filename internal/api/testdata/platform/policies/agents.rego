package pave.agents

approval contains msg if {
	input.actor.kind == "agent"
	input.action in {"deploy", "destroy", "promote", "rollback"}
	msg := sprintf("agent %q needs a person's approval", [input.actor.id])
}
