package api

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// buckets are the upper bounds, in seconds, of the request duration
// histogram.
var buckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// metrics are the server's Prometheus metrics, written in the text
// exposition format by hand.
type metrics struct {
	mu        sync.Mutex
	requests  map[reqKey]uint64
	durations map[string]*histogram // by route

	inFlight     atomic.Int64
	authFailures atomic.Uint64
	rateLimited  atomic.Uint64
	changes      atomic.Int64 // changes running in this replica
	outcomes     sync.Map     // outcome string -> *atomic.Uint64
}

type reqKey struct {
	method, route string
	code          int
}

type histogram struct {
	counts []uint64 // per bucket, not cumulative; the last is +Inf
	sum    float64
	n      uint64
}

func newMetrics() *metrics {
	return &metrics{requests: map[reqKey]uint64{}, durations: map[string]*histogram{}}
}

// observe records one request.
func (m *metrics) observe(method, route string, code int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[reqKey{method, route, code}]++
	h := m.durations[route]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(buckets)+1)}
		m.durations[route] = h
	}
	s := d.Seconds()
	i, _ := slices.BinarySearch(buckets, s)
	h.counts[i]++
	h.sum += s
	h.n++
}

// outcome counts a finished change by its outcome.
func (m *metrics) outcome(o string) {
	v, _ := m.outcomes.LoadOrStore(o, new(atomic.Uint64))
	v.(*atomic.Uint64).Add(1)
}

// write writes every metric in the Prometheus text format, sorted.
func (m *metrics) write(w io.Writer) {
	m.mu.Lock()
	keys := make([]reqKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b reqKey) int {
		return strings.Compare(a.route+a.method+strconv.Itoa(a.code), b.route+b.method+strconv.Itoa(b.code))
	})
	fmt.Fprintln(w, "# HELP pave_http_requests_total HTTP requests served, by method, route pattern and status.")
	fmt.Fprintln(w, "# TYPE pave_http_requests_total counter")
	for _, k := range keys {
		fmt.Fprintf(w, "pave_http_requests_total{method=%q,route=%q,code=\"%d\"} %d\n", k.method, k.route, k.code, m.requests[k])
	}
	routes := make([]string, 0, len(m.durations))
	for r := range m.durations {
		routes = append(routes, r)
	}
	slices.Sort(routes)
	fmt.Fprintln(w, "# HELP pave_http_request_duration_seconds Time to serve HTTP requests, by route pattern.")
	fmt.Fprintln(w, "# TYPE pave_http_request_duration_seconds histogram")
	for _, r := range routes {
		h := m.durations[r]
		var cum uint64
		for i, le := range buckets {
			cum += h.counts[i]
			fmt.Fprintf(w, "pave_http_request_duration_seconds_bucket{route=%q,le=%q} %d\n", r, formatFloat(le), cum)
		}
		cum += h.counts[len(buckets)]
		fmt.Fprintf(w, "pave_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", r, cum)
		fmt.Fprintf(w, "pave_http_request_duration_seconds_sum{route=%q} %s\n", r, formatFloat(h.sum))
		fmt.Fprintf(w, "pave_http_request_duration_seconds_count{route=%q} %d\n", r, h.n)
	}
	m.mu.Unlock()

	fmt.Fprintln(w, "# HELP pave_http_requests_in_flight HTTP requests being served.")
	fmt.Fprintln(w, "# TYPE pave_http_requests_in_flight gauge")
	fmt.Fprintf(w, "pave_http_requests_in_flight %d\n", m.inFlight.Load())
	fmt.Fprintln(w, "# HELP pave_auth_failures_total Requests whose bearer token did not authenticate.")
	fmt.Fprintln(w, "# TYPE pave_auth_failures_total counter")
	fmt.Fprintf(w, "pave_auth_failures_total %d\n", m.authFailures.Load())
	fmt.Fprintln(w, "# HELP pave_auth_rate_limited_total Requests refused because their client failed to authenticate too often.")
	fmt.Fprintln(w, "# TYPE pave_auth_rate_limited_total counter")
	fmt.Fprintf(w, "pave_auth_rate_limited_total %d\n", m.rateLimited.Load())
	fmt.Fprintln(w, "# HELP pave_changes_in_flight Deployments, destroys and other changes running in this replica.")
	fmt.Fprintln(w, "# TYPE pave_changes_in_flight gauge")
	fmt.Fprintf(w, "pave_changes_in_flight %d\n", m.changes.Load())
	fmt.Fprintln(w, "# HELP pave_changes_total Changes finished in this replica, by outcome.")
	fmt.Fprintln(w, "# TYPE pave_changes_total counter")
	var outs []string
	m.outcomes.Range(func(k, _ any) bool { outs = append(outs, k.(string)); return true })
	slices.Sort(outs)
	for _, o := range outs {
		v, _ := m.outcomes.Load(o)
		fmt.Fprintf(w, "pave_changes_total{outcome=%q} %d\n", o, v.(*atomic.Uint64).Load())
	}
}

func formatFloat(f float64) string {
	if math.IsInf(f, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// writeReloads writes the platform config reloads by outcome (see
// configsource), sorted.
func writeReloads(w io.Writer, counts map[string]uint64) {
	outs := make([]string, 0, len(counts))
	for o := range counts {
		outs = append(outs, o)
	}
	slices.Sort(outs)
	fmt.Fprintln(w, "# HELP pave_config_reloads_total Platform config reloads, by outcome: applied, unchanged, refused (did not load; the config in force stays), failed (the source could not be read).")
	fmt.Fprintln(w, "# TYPE pave_config_reloads_total counter")
	for _, o := range outs {
		fmt.Fprintf(w, "pave_config_reloads_total{outcome=%q} %d\n", o, counts[o])
	}
}
