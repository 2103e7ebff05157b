// Package http is the http driver: it hands provisioning to a remote
// service. Provision is PUT {baseUrl}/{uid} with the request as JSON,
// answered by a JSON result; deprovision is DELETE {baseUrl}/{uid}, where
// 404 means already gone. Requests are retried with backoff on transport
// errors, 429 and 5xx, a bounded number of times. Redirects are not
// followed, so headers holding tokens go nowhere else.
package http

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/drivers/input"
	"github.com/pavedev/pave/internal/errs"
)

// Limits of one call.
const (
	MaxBody        = 1 << 20
	DefaultTimeout = 30 * time.Second
	MaxTimeout     = time.Hour
	// Attempts is how many times a request is tried in all.
	Attempts = 5
	// maxBackoff caps the wait between attempts, Retry-After included.
	maxBackoff = 10 * time.Second
)

// Driver is the http driver.
type Driver struct {
	client *http.Client
	// backoff is the first wait between attempts; it doubles each time.
	backoff time.Duration
}

// New returns the http driver.
func New() *Driver {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	return &Driver{
		client: &http.Client{
			Transport: transport,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
		backoff: 250 * time.Millisecond,
	}
}

// Describe documents the driver and its inputs.
func (*Driver) Describe() driver.Info {
	return driver.Info{
		Name: "http",
		Description: "Calls a remote provisioner: PUT {baseUrl}/{uid} with the request as JSON " +
			"(inputs.headers left out) answered by a JSON result of at most 1 MiB; " +
			"DELETE {baseUrl}/{uid} to remove, where 404 counts as removed. " +
			"Transport errors, 429 and 5xx are retried with backoff.",
		Inputs: []driver.Input{
			{Name: "baseUrl", Type: "string", Required: true, Description: "http:// or https:// URL the resource's uid is appended to."},
			{Name: "headers", Type: "object", Secret: true, Description: "Headers sent with every request, such as Authorization."},
			{Name: "timeout", Type: "duration", Description: "Time limit of each attempt, such as \"30s\" (default 30s)."},
			{Name: "values", Type: "any", Description: "Free configuration for the remote, which it finds in request.inputs.values."},
		},
	}
}

type inputs struct {
	base    *url.URL
	headers map[string]string
	timeout time.Duration
}

func (d *Driver) parse(in map[string]any, validating bool) (*inputs, error) {
	r := input.New(in, d.Describe(), validating)
	raw := r.String("baseUrl", "")
	out := &inputs{
		headers: r.StringMap("headers"),
		timeout: r.Duration("timeout", DefaultTimeout, time.Millisecond, MaxTimeout),
	}
	for _, k := range slices.Sorted(maps.Keys(out.headers)) {
		if !validName(k) {
			r.FailIn("headers", k, "is not a valid header name")
		} else if strings.ContainsAny(out.headers[k], "\r\n\x00") {
			r.FailIn("headers", k, "must not hold line breaks")
		}
	}
	if raw != "" && !(validating && input.Placeholder(raw)) {
		u, err := url.Parse(raw)
		switch {
		case err != nil:
			r.Fail("baseUrl", "is not a valid URL")
		case u.Scheme != "http" && u.Scheme != "https":
			r.Fail("baseUrl", "must be an http:// or https:// URL")
		case u.Host == "":
			r.Fail("baseUrl", "must name a host")
		case u.Fragment != "" || u.RawQuery != "":
			r.Fail("baseUrl", "must not have a query or fragment")
		case u.User != nil:
			r.Fail("baseUrl", "must not hold credentials: put them in headers")
		default:
			u.Path = strings.TrimRight(u.Path, "/")
			u.RawPath = ""
			out.base = u
		}
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// validName reports whether s is an HTTP header name (an RFC 9110 token).
func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", c)) {
			return false
		}
	}
	return true
}

// ValidateInputs checks the inputs.
func (d *Driver) ValidateInputs(in map[string]any) error {
	_, err := d.parse(in, true)
	return err
}

// Provision PUTs the request and returns the result the remote answers.
func (d *Driver) Provision(ctx context.Context, req *driver.Request) (*driver.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, errs.Wrap(errs.Transient, err, "%v", err)
	}
	in, err := d.parse(req.Inputs, false)
	if err != nil {
		return nil, err
	}
	c := d.call(in, req)
	body, err := encodeRequest(req)
	if err != nil {
		return nil, err
	}
	status, data, err := c.do(ctx, http.MethodPut, body)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK && status != http.StatusCreated {
		return nil, c.statusError(http.MethodPut, status, data)
	}
	res, err := driver.DecodeResult(data)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "PUT %s: invalid result: %v", c.shown(), err)
	}
	return res, nil
}

// Deprovision DELETEs the resource, with the request as its body too, for
// remotes that need the state; 404 means it is gone already.
func (d *Driver) Deprovision(ctx context.Context, req *driver.Request) error {
	if err := ctx.Err(); err != nil {
		return errs.Wrap(errs.Transient, err, "%v", err)
	}
	in, err := d.parse(req.Inputs, false)
	if err != nil {
		return err
	}
	c := d.call(in, req)
	body, err := encodeRequest(req)
	if err != nil {
		return err
	}
	status, data, err := c.do(ctx, http.MethodDelete, body)
	if err != nil {
		return err
	}
	switch status {
	case http.StatusOK, http.StatusAccepted, http.StatusNoContent, http.StatusNotFound, http.StatusGone:
		return nil
	}
	return c.statusError(http.MethodDelete, status, data)
}
