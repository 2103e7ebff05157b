package secrets

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// Mask replaces every secret value a Redactor finds.
const Mask = "***"

// Redactor replaces known secret values in strings with Mask: in logs, error
// messages and driver output. Besides each value as given it also masks the
// forms a value commonly takes when embedded in other text: JSON-escaped,
// URL-escaped and base64 encoded (as in a Kubernetes Secret). Matching is
// leftmost, then longest. A Redactor is safe for concurrent use; a nil
// *Redactor redacts nothing.
type Redactor struct {
	mu     sync.RWMutex
	values map[string]struct{}
	// sorted holds the values to mask, longest first, and rep replaces
	// them; both are rebuilt lazily after Add (dirty), so that adding many
	// values one by one stays linear.
	sorted []string
	rep    *strings.Replacer
	dirty  bool
}

// NewRedactor returns a Redactor that masks values.
func NewRedactor(values ...string) *Redactor {
	r := &Redactor{values: map[string]struct{}{}}
	r.Add(values...)
	return r
}

// Add makes the Redactor mask values too. Empty values are ignored.
func (r *Redactor) Add(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	changed := false
	for _, v := range values {
		for _, f := range forms(v) {
			if _, ok := r.values[f]; !ok {
				r.values[f] = struct{}{}
				changed = true
			}
		}
	}
	if changed {
		r.dirty = true
	}
}

// snapshot returns the values to mask, longest first, and their replacer,
// rebuilding them if values were added since.
func (r *Redactor) snapshot() ([]string, *strings.Replacer) {
	r.mu.RLock()
	sorted, rep, dirty := r.sorted, r.rep, r.dirty
	r.mu.RUnlock()
	if !dirty {
		return sorted, rep
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.dirty {
		return r.sorted, r.rep
	}
	r.dirty = false
	// A new slice, never an update in place: writers read the old one
	// without the lock.
	sorted = make([]string, 0, len(r.values))
	for v := range r.values {
		sorted = append(sorted, v)
	}
	slices.SortFunc(sorted, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(b), len(a)), cmp.Compare(a, b))
	})
	r.sorted = sorted
	pairs := make([]string, 0, 2*len(r.sorted))
	for _, v := range r.sorted {
		pairs = append(pairs, v, Mask)
	}
	r.rep = strings.NewReplacer(pairs...)
	return r.sorted, r.rep
}

// forms returns v and the escaped and encoded forms it may take in text.
func forms(v string) []string {
	if v == "" {
		return nil
	}
	out := []string{v}
	if j, err := json.Marshal(v); err == nil && len(j) >= 2 {
		out = append(out, string(j[1:len(j)-1]))
	}
	out = append(out, url.QueryEscape(v), url.PathEscape(v))
	if len(v) >= 4 {
		out = append(out, base64.StdEncoding.EncodeToString([]byte(v)), base64.RawStdEncoding.EncodeToString([]byte(v)))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Len returns how many strings (values and their forms) the Redactor masks.
func (r *Redactor) Len() int {
	if r == nil {
		return 0
	}
	sorted, _ := r.snapshot()
	return len(sorted)
}

// Redact returns s with every known secret value replaced by Mask.
func (r *Redactor) Redact(s string) string {
	if r == nil {
		return s
	}
	_, rep := r.snapshot()
	if rep == nil {
		return s
	}
	return rep.Replace(s)
}

// RedactBytes is Redact for a byte slice; it returns a new slice.
func (r *Redactor) RedactBytes(b []byte) []byte {
	return []byte(r.Redact(string(b)))
}

// Writer returns a writer that redacts everything written to it before
// passing it on to w. It holds back the tail of what it was given for as long
// as that tail could be the start of a secret, so a value split across writes
// is still masked; Close (or Flush) writes what is held back. Values added to
// the Redactor later are masked from then on.
func (r *Redactor) Writer(w io.Writer) *Writer {
	return &Writer{r: r, w: w}
}

// Writer is an io.WriteCloser that redacts secrets; see Redactor.Writer.
type Writer struct {
	r   *Redactor
	w   io.Writer
	mu  sync.Mutex
	buf []byte
}

// Write redacts p and writes all of it that cannot be part of a secret split
// across writes. It reports len(p) written unless the underlying writer fails.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	if err := w.emit(false); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes everything held back, redacted.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.emit(true)
}

// Close flushes the writer. It does not close the underlying writer.
func (w *Writer) Close() error { return w.Flush() }

func (w *Writer) emit(final bool) error {
	var values []string
	if w.r != nil {
		values, _ = w.r.snapshot()
	}
	out, n := scan(w.buf, values, final)
	if len(out) > 0 {
		if _, err := w.w.Write(out); err != nil {
			return err
		}
	}
	w.buf = append(w.buf[:0], w.buf[n:]...)
	return nil
}

// scan redacts buf with values (longest first). Unless final, it stops at the
// first position where buf ends inside what could still become a value, and
// returns how much of buf it consumed.
func scan(buf []byte, values []string, final bool) ([]byte, int) {
	out := make([]byte, 0, len(buf))
	i := 0
next:
	for i < len(buf) {
		rest := buf[i:]
		if !final && len(values) > 0 && len(rest) < len(values[0]) {
			for _, v := range values {
				if len(rest) < len(v) && v[:len(rest)] == string(rest) {
					return out, i
				}
			}
		}
		for _, v := range values {
			if len(rest) >= len(v) && string(rest[:len(v)]) == v {
				out = append(out, Mask...)
				i += len(v)
				continue next
			}
		}
		out = append(out, buf[i])
		i++
	}
	return out, i
}
