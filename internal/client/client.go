// Package client is the Go client of pave's HTTP API (package api): the
// CLI uses it when logged in to a server, and so can any Go program. Errors
// come back as *errs.Error (or errs.List) with the server's code and
// message, so that callers handle them as the core's own.
package client

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pavedev/pave/internal/api"
	"github.com/pavedev/pave/internal/engine"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/service"
	"github.com/pavedev/pave/internal/store"
)

// Client calls one pave server with one API token. It is safe for
// concurrent use.
type Client struct {
	base  *url.URL
	token string
	http  *http.Client
}

// Option configures a Client.
type Option func(*options) error

type options struct{ roots *x509.CertPool }

// WithCA makes the client trust the PEM certificates of caPEM, and only
// them, for an https:// server: a private CA or a self-signed server.
func WithCA(caPEM []byte) Option {
	return func(o *options) error {
		pool, err := CertPool(caPEM)
		o.roots = pool
		return err
	}
}

// CertPool is the pool of the PEM certificates of caPEM; an error when it
// holds none.
func CertPool(caPEM []byte) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, errs.New(errs.Invalid, "CA: no PEM certificate found")
	}
	return pool, nil
}

// New returns a client of the server at baseURL ("https://pave.example.com")
// authenticating with token.
func New(baseURL, token string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errs.New(errs.Invalid, "server %q: want an http:// or https:// URL", baseURL)
	}
	var o options
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	var rt http.RoundTripper = http.DefaultTransport
	if o.roots != nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: o.roots}
		rt = t
	}
	return &Client{base: u, token: token, http: &http.Client{Transport: rt}}, nil
}

// Server returns the server's base URL.
func (c *Client) Server() string { return c.base.String() }

// request builds a request of path (with its query) and a JSON body.
func (c *Client) request(ctx context.Context, method, path string, body any) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, errs.Wrap(errs.Internal, err, "encode request")
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+path, rd)
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "request %s %s", method, path)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("User-Agent", "pave-client")
	return req, nil
}

// do sends a request and decodes a JSON answer into out (unless nil).
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	req, err := c.request(ctx, method, path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.send(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return readError(resp)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return errs.Wrap(errs.Transient, err, "%s %s: the server's answer cannot be read", method, path)
	}
	return nil
}

func (c *Client) send(req *http.Request) (*http.Response, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		if ctxErr := req.Context().Err(); ctxErr != nil {
			return nil, errs.Wrap(errs.Transient, err, "%s %s: %v", req.Method, req.URL.Path, ctxErr)
		}
		var unknown x509.UnknownAuthorityError
		var invalid x509.CertificateInvalidError
		var hostname x509.HostnameError
		if errors.As(err, &unknown) || errors.As(err, &invalid) || errors.As(err, &hostname) {
			return nil, errs.Wrap(errs.Invalid, err, "the pave server at %s has a certificate this client does not trust (%s): give its CA with --ca-file or PAVE_CA_FILE",
				c.base.Host, certReason(err))
		}
		return nil, errs.Wrap(errs.Transient, err, "cannot reach the pave server at %s", c.base.Host)
	}
	return resp, nil
}

// certReason is what is wrong with a server's certificate.
func certReason(err error) string {
	var tlsErr *tls.CertificateVerificationError
	if errors.As(err, &tlsErr) {
		err = tlsErr.Err
	}
	return err.Error()
}

// readError turns an error response into the server's error.
func readError(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var body struct {
		Error  api.ErrorInfo         `json:"error"`
		Result *service.DeployResult `json:"result"`
	}
	if err := json.Unmarshal(b, &body); err != nil || body.Error.Code == "" {
		return errs.New(errs.Transient, "the pave server answered %s", resp.Status)
	}
	return fromInfo(body.Error)
}

// fromInfo rebuilds the server's error.
func fromInfo(info api.ErrorInfo) error {
	if len(info.Details) == 0 {
		return &errs.Error{Code: info.Code, Message: info.Message}
	}
	list := make(errs.List, 0, len(info.Details))
	for _, d := range info.Details {
		list = append(list, &errs.Error{Code: info.Code, Message: d.Message, File: d.File, Line: d.Line, Path: d.Path})
	}
	return list
}

// line is a stream line with its event left raw.
type line struct {
	Type    string                `json:"type"`
	Event   json.RawMessage       `json:"event"`
	Status  int                   `json:"status"`
	Result  *service.DeployResult `json:"result"`
	Error   *api.ErrorInfo        `json:"error"`
	Deleted []store.Environment   `json:"deleted"`
}

// change sends a change and follows its events: progress gets each engine
// event as it happens. It returns the result with the error, if any, of
// the change.
func (c *Client) change(ctx context.Context, method, path string, body any, progress engine.Progress) (*service.DeployResult, error) {
	var res *service.DeployResult
	err := c.stream(ctx, method, path, body, progress,
		func(code int, b []byte, status string) error {
			if code >= 300 {
				var ce api.ChangeError
				if json.Unmarshal(b, &ce) != nil || ce.Error.Code == "" {
					return errs.New(errs.Transient, "the pave server answered %s", status)
				}
				res = ce.Result
				return fromInfo(ce.Error)
			}
			res = &service.DeployResult{}
			if err := json.Unmarshal(b, res); err != nil {
				res = nil
				return errs.Wrap(errs.Transient, err, "the server's answer cannot be read")
			}
			return nil
		},
		func(l line) error {
			res = l.Result
			return lineError(l)
		})
	return res, err
}

// lineError is the error a stream's last line reports, if any.
func lineError(l line) error {
	if l.Type != "error" {
		return nil
	}
	if l.Error == nil {
		return errs.New(errs.Internal, "the server reported an error without saying which")
	}
	return fromInfo(*l.Error)
}

// stream sends a request that may answer with a stream of engine events
// (given to progress as they come) ended by a line of type result or error,
// which end handles; an answer that is not a stream goes to plain with its
// status code, body and status text.
func (c *Client) stream(ctx context.Context, method, path string, body any, progress engine.Progress,
	plain func(code int, b []byte, status string) error, end func(l line) error) error {
	req, err := c.request(ctx, method, path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/x-ndjson")
	resp, err := c.send(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/x-ndjson") {
		b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		if err != nil {
			return errs.Wrap(errs.Transient, err, "the server's answer cannot be read")
		}
		return plain(resp.StatusCode, b, resp.Status)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return errs.Wrap(errs.Transient, err, "the server's stream cannot be read")
		}
		switch l.Type {
		case "event":
			var ev engine.Event
			if progress != nil && json.Unmarshal(l.Event, &ev) == nil {
				progress(ev)
			}
		case "result", "error":
			return end(l)
		}
	}
	err = sc.Err()
	if err == nil {
		err = errors.New("stream ended early")
	}
	return errs.Wrap(errs.Transient, err, "the connection to the server ended before the change did: follow it with pave deployments show")
}

// query builds "?k=v&..." of the non-empty values.
func query(kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

func esc(s string) string { return url.PathEscape(s) }

func envPath(app, env string) string {
	return fmt.Sprintf("/api/v1/apps/%s/environments/%s", esc(app), esc(env))
}

func durationText(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}
