package driver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/pavedev/pave/internal/errs"
)

// DecodeResult reads a Result that crossed a process boundary (what the exec
// driver's command prints, the body the http driver's remote answers)
// strictly: one JSON object, known fields only. Its errors say what is wrong
// without quoting the data, which may hold secrets; callers add whose data
// it was.
func DecodeResult(data []byte) (*Result, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var res Result
	if err := dec.Decode(&res); err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("more than one JSON value")
	}
	if res.Outputs == nil {
		res.Outputs = map[string]any{}
	}
	return &res, nil
}

// jsonError describes a decoding error without quoting the data.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Errorf("not JSON (at byte %d)", syntax.Offset)
	case errors.As(err, &typ):
		return fmt.Errorf("field %q must not be a JSON %s", typ.Field, typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return errors.New(strings.TrimPrefix(err.Error(), "json: "))
	case errors.Is(err, io.EOF):
		return errors.New("no JSON at all")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("truncated JSON")
	}
	return errors.New("not a JSON result")
}

// DecodeState decodes the state the driver called name returned last time
// (Request.State) into a T; no state gives T's zero value. The error never
// quotes the state, which may hold passwords.
func DecodeState[T any](name string, raw json.RawMessage) (T, error) {
	var st T
	if len(raw) == 0 {
		return st, nil
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		return st, errs.New(errs.Internal, "the %s driver's state does not decode", name)
	}
	return st, nil
}
