package api

import (
	"bytes"
	"net/http/httptest"
	"testing"

	"github.com/pavedev/pave/internal/errs"
)

// FuzzDecode: no body crashes the strict decoder, and every refusal is an
// invalid error.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"name":"x"}`, `{"name":1}`, `{"x":1}`, `[]`, ``, `{"name":"x"} 1`, `{"roles":["a"],"teams":null}`, "\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := httptest.NewRequest("POST", "/", bytes.NewReader(b))
		var v UserBody
		if err := decode(r, &v); err != nil && !errs.Is(err, errs.Invalid) {
			t.Fatalf("decode(%q) = %v, want an invalid error", b, err)
		}
	})
}
