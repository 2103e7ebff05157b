// Package secrets keeps secrets safe at rest and out of text: a Sealer seals
// values with AES-256-GCM under a versioned header naming its key (so keys
// can be rotated), keys come from PAVE_SECRET_KEY or a 0600 key file in the
// state directory, and a Redactor masks known secret values in logs, error
// messages and driver output.
package secrets
