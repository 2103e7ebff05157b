package http

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/driver/drivertest"
	"github.com/pavedev/pave/internal/errs"
)

const bearer = "Bearer tok-7c1e9d-secret"

// provisioner is a tiny in-memory remote provisioner. Every fifth request
// fails with 503 to exercise the driver's retries.
type provisioner struct {
	mu        sync.Mutex
	resources map[string]record
	requests  atomic.Int64
	flaky     bool
}

type record struct {
	Token string `json:"token"`
	Size  string `json:"size"`
}

func newServer(t *testing.T, flaky bool) (*httptest.Server, *provisioner) {
	p := &provisioner{resources: map[string]record{}, flaky: flaky}
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /v1/resources/{uid}", p.put)
	mux.HandleFunc("DELETE /v1/resources/{uid}", p.delete)
	mux.HandleFunc("GET /v1/resources/{uid}", p.get)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := p.requests.Add(1)
		if r.Header.Get("Authorization") != bearer {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		if p.flaky && n%5 == 0 {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, p
}

func (p *provisioner) put(w http.ResponseWriter, r *http.Request) {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	var req driver.Request
	if err := dec.Decode(&req); err != nil {
		http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
		return
	}
	uid := r.PathValue("uid")
	if req.UID != uid {
		http.Error(w, "uid mismatch", http.StatusBadRequest)
		return
	}
	if _, leaked := req.Inputs["headers"]; leaked {
		http.Error(w, "headers sent in the body", http.StatusBadRequest)
		return
	}
	var st struct{ Token string }
	if len(req.State) > 0 {
		json.Unmarshal(req.State, &st)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	rec, exists := p.resources[uid]
	if st.Token != "" {
		rec.Token = st.Token
	}
	if rec.Token == "" {
		var b [16]byte
		rand.Read(b[:])
		rec.Token = hex.EncodeToString(b[:])
	}
	rec.Size, _ = req.Params["size"].(string)
	p.resources[uid] = rec
	status := http.StatusOK
	if !exists {
		status = http.StatusCreated
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"outputs": map[string]any{"url": "http://" + r.Host + r.URL.EscapedPath(), "token": rec.Token, "size": rec.Size},
		"state":   map[string]any{"token": rec.Token},
	})
}

func (p *provisioner) delete(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.resources[r.PathValue("uid")]; !ok {
		http.Error(w, "no such resource", http.StatusNotFound)
		return
	}
	delete(p.resources, r.PathValue("uid"))
	w.WriteHeader(http.StatusNoContent)
}

func (p *provisioner) get(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	rec, ok := p.resources[r.PathValue("uid")]
	if !ok {
		http.Error(w, "no such resource", http.StatusNotFound)
		return
	}
	json.NewEncoder(w).Encode(rec)
}

func fast() *Driver {
	d := New()
	d.backoff = time.Millisecond
	return d
}

func TestConformance(t *testing.T) {
	srv, _ := newServer(t, true)
	base := srv.URL + "/v1/resources/"
	lookup := func(t *testing.T, uid string) (int, record) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/resources/"+neturl.PathEscape(uid), nil)
		req.Header.Set("Authorization", bearer)
		for range Attempts {
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var rec record
			json.NewDecoder(resp.Body).Decode(&rec)
			resp.Body.Close()
			if resp.StatusCode != http.StatusServiceUnavailable {
				return resp.StatusCode, rec
			}
		}
		t.Fatal("the test server keeps failing")
		return 0, record{}
	}
	drivertest.Run(t, fast(), drivertest.Case{
		Request: func(uid string) *driver.Request {
			return &driver.Request{Type: "bucket", Class: "default", Params: map[string]any{"size": "small"}, Inputs: map[string]any{
				"baseUrl": base, "headers": map[string]any{"Authorization": bearer}, "timeout": "10s",
			}}
		},
		Update: func(req *driver.Request) { req.Params["size"] = "large" },
		VerifyUpdate: func(t *testing.T, req *driver.Request, outputs map[string]any) {
			if _, rec := lookup(t, req.UID); rec.Size != "large" {
				t.Errorf("the remote holds size %q after the update", rec.Size)
			}
		},
		Outputs: []drivertest.Output{
			{Name: "url", Kind: drivertest.String},
			{Name: "size", Kind: drivertest.String},
			{Name: "token", Kind: drivertest.String, Secret: true},
		},
		Verify: func(t *testing.T, outputs map[string]any) {
			url := outputs["url"].(string)
			uid := url[strings.LastIndexByte(url, '/')+1:]
			uid, err := neturl.PathUnescape(uid)
			if err != nil {
				t.Fatal(err)
			}
			status, rec := lookup(t, uid)
			if status != http.StatusOK || rec.Token != outputs["token"] {
				t.Errorf("the remote answers %d with another token for %s", status, uid)
			}
		},
		VerifyGone: func(t *testing.T, req *driver.Request) {
			if status, _ := lookup(t, req.UID); status != http.StatusNotFound {
				t.Errorf("the remote still has %s (status %d)", req.UID, status)
			}
		},
	})
}

func provision(t *testing.T, handler http.HandlerFunc, extra map[string]any) (*driver.Result, error, int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		handler(w, r)
	}))
	defer srv.Close()
	in := map[string]any{"baseUrl": srv.URL, "headers": map[string]any{"Authorization": bearer}}
	for k, v := range extra {
		in[k] = v
	}
	res, err := fast().Provision(context.Background(), &driver.Request{UID: "pavetest.x#y", Inputs: in})
	return res, err, hits.Load()
}

