# METADATA
# title: Agents need a person's approval to change production
# description: |
#   An AI agent (actor kind "agent") may plan anything, but to deploy to,
#   promote to, roll back, destroy or delete a production environment it
#   needs the approval of a person, bound to the plan's hash.
package pave.agent_production_approval

guarded_actions := {"deploy", "destroy", "promote", "rollback", "delete-env"}

approval contains msg if {
	input.actor.kind == "agent"
	input.environment.type == "production"
	input.action in guarded_actions
	msg := sprintf("agent %q may %s production environment %q only with the approval of a person", [input.actor.id, input.action, input.environment.name])
}
