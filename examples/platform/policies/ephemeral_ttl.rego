# METADATA
# title: Ephemeral environments expire
# description: |
#   An ephemeral environment (a preview, a pull request's environment) must
#   have a time to live, so that it is cleaned up: creating one or deploying
#   to one is denied when its ttl is empty, is not a duration ("72h",
#   "30m", "1h30m": Go's units ns, us, ms, s, m, h), or is not positive.
package pave.ephemeral_ttl

checked_actions := {"create-env", "deploy"}

duration_pattern := `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`

deny contains msg if {
	input.environment.ephemeral == true
	input.action in checked_actions
	not ttl_set
	msg := sprintf("ephemeral environment %q has no ttl: set one, such as \"72h\", so that it is cleaned up", [input.environment.name])
}

deny contains msg if {
	input.environment.ephemeral == true
	input.action in checked_actions
	ttl_set
	not valid_ttl
	msg := sprintf("ephemeral environment %q: ttl %s is not a positive duration such as \"72h\"", [input.environment.name, json.marshal(input.environment.ttl)])
}

ttl_set if input.environment.ttl != ""

valid_ttl if {
	is_string(input.environment.ttl)
	regex.match(duration_pattern, input.environment.ttl)
	time.parse_duration_ns(input.environment.ttl) > 0
}