func TestFailures(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		code    errs.Code
		want    string
		hits    int64
	}{
		{"persistent 500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) },
			errs.Transient, "status 500 Internal Server Error: boom", Attempts},
		{"429 then fine", func() http.HandlerFunc {
			var n atomic.Int64
			return func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) < 3 {
					w.Header().Set("Retry-After", "0")
					w.WriteHeader(429)
					return
				}
				w.Write([]byte(`{"outputs":{"a":"b"}}`))
			}
		}(), "", "", 3},
		{"400 is not retried", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "bad size; your header was "+r.Header.Get("Authorization"), 400)
		}, errs.Invalid, "status 400 Bad Request: bad size; your header was [redacted]", 1},
		{"409", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(409) }, errs.Conflict, "status 409 Conflict", 1},
		{"redirect not followed", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://127.0.0.1:1/elsewhere", http.StatusTemporaryRedirect)
		}, errs.Internal, "status 307", 1},
		{"unknown field", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"outputs":{},"more":1}`)) },
			errs.Internal, `invalid result: unknown field "more"`, 1},
		{"not JSON", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`tok-7c1e9d-secret`)) },
			errs.Internal, "invalid result: not JSON", 1},
		{"two values", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"outputs":{}}{}`)) },
			errs.Internal, "more than one JSON value", 1},
		{"too large", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"outputs":{"x":"` + strings.Repeat("x", MaxBody) + `"}}`))
		}, errs.Transient, "larger than 1048576 bytes", Attempts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err, hits := provision(t, tt.handler, nil)
			if hits != tt.hits {
				t.Errorf("%d requests, want %d", hits, tt.hits)
			}
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || errs.CodeOf(err) != tt.code {
				t.Fatalf("got %v (%s), want a %s error containing %q", err, errs.CodeOf(err), tt.code, tt.want)
			}
			for _, e := range errs.Errors(err) {
				if strings.Contains(e.LogString(), "tok-7c1e9d-secret") {
					t.Errorf("the error shows the token: %s", e.LogString())
				}
			}
		})
	}
}

func TestUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := fast().Provision(context.Background(), &driver.Request{UID: "pavetest.x", Inputs: map[string]any{"baseUrl": url}})
	if !errs.Is(err, errs.Transient) || !strings.Contains(err.Error(), "after 5 attempts") {
		t.Fatalf("got %v, want a transient error after 5 attempts", err)
	}
}

func TestInputs(t *testing.T) {
	tests := []struct {
		inputs     map[string]any
		validating bool
		want       string
	}{
		{map[string]any{}, false, "/inputs/baseUrl: required"},
		{map[string]any{"baseUrl": "ftp://h/"}, false, "/inputs/baseUrl: must be an http:// or https:// URL"},
		{map[string]any{"baseUrl": "http:///x"}, false, "/inputs/baseUrl: must name a host"},
		{map[string]any{"baseUrl": "http://h/?a=1"}, false, "must not have a query"},
		{map[string]any{"baseUrl": "http://u:pw@h/"}, false, "must not hold credentials"},
		{map[string]any{"baseUrl": "http://h/", "headers": map[string]any{"Bad Name": "x"}}, false, "/inputs/headers/Bad Name: is not a valid header name"},
		{map[string]any{"baseUrl": "http://h/", "headers": map[string]any{"X": "a\r\nb"}}, false, "/inputs/headers/X: must not hold line breaks"},
		{map[string]any{"baseUrl": "http://h/", "timeout": int64(7200)}, false, "/inputs/timeout: must be between"},
		{map[string]any{"baseUrl": "${secrets.url}", "timeout": "${x}"}, true, ""},
		{map[string]any{"baseUrl": "https://h:8443/api/", "timeout": "2s", "values": []any{1}}, false, ""},
	}
	for _, tt := range tests {
		_, err := New().parse(tt.inputs, tt.validating)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%v: %v", tt.inputs, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) || !errs.Is(err, errs.Invalid) {
			t.Errorf("%v: got %v, want an invalid error containing %q", tt.inputs, err, tt.want)
		}
	}
}

func TestURL(t *testing.T) {
	in, err := New().parse(map[string]any{"baseUrl": "http://h/api/v1/"}, false)
	if err != nil {
		t.Fatal(err)
	}
	c := New().call(in, &driver.Request{UID: "shop/db#main x"})
	if want := "http://h/api/v1/shop%2Fdb%23main%20x"; c.url != want {
		t.Errorf("url %s, want %s", c.url, want)
	}
}
