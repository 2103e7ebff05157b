// Package errs is pave's one error type: a code that maps to an HTTP status and
// a CLI exit code, a message safe to show a user, an optional source location,
// and the internal cause kept for logs.
package errs

import (
	"errors"
	"fmt"
	"strings"
)

// Code classifies an error for doors (HTTP status, exit code) and callers.
type Code string

// The error codes. Every error pave returns to a user carries one of them.
const (
	Invalid      Code = "invalid"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	Unauthorized Code = "unauthorized"
	Forbidden    Code = "forbidden"
	Policy       Code = "policy"
	Transient    Code = "transient"
	Internal     Code = "internal"
)

// Error is an error with a code, a user-safe message and, where known, the
// file, line and JSON-pointer path it is about.
type Error struct {
	Code    Code
	Message string
	File    string
	Line    int
	Path    string
	// Cause is the internal error; it is not part of Error() so that it can
	// never leak into a response. Log it with LogString.
	Cause error
}

// Error renders "file:line: path: message", leaving out the parts not known.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.Cause }

// LogString is the message with its cause, for logs only.
func (e *Error) LogString() string {
	if e.Cause == nil {
		return e.Error()
	}
	return e.Error() + ": " + e.Cause.Error()
}

// New returns an error with a code and a formatted, user-safe message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error with a code and message that keeps cause for logs.
func Wrap(code Code, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Cause: cause}
}

// At returns an Invalid error located at file, line and path.
func At(file string, line int, path, format string, args ...any) *Error {
	return &Error{Code: Invalid, File: file, Line: line, Path: path, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of the first *Error or List in err's chain, and
// Internal for any other non-nil error.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	var l List
	if errors.As(err, &l) && len(l) > 0 {
		return l[0].Code
	}
	return Internal
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return CodeOf(err) == code }

// Prefix returns err with "what: " put before its message, keeping its code.
// Lists are prefixed item by item.
func Prefix(what string, err error) error {
	if err == nil {
		return nil
	}
	var l List
	if errors.As(err, &l) {
		out := make(List, len(l))
		for i, e := range l {
			c := *e
			c.Message = what + ": " + c.Message
			out[i] = &c
		}
		return out
	}
	var e *Error
	if errors.As(err, &e) {
		c := *e
		c.Message = what + ": " + c.Message
		return &c
	}
	return &Error{Code: Internal, Message: what + ": internal error", Cause: err}
}
