package kubernetes

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

// kubeconfigWithToken is a syntactically valid kubeconfig; nothing
// listens at its server.
const kubeconfigWithToken = `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: https://127.0.0.1:1
contexts:
- name: ctx
  context: {cluster: c, user: u}
current-context: ctx
users:
- name: u
  user: {token: tok-very-secret-123}
`

func TestParseConfig(t *testing.T) {
	cases := []struct {
		name string
		cfg  target.Config
		want string // substring of the error; "" for success
		path string
	}{
		{"content", target.Config{"kubeconfig": kubeconfigWithToken}, "", ""},
		{"path", target.Config{"kubeconfigPath": "/x/config", "context": "ctx", "namespace": "team-a"}, "", ""},
		{"timeout string", target.Config{"kubeconfigPath": "k", "rolloutTimeout": "90s"}, "", ""},
		{"timeout seconds", target.Config{"kubeconfigPath": "k", "rolloutTimeout": int64(30)}, "", ""},
		{"neither", target.Config{}, "set kubeconfig (a kubeconfig file's content) or kubeconfigPath", ""},
		{"both", target.Config{"kubeconfig": "x", "kubeconfigPath": "y"}, "not both", ""},
		{"unknown key", target.Config{"kubeconfigPath": "k", "kubeContext": "x"}, "unknown key; known keys are kubeconfig, kubeconfigPath", "/kubeContext"},
		{"bad namespace", target.Config{"kubeconfigPath": "k", "namespace": "Team_A"}, `"Team_A" is not a DNS label`, "/namespace"},
		{"bad timeout", target.Config{"kubeconfigPath": "k", "rolloutTimeout": "soon"}, `"soon" is not a duration`, "/rolloutTimeout"},
		{"negative timeout", target.Config{"kubeconfigPath": "k", "rolloutTimeout": "-1s"}, "more than 0", "/rolloutTimeout"},
		{"huge timeout", target.Config{"kubeconfigPath": "k", "rolloutTimeout": float64(1e12)}, "at most 24h", "/rolloutTimeout"},
		{"fractional seconds", target.Config{"kubeconfigPath": "k", "rolloutTimeout": 1.5}, "whole number", "/rolloutTimeout"},
		{"kubeconfig not a string", target.Config{"kubeconfig": map[string]any{"a": "b"}}, "must be a string, not a map", "/kubeconfig"},
		{"hash key not a string", target.Config{"kubeconfigPath": "k", "hashKey": true}, "must be a string, not a boolean", "/hashKey"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := parseConfig(tc.cfg)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want invalid mentioning %q", err, tc.want)
			}
			if tc.path != "" && !strings.Contains(err.Error(), tc.path+": ") {
				t.Errorf("err = %v, want path %s", err, tc.path)
			}
			_ = s
		})
	}
	s, err := parseConfig(target.Config{"kubeconfigPath": "k"})
	if err != nil || s.rolloutTimeout != DefaultRolloutTimeout {
		t.Errorf("default rollout timeout = %v, %v", s.rolloutTimeout, err)
	}
	s, _ = parseConfig(target.Config{"kubeconfigPath": "k", "rolloutTimeout": int64(30)})
	if s.rolloutTimeout != 30*time.Second {
		t.Errorf("rolloutTimeout 30 = %v", s.rolloutTimeout)
	}
}

func TestConnect(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config")
	if err := os.WriteFile(path, []byte(kubeconfigWithToken), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		s    settings
		want string
	}{
		{"content", settings{kubeconfig: []byte(kubeconfigWithToken)}, ""},
		{"file", settings{kubeconfigPath: path, context: "ctx"}, ""},
		{"missing file", settings{kubeconfigPath: filepath.Join(dir, "nope")}, "cannot read kubeconfig file"},
		{"garbage", settings{kubeconfig: []byte("users: [token: tok-very-secret-123")}, "is not a valid kubeconfig"},
		{"unknown context", settings{kubeconfig: []byte(kubeconfigWithToken), context: "prod"}, `has no context "prod"`},
		{"no cluster", settings{kubeconfig: []byte("apiVersion: v1\nkind: Config\n")}, "not usable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := connect(tc.s)
			if tc.want == "" {
				if err != nil || c.host != "https://127.0.0.1:1" {
					t.Fatalf("connect: %v, host %v", err, c)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "tok-very-secret") {
				t.Errorf("the error quotes the credential: %v", err)
			}
		})
	}
}

