package errs

import (
	"cmp"
	"errors"
	"slices"
	"strings"
)

// List is several errors reported together, such as every problem found in
// one file. Its code is the code of its first error.
type List []*Error

// Error joins the errors, one a line.
func (l List) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Add appends err; a List is flattened and a foreign error becomes Internal.
func (l *List) Add(err error) {
	if err == nil {
		return
	}
	var other List
	if errors.As(err, &other) {
		*l = append(*l, other...)
		return
	}
	var e *Error
	if errors.As(err, &e) {
		*l = append(*l, e)
		return
	}
	*l = append(*l, &Error{Code: Internal, Message: "internal error", Cause: err})
}

// Err returns the list as an error, or nil when it is empty.
func (l List) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// Sort orders the errors by file, line, path and message, so that reports are
// stable whatever order checks ran in.
func (l List) Sort() {
	slices.SortStableFunc(l, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Path, b.Path), cmp.Compare(a.Message, b.Message))
	})
}

// Errors returns the *Error items of err: the items of a List, the one
// *Error, or an Internal wrapper of any other error.
func Errors(err error) []*Error {
	if err == nil {
		return nil
	}
	var l List
	l.Add(err)
	return l
}
