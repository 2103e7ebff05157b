# METADATA
# title: No database reachable from the internet
# description: |
#   Databases stay private. A plan is denied when
#   - a resource of a database type (postgres, mysql, mongodb, redis,
#     elasticsearch) is marked public: its params or its driver inputs set
#     `public` or `publiclyAccessible` to true (or the string "true"); or
#   - a `route` resource targets a database: its params or inputs `target`
#     is the uid or the id of a database resource of the same plan.
#   It holds in every environment type, for every action but tearing down
#   (destroy, delete-env), since removing a public database is the fix.
#   Extend database_types when the platform offers another database type.
package pave.no_public_database

database_types := {"postgres", "mysql", "mongodb", "redis", "elasticsearch"}

public_flags := {"public", "publiclyAccessible"}

teardown_actions := {"destroy", "delete-env"}

deny contains msg if {
	not input.action in teardown_actions
	some db in databases
	some section in ["params", "inputs"]
	some flag in public_flags
	is_true(db[section][flag])
	msg := sprintf("%s resource %q is reachable from the internet (%s.%s is true): databases must stay private", [db.type, db.uid, section, flag])
}

deny contains msg if {
	not input.action in teardown_actions
	some route in input.plan.resources
	route.type == "route"
	some section in ["params", "inputs"]
	some db in databases
	names(route[section].target, db)
	msg := sprintf("route %q exposes %s resource %q to the internet: databases must stay private", [route.uid, db.type, db.uid])
}

databases contains r if {
	some r in input.plan.resources
	r.type in database_types
}

is_true(v) if v == true

is_true(v) if {
	is_string(v)
	lower(v) == "true"
}

# names holds when target is the uid or the id of resource r.
names(target, r) if target == r.uid

names(target, r) if target == r.id
