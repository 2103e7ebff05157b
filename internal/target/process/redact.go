package process

import (
	"cmp"
	"slices"
	"strings"
)

// Redacted replaces every secret value in log lines pave shows or keeps.
const Redacted = "[REDACTED]"

// minSecretLen is the shortest value redacted: shorter ones would blank
// out ordinary text and protect nothing.
const minSecretLen = 3

// redactor replaces secret values by Redacted. The zero redactor and a nil
// one change nothing.
type redactor struct{ r *strings.Replacer }

func newRedactor(secrets []string) *redactor {
	vals := slices.Clone(secrets)
	vals = slices.DeleteFunc(vals, func(s string) bool { return len(s) < minSecretLen })
	if len(vals) == 0 {
		return &redactor{}
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
	if r == nil || r.r == nil {
		return s
	}
	return r.r.Replace(s)
}
