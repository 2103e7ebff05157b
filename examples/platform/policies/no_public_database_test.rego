package pave.no_public_database_test

import data.pave.no_public_database.deny

db(extra) := object.union({"uid": "postgres.default#shop.db", "type": "postgres", "class": "default", "id": "shop.db", "params": {}, "inputs": {}}, extra)

run(action, resources) := {"action": action, "environment": {"name": "production", "type": "production"}, "plan": {"resources": resources, "workloads": []}}

test_private_database_allowed if {
	count(deny) == 0 with input as run("deploy", [db({})])
}

test_public_param_denied if {
	deny == {`postgres resource "postgres.default#shop.db" is reachable from the internet (params.public is true): databases must stay private`} with input as run("deploy", [db({"params": {"public": true}})])
}

test_publicly_accessible_input_denied if {
	msgs := deny with input as run("plan", [db({"type": "mysql", "inputs": {"publiclyAccessible": true}})])
	some msg in msgs
	contains(msg, "inputs.publiclyAccessible is true")
}

test_string_true_denied if {
	count(deny) == 1 with input as run("deploy", [db({"type": "redis", "params": {"publiclyAccessible": "True"}})])
}

test_false_flag_allowed if {
	count(deny) == 0 with input as run("deploy", [db({"params": {"public": false}, "inputs": {"publiclyAccessible": "false"}})])
}

test_every_database_type_checked if {
	every t in ["postgres", "mysql", "mongodb", "redis", "elasticsearch"] {
		count(deny) == 1 with input as run("deploy", [db({"type": t, "params": {"public": true}})])
	}
}

test_other_types_not_checked if {
	count(deny) == 0 with input as run("deploy", [db({"type": "s3", "params": {"public": true}})])
}

test_route_to_database_denied if {
	route := {"uid": "route.default#web.route", "type": "route", "class": "default", "params": {"host": "shop.example.com", "target": "shop.db"}, "inputs": {}}
	deny == {`route "route.default#web.route" exposes postgres resource "postgres.default#shop.db" to the internet: databases must stay private`} with input as run("deploy", [db({}), route])
}

test_route_to_database_uid_in_inputs_denied if {
	route := {"uid": "route.default#web.route", "type": "route", "class": "default", "params": {}, "inputs": {"target": "postgres.default#shop.db"}}
	count(deny) == 1 with input as run("deploy", [db({}), route])
}

test_route_to_workload_allowed if {
	route := {"uid": "route.default#web.route", "type": "route", "class": "default", "params": {"target": "web"}, "inputs": {}}
	count(deny) == 0 with input as run("deploy", [db({}), route])
}

test_destroy_not_checked if {
	count(deny) == 0 with input as run("destroy", [db({"params": {"public": true}})])
}
