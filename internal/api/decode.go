package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/pavedev/pave/internal/errs"
)

// decode reads the request body as exactly one JSON value into v, strictly:
// an unknown field, a value of the wrong type, trailing data or a body over
// the size limit is an invalid error naming the field as a JSON pointer.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return decodeError(err)
		}
		return errs.New(errs.Invalid, "request body: unexpected data after the JSON value")
	}
	return nil
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var big *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return errs.New(errs.Invalid, "request body: empty, want a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errs.New(errs.Invalid, "request body: the JSON ends too soon")
	case errors.As(err, &big):
		return errs.New(errs.Invalid, "request body: larger than the %d byte limit", big.Limit)
	case errors.As(err, &syn):
		return errs.New(errs.Invalid, "request body: invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		path := "/" + strings.ReplaceAll(typ.Field, ".", "/")
		if typ.Field == "" {
			path = "/"
		}
		return &errs.Error{Code: errs.Invalid, Path: path, Message: "request body: want " + jsonType(typ.Type.Kind().String()) + ", not " + typ.Value}
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, _ := strconv.Unquote(f)
		return &errs.Error{Code: errs.Invalid, Path: "/" + name, Message: "request body: unknown field " + f}
	}
	return errs.Wrap(errs.Invalid, err, "request body: not valid JSON")
}

// jsonType names a Go kind as the JSON type that decodes into it.
func jsonType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
		return "a number"
	}
	return kind
}
