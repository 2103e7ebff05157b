// Package policy evaluates the platform's Rego policies (Open Policy Agent,
// Rego v1 syntax) against a plan, the actor asking for it and its context.
//
// # Files
//
// Policies are the .rego files of the platform config's policies/ directory,
// handed to this package as a map of file name to contents (see ReadFS); the
// package reads nothing from disk itself. Files named *_test.rego hold Rego
// unit tests: Compile leaves them out, Test runs them.
//
// # Convention
//
// Every module is in a package directly under pave, "package pave.<name>"
// where <name> is a Rego identifier, and the name is the policy's name in
// findings. A policy may be split over several files. A policy module may
// define any of three sets of messages:
//
//	deny contains msg if { ... }      # blocks the action
//	warn contains msg if { ... }      # informs, never blocks
//	approval contains msg if { ... }  # a second person must approve the plan
//
// deny, warn and approval must be exactly such multi-value (set) rules;
// "deny if ..." or "deny := ..." is a compile error rather than a rule that is
// silently never read. Messages should be strings; any other value is
// reported as its JSON text. Any other rule is a helper and is evaluated
// only when one of the three sets needs it.
//
// The input document is Input, serialised with its JSON tags: input.action,
// input.actor, input.app, input.environment and input.plan. A field that is
// not set (an empty string, a missing limit) is absent from the input, so
// "not input.environment.ttl" holds when no TTL is given; nil lists and maps
// are empty. input.schema.json describes it, and the compiler type-checks
// every reference to input against it: "input.enviroment.type" is a compile
// error naming the fields that exist, not a rule that never fires. Resource
// params and inputs and workload annotations are free-form.
//
// # Sandbox
//
// Policies are pure functions of their input. Network and non-deterministic
// built-ins (http.send, net.lookup_ip_addr, opa.runtime, time.now_ns,
// rand.intn, uuid.rfc4122, JWT signing and verification, JSON schema
// checks that may fetch remote references) are not available: a policy that
// calls one fails to compile with a message naming it. print is allowed in
// tests only. Each evaluation runs under a time limit (WithTimeout). A
// built-in that fails (units.parse of "lots") is undefined, as in OPA's
// default mode, so a rule should not rely on one to fail closed: check the
// value's form in Rego first, as container_resources.rego does.
package policy
