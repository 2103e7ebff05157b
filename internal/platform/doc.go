// Package platform is the platform engineer's side of pave, as code: resource
// types (the typed contract of params and outputs), resource definitions (how
// a type and class is provided where, by which driver), environment types and
// environments. Load reads them from a directory of multi-document YAML files,
// checks them strictly and returns every problem, located; Resolve picks the
// one definition that applies to a resource request by the published
// specificity order (see Criterion.Specificity and docs/matching.md), and
// Explain says why.
//
// The package is pure: it reads only the fs.FS or file contents it is given
// and does no other I/O. A loaded Platform is immutable and safe for
// concurrent use.
package platform
