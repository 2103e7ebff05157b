package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/pavedev/pave/internal/errs"
)

// status is the one place error codes map to HTTP statuses.
func status(code errs.Code) int {
	switch code {
	case errs.Invalid:
		return http.StatusBadRequest
	case errs.Unauthorized:
		return http.StatusUnauthorized
	case errs.Forbidden:
		return http.StatusForbidden
	case errs.NotFound:
		return http.StatusNotFound
	case errs.Conflict:
		return http.StatusConflict
	case errs.Policy:
		return http.StatusUnprocessableEntity
	case errs.Transient:
		return http.StatusServiceUnavailable
	case codeRateLimited:
		return http.StatusTooManyRequests
	case codeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	}
	return http.StatusInternalServerError
}

// codeRateLimited is the code of a request refused because its client
// failed to authenticate too often; it is the API's, not the core's.
const codeRateLimited errs.Code = "rate_limited"

// codeMethodNotAllowed is the code of a request whose path exists but not
// with its method; it is the API's, not the core's.
const codeMethodNotAllowed errs.Code = "method_not_allowed"

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	Error ErrorInfo `json:"error"`
}

// ErrorInfo says what went wrong. Message is safe to show: it never holds
// an internal cause or a secret. Details lists every problem when there
// are several (a Score file with many mistakes), each located.
type ErrorInfo struct {
	Code    errs.Code `json:"code"`
	Message string    `json:"message"`
	Details []Detail  `json:"details,omitempty"`
}

// Detail is one problem of an error, located where known.
type Detail struct {
	Message string `json:"message"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Path    string `json:"path,omitempty"`
}

// errorInfo renders err for a response. An error that is not pave's own is
// reported as internal, without its text.
func errorInfo(err error) ErrorInfo {
	var e *errs.Error
	var l errs.List
	if !errors.As(err, &e) && !errors.As(err, &l) {
		return ErrorInfo{Code: errs.Internal, Message: "internal error"}
	}
	list := errs.Errors(err)
	info := ErrorInfo{Code: errs.CodeOf(err), Message: list[0].Error()}
	if len(list) > 1 {
		info.Message = list[0].Error() + " (and " + itoa(len(list)-1) + " more)"
		for _, x := range list {
			info.Details = append(info.Details, Detail{Message: x.Message, File: x.File, Line: x.Line, Path: x.Path})
		}
	}
	return info
}

// writeError writes err with the status its code maps to.
func writeError(w http.ResponseWriter, err error) int {
	info := errorInfo(err)
	code := status(info.Code)
	writeJSON(w, code, ErrorBody{Error: info})
	return code
}

// writeJSON writes v as the response body.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
