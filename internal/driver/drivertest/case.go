// Package drivertest is the conformance suite every pave driver passes. One
// call, Run, exercises a driver against the real thing it manages:
// idempotent provisioning, updates, repeated deprovisioning, declared
// outputs, cancellation, state that survives a JSON round trip, strict
// inputs and errors that name no secret.
package drivertest

import (
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"

	"github.com/pavedev/pave/internal/driver"
)

// Kind is the JSON kind an output must have.
type Kind string

// The JSON kinds an output may be declared with. Any accepts every kind.
const (
	Any    Kind = ""
	String Kind = "string"
	Number Kind = "number"
	Bool   Kind = "boolean"
	Object Kind = "object"
	Array  Kind = "array"
)

// Output declares one output every provision must return.
type Output struct {
	Name string
	Kind Kind
	// Secret outputs must never appear in an error the driver returns.
	Secret bool
}

// Case says how to exercise one driver.
type Case struct {
	// Request returns a fresh request for the resource identified by uid:
	// Type, Class, Params and Inputs. The suite sets UID and, when left
	// empty, Context. It is called many times and must return new maps
	// each time.
	Request func(uid string) *driver.Request
	// Update changes a request's params or inputs so that provisioning it
	// again is an update of the same resource. Nil skips the update check.
	Update func(req *driver.Request)
	// Outputs are the outputs every provision must return. Other outputs
	// may be returned too.
	Outputs []Output
	// Verify checks that the resource the outputs describe really exists,
	// for example by connecting with the returned credentials. Nil is
	// allowed for pure drivers only.
	Verify func(t *testing.T, outputs map[string]any)
	// VerifyUpdate, when set, checks that the update took effect. req is
	// the updated request as provisioned, with the state the driver
	// returned before the update.
	VerifyUpdate func(t *testing.T, req *driver.Request, outputs map[string]any)
	// VerifyGone checks that nothing is left of the resource req described.
	// req carries the state and outputs of the last provision, or none when
	// the resource was never provisioned. Nil is allowed for pure drivers.
	VerifyGone func(t *testing.T, req *driver.Request)
	// OutputsMayChange allows provisioning an unchanged request again to
	// return different (valid) outputs. Drivers that keep what they
	// generated in State leave it false.
	OutputsMayChange bool
}

// UID returns a unique resource UID for a test, starting with "pavetest_"
// so that leftovers are easy to find, and holding the characters real UIDs
// hold (dots, "#", upper case) so that drivers' name sanitizing is
// exercised. what describes the resource.
func UID(t testing.TB, what string) string {
	var b [4]byte
	rand.Read(b[:])
	name := strings.Trim(nonWord.ReplaceAllString(t.Name(), "-"), "-")
	if i := strings.LastIndexByte(name, '-'); len(name) > 24 && i > 0 {
		name = name[len(name)-24:]
	}
	return "pavetest_" + hex.EncodeToString(b[:]) + "." + name + "#" + what
}

var nonWord = regexp.MustCompile(`[^A-Za-z0-9]+`)
