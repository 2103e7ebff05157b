package http

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/drivers/credential"
	"github.com/pavedev/pave/internal/errs"
)

// call is one provision or deprovision of one resource.
type call struct {
	d       *Driver
	in      *inputs
	url     string
	secrets []string
}

func (d *Driver) call(in *inputs, req *driver.Request) *call {
	u := *in.base
	u.Path = in.base.Path + "/" + req.UID
	u.RawPath = in.base.EscapedPath() + "/" + url.PathEscape(req.UID)
	c := &call{d: d, in: in, url: u.String()}
	for _, v := range in.headers {
		c.secrets = append(c.secrets, v)
		// "Bearer <token>": the token alone too.
		if _, tok, ok := strings.Cut(v, " "); ok {
			c.secrets = append(c.secrets, tok)
		}
	}
	return c
}

// shown is the URL for messages.
func (c *call) shown() string { return c.url }

// encodeRequest is the body: the request without the headers input, which
// the remote gets as headers.
func encodeRequest(req *driver.Request) ([]byte, error) {
	r := *req
	if _, ok := r.Inputs["headers"]; ok {
		r.Inputs = make(map[string]any, len(req.Inputs))
		for k, v := range req.Inputs {
			if k != "headers" {
				r.Inputs[k] = v
			}
		}
	}
	data, err := json.Marshal(&r)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "encode the request")
	}
	return data, nil
}

// do sends the request, retrying transport errors, 429 and 5xx with
// backoff, and returns the final status and body.
func (c *call) do(ctx context.Context, method string, body []byte) (int, []byte, error) {
	wait := c.d.backoff
	for attempt := 1; ; attempt++ {
		status, data, retryAfter, err := c.once(ctx, method, body)
		retry := err != nil || status == http.StatusTooManyRequests || status >= 500
		if !retry {
			return status, data, nil
		}
		if ctx.Err() != nil || attempt >= Attempts {
			if err == nil {
				return status, data, nil
			}
			if ctx.Err() != nil {
				return 0, nil, errs.Wrap(errs.Transient, err, "%s %s: %v", method, c.shown(), ctx.Err())
			}
			return 0, nil, errs.Wrap(errs.Transient, err, "%s %s: %s (after %d attempts)", method, c.shown(), err, attempt)
		}
		delay := wait + rand.N(wait/2+1)
		if retryAfter > delay {
			delay = retryAfter
		}
		delay = min(delay, maxBackoff)
		wait = min(wait*2, maxBackoff)
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			if err == nil {
				err = fmt.Errorf("status %d", status)
			}
			return 0, nil, errs.Wrap(errs.Transient, err, "%s %s: %v", method, c.shown(), ctx.Err())
		case <-t.C:
		}
	}
}

// once makes one attempt. Its error is a transport error, redacted.
func (c *call) once(ctx context.Context, method string, body []byte) (int, []byte, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, c.in.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, 0, credential.RedactError(err, c.secrets...)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "pave")
	for k, v := range c.in.headers {
		req.Header.Set(k, v)
	}
	resp, err := c.d.client.Do(req)
	if err != nil {
		return 0, nil, 0, credential.RedactError(errors.Unwrap(err), c.secrets...)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return 0, nil, 0, credential.RedactError(err, c.secrets...)
	}
	if len(data) > MaxBody {
		return 0, nil, 0, fmt.Errorf("the response is larger than %d bytes", MaxBody)
	}
	return resp.StatusCode, data, retryAfter(resp.Header.Get("Retry-After")), nil
}

// retryAfter reads a Retry-After header in seconds; dates are ignored.
func retryAfter(v string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0
	}
	return min(time.Duration(n)*time.Second, maxBackoff)
}

// statusError reports an unexpected status with the start of the body,
// redacted of the headers' values.
func (c *call) statusError(method string, status int, body []byte) error {
	code := errs.Internal
	switch {
	case status == http.StatusConflict:
		code = errs.Conflict
	case status >= 500 || status == http.StatusTooManyRequests:
		code = errs.Transient
	case status >= 400:
		code = errs.Invalid
	}
	msg := fmt.Sprintf("%s %s: status %d %s", method, c.shown(), status, http.StatusText(status))
	if snippet := c.snippet(body); snippet != "" {
		msg += ": " + snippet
	}
	return errs.New(code, "%s", msg)
}

func (c *call) snippet(body []byte) string {
	s := strings.ToValidUTF8(string(body), "?")
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return credential.Redact(s, c.secrets...)
}