// FuzzConnect: no kubeconfig content crashes connect, and no error quotes
// the content's credential.
func FuzzConnect(f *testing.F) {
	f.Add([]byte(kubeconfigWithToken), "")
	f.Add([]byte(kubeconfigWithToken), "ctx")
	f.Add([]byte("{\"kind\":\"Config\",\"users\":[{\"name\":\"u\",\"user\":{\"token\":\"tok-very-secret-123\"}}]}"), "")
	f.Add([]byte("apiVersion: v1\nkind: Config\ncurrent-context: x\ncontexts: [{name: x, context: {cluster: y}}]\n"), "x")
	f.Fuzz(func(t *testing.T, content []byte, context string) {
		_, err := connect(settings{kubeconfig: content, context: context})
		if err != nil && strings.Contains(err.Error(), "tok-very-secret-123") {
			t.Errorf("the error quotes the credential: %v", err)
		}
	})
}

func TestAPIErrorCodes(t *testing.T) {
	gr := schema.GroupResource{Resource: "deployments", Group: "apps"}
	cases := []struct {
		err  error
		code errs.Code
	}{
		{apierrors.NewNotFound(gr, "x"), errs.NotFound},
		{apierrors.NewForbidden(gr, "x", errors.New("no")), errs.Forbidden},
		{apierrors.NewUnauthorized("who"), errs.Unauthorized},
		{apierrors.NewConflict(gr, "x", errors.New("changed")), errs.Conflict},
		{apierrors.NewBadRequest("bad"), errs.Invalid},
		{apierrors.NewServiceUnavailable("later"), errs.Transient},
		{apierrors.NewTooManyRequests("slow down", 1), errs.Transient},
		{&netError{}, errs.Transient},
		{errors.New("odd"), errs.Internal},
	}
	for _, tc := range cases {
		if got := errs.CodeOf(apiError(tc.err, "apply %s", "x")); got != tc.code {
			t.Errorf("%v: code %s, want %s", tc.err, got, tc.code)
		}
	}
}

type netError struct{}

func (*netError) Error() string   { return "dial tcp: connection refused" }
func (*netError) Timeout() bool   { return false }
func (*netError) Temporary() bool { return false }

func TestRedactor(t *testing.T) {
	d := sample("a", "b", "1", false, false)
	d.Workloads[0].Containers[0].Files = append(d.Workloads[0].Containers[0].Files,
		target.File{Path: "/run/key", Content: []byte("PRIVATE-KEY-BYTES"), Secret: true})
	extraSecret := map[string]any{"data": map[string]any{"token": "dG9rZW4tZnJvbS10ZW1wbGF0ZQ=="}, // token-from-template
		"stringData": map[string]any{"plain": "string-data-secret"}}
	red := newRedactor(secretValues(d, []map[string]any{extraSecret}, []byte("hash-key-value")))
	in := "pw " + samplePassword + ", file PRIVATE-KEY-BYTES, tpl token-from-template dG9rZW4tZnJvbS10ZW1wbGF0ZQ==, " +
		"sd string-data-secret, key hash-key-value, b64 czNjcmV0LXBhNTV3b3JkLVpxOQ==, version 1"
	got := red.String(in)
	for _, secret := range []string{samplePassword, "PRIVATE-KEY-BYTES", "token-from-template", "string-data-secret", "hash-key-value", "czNjcmV0"} {
		if strings.Contains(got, secret) {
			t.Errorf("%q survives redaction: %s", secret, got)
		}
	}
	if !strings.HasSuffix(got, "version 1") {
		t.Errorf("redaction took too much: %s", got)
	}
	err := red.err(errs.Wrap(errs.Invalid, errors.New("cause "+samplePassword), "msg %s", samplePassword))
	var e *errs.Error
	if !errors.As(err, &e) || e.Code != errs.Invalid || strings.Contains(e.Message, samplePassword) || strings.Contains(e.Cause.Error(), samplePassword) {
		t.Errorf("redacted error = %#v", err)
	}
	if (*redactor)(nil).String("x") != "x" || newRedactor(nil) != nil {
		t.Error("the nil redactor changes text")
	}
}
