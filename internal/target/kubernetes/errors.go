package kubernetes

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

// apiError turns an error of the API server or of the connection to it
// into an errs error whose message is what (formatted) and the server's
// reason. The code follows the HTTP status: 400 and 422 are invalid, 401
// unauthorized, 403 forbidden, 404 not found, 409 conflict, 429, 5xx and
// network failures transient.
func apiError(err error, what string, args ...any) error {
	msg := fmt.Sprintf(what, args...) + ": " + err.Error()
	var code errs.Code
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		code = errs.Transient
	case apierrors.IsInvalid(err), apierrors.IsBadRequest(err):
		code = errs.Invalid
	case apierrors.IsUnauthorized(err):
		code = errs.Unauthorized
	case apierrors.IsForbidden(err):
		code = errs.Forbidden
	case apierrors.IsNotFound(err):
		code = errs.NotFound
	case apierrors.IsConflict(err), apierrors.IsAlreadyExists(err):
		code = errs.Conflict
	case apierrors.IsTooManyRequests(err), apierrors.IsServerTimeout(err), apierrors.IsTimeout(err),
		apierrors.IsServiceUnavailable(err), apierrors.IsInternalError(err), apierrors.IsUnexpectedServerError(err):
		code = errs.Transient
	default:
		var ue *url.Error
		var ne net.Error
		if errors.As(err, &ue) || errors.As(err, &ne) {
			code = errs.Transient
		} else if _, ok := err.(apierrors.APIStatus); ok {
			code = errs.Invalid
		} else {
			code = errs.Internal
		}
	}
	return errs.Wrap(code, err, "%s", msg)
}

// Redacted replaces every secret value in the messages pave returns.
const Redacted = "[REDACTED]"

// minSecretLen is the shortest value redacted: shorter ones would blank
// out ordinary text and protect nothing.
const minSecretLen = 3

// redactor replaces secret values by Redacted. A nil one changes nothing.
type redactor struct{ r *strings.Replacer }

// secretValues lists the secret values of a deployment: its secret
// variables, the content of its secret files, every value of the Secrets
// it renders to (extra manifests' Secrets included), each also in base64,
// and the extra values given (the hash key).
func secretValues(d *target.Deployment, secrets []map[string]any, extra ...[]byte) []string {
	var vals []string
	add := func(s string) {
		if s != "" {
			vals = append(vals, s, base64.StdEncoding.EncodeToString([]byte(s)))
		}
	}
	if d != nil {
		for _, w := range d.Workloads {
			for _, c := range w.Containers {
				for _, v := range c.Variables {
					if v.Value.Secret {
						add(v.Value.Text)
					}
				}
				for _, f := range c.Files {
					if f.Secret {
						add(string(f.Content))
					}
				}
			}
		}
	}
	for _, sec := range secrets {
		if data, ok := sec["data"].(map[string]any); ok {
			for _, v := range data {
				if s, ok := v.(string); ok {
					vals = append(vals, s)
					if b, err := base64.StdEncoding.DecodeString(s); err == nil {
						vals = append(vals, string(b))
					}
				}
			}
		}
		if data, ok := sec["stringData"].(map[string]any); ok {
			for _, v := range data {
				if s, ok := v.(string); ok {
					add(s)
				}
			}
		}
	}
	for _, e := range extra {
		add(string(e))
	}
	return vals
}

// newRedactor redacts vals; it is nil when no value is long enough.
func newRedactor(vals []string) *redactor {
	vals = slices.DeleteFunc(slices.Clone(vals), func(s string) bool { return len(s) < minSecretLen })
	if len(vals) == 0 {
		return nil
	}
	// Longest first, so that a secret containing another is redacted whole.
	slices.SortFunc(vals, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), cmp.Compare(a, b)) })
	vals = slices.Compact(vals)
	pairs := make([]string, 0, 2*len(vals))
	for _, v := range vals {
		pairs = append(pairs, v, Redacted)
	}
	return &redactor{r: strings.NewReplacer(pairs...)}
}

func (r *redactor) String(s string) string {
	if r == nil {
		return s
	}
	return r.r.Replace(s)
}

// err returns err with every secret value redacted from its messages and
// causes.
func (r *redactor) err(err error) error {
	if r == nil || err == nil {
		return err
	}
	var l errs.List
	if errors.As(err, &l) {
		out := make(errs.List, len(l))
		for i, e := range l {
			out[i] = r.one(e)
		}
		return out
	}
	var e *errs.Error
	if errors.As(err, &e) {
		return r.one(e)
	}
	return r.one(&errs.Error{Code: errs.Internal, Message: "internal error", Cause: err})
}

func (r *redactor) one(e *errs.Error) *errs.Error {
	c := *e
	c.Message = r.String(c.Message)
	if c.Cause != nil {
		if msg := c.Cause.Error(); r.String(msg) != msg {
			c.Cause = errors.New(r.String(msg))
		}
	}
	return &c
}
