package tofu

import (
	"sort"
	"strconv"
	"strings"
	"sync"
)

// minSecretLen is the shortest variable value that logs are redacted of:
// shorter strings ("true", "5432", "db") would blank out half of any log
// while being poor secrets.
const minSecretLen = 6

// redactedMark replaces a secret in a log.
const redactedMark = "[redacted]"

// tail keeps the last limit bytes written to it. It is safe for concurrent
// writers (the tool's stdout and stderr copy into one tail).
type tail struct {
	mu        sync.Mutex
	limit     int
	buf       []byte
	truncated bool
}

func newTail(limit int) *tail { return &tail{limit: limit} }

// Write appends p, dropping the oldest bytes past the limit.
func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(p)
	if len(p) >= t.limit {
		t.truncated = t.truncated || len(t.buf) > 0 || len(p) > t.limit
		t.buf = append(t.buf[:0], p[len(p)-t.limit:]...)
		return n, nil
	}
	if over := len(t.buf) + len(p) - t.limit; over > 0 {
		t.truncated = true
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	t.buf = append(t.buf, p...)
	return n, nil
}

// reset forgets everything written.
func (t *tail) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf, t.truncated = t.buf[:0], false
}

// String returns what is kept, marking a cut at the front.
func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := string(t.buf)
	if t.truncated {
		// Start at a line boundary so a half-cut secret cannot survive
		// redaction by having lost its first bytes.
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			s = s[i+1:]
		} else {
			s = ""
		}
		s = "[... earlier output cut ...]\n" + s
	}
	return s
}

// redactor removes known secret values from text.
type redactor struct {
	r *strings.Replacer
}

// newRedactor returns a redactor of every string of at least minSecretLen
// bytes found anywhere in values (maps and lists are walked), in plain and
// JSON-escaped form.
func newRedactor(values ...any) *redactor {
	set := map[string]bool{}
	for _, v := range values {
		collectSecrets(v, set)
	}
	secrets := make([]string, 0, len(set))
	for s := range set {
		secrets = append(secrets, s)
	}
	// Longest first, so a secret that contains another is replaced whole.
	sort.Slice(secrets, func(i, j int) bool {
		if len(secrets[i]) != len(secrets[j]) {
			return len(secrets[i]) > len(secrets[j])
		}
		return secrets[i] < secrets[j]
	})
	if len(secrets) == 0 {
		return &redactor{}
	}
	pairs := make([]string, 0, 2*len(secrets))
	for _, s := range secrets {
		pairs = append(pairs, s, redactedMark)
	}
	return &redactor{r: strings.NewReplacer(pairs...)}
}

func collectSecrets(v any, set map[string]bool) {
	switch v := v.(type) {
	case string:
		if len(v) < minSecretLen {
			return
		}
		set[v] = true
		// How the value looks inside JSON or HCL strings in tool output.
		if q := strconv.Quote(v); q[1:len(q)-1] != v {
			set[q[1:len(q)-1]] = true
		}
		// Multi-line values: each long enough line alone, since tools
		// print values line by line.
		if strings.Contains(v, "\n") {
			for _, line := range strings.Split(v, "\n") {
				collectSecrets(strings.TrimSpace(line), set)
			}
		}
	case map[string]any:
		for _, e := range v {
			collectSecrets(e, set)
		}
	case []any:
		for _, e := range v {
			collectSecrets(e, set)
		}
	}
}

// Redact returns s with every secret replaced.
func (r *redactor) Redact(s string) string {
	if r == nil || r.r == nil {
		return s
	}
	return r.r.Replace(s)
}
