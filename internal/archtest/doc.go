// Package archtest holds tests that keep pave's architecture honest: the pure
// core packages do no I/O, and dependencies point inward.
package archtest
