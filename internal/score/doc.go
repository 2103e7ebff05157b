// Package score decodes and validates workloads written in the Score
// specification (apiVersion score.dev/v1b1), applies score-compose style
// overrides, and parses and renders Score placeholders (${metadata.name},
// ${resources.db.host}, $$ escapes) for workloads and, through the same
// Template API, for platform definitions.
//
// The package is pure: it reads only the bytes it is given and does no I/O
// (TestPure keeps it so). Every problem in a file is reported at once, as
// an errs.List sorted by file, line and path, each item
// "file:line: /json/pointer: message".
//
// Decisions where the Score schema leaves room or pave is stricter:
//
//   - Validation follows the official JSON schema (score-spec/score-go
//     schema/files/score-v1b1.json): unknown fields are errors, names are
//     RFC 1123 labels of 2 to 63 characters, resource ids may hold dots.
//   - Variable values must be strings, as the schema says; unquoted numbers
//     and booleans are errors with a hint to quote them.
//   - Files and volumes may be written in the current map form (keyed by
//     target path) or the deprecated list form; both decode to maps.
//   - A probe must set httpGet, exec or both (the schema allows both and
//     says exec is to be preferred then); an empty probe is an error, as is
//     an exec probe with an empty command.
//   - CPU and memory use the Kubernetes quantity grammar (see
//     ParseQuantity), a superset of the schema's patterns; a request above
//     its limit is an error.
//   - Placeholders are expanded in container variables, inline file content
//     (unless noExpand), volume sources and resource params, never in
//     command or args. A "${" without "}" is an error, where Score
//     implementations leave it as text. References must name metadata that
//     exists or a resource of the workload, and a resource's params cannot
//     refer to the resource itself.
//   - Substitute keeps the type of a value that fills a whole string
//     ("${resources.db.port}" becomes the number 5432); within text,
//     non-string values are JSON-encoded.
//
// A Workload is read-only after Parse and safe for concurrent use.
package score
