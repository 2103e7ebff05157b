package api

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// authLimiter refuses a client address that failed to authenticate limit
// times within window, until the window ends: a bound on guessing tokens.
type authLimiter struct {
	limit  int
	window time.Duration
	now    func() time.Time

	mu      sync.Mutex
	clients map[string]*failures
}

type failures struct {
	start time.Time
	n     int
}

// maxTracked bounds the addresses tracked; beyond it, expired ones are
// forgotten first.
const maxTracked = 1 << 14

func newAuthLimiter(limit int, window time.Duration) *authLimiter {
	return &authLimiter{limit: limit, window: window, now: time.Now, clients: map[string]*failures{}}
}

// blocked reports whether ip may not try to authenticate now, and for how
// long more.
func (l *authLimiter) blocked(ip string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.clients[ip]
	if f == nil {
		return false, 0
	}
	left := l.window - l.now().Sub(f.start)
	if left <= 0 {
		delete(l.clients, ip)
		return false, 0
	}
	return f.n >= l.limit, left
}

// fail records a failed authentication of ip.
func (l *authLimiter) fail(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	f := l.clients[ip]
	if f == nil || now.Sub(f.start) >= l.window {
		if len(l.clients) >= maxTracked {
			l.sweep(now)
		}
		f = &failures{start: now}
		l.clients[ip] = f
	}
	f.n++
}

func (l *authLimiter) sweep(now time.Time) {
	for ip, f := range l.clients {
		if now.Sub(f.start) >= l.window {
			delete(l.clients, ip)
		}
	}
	if len(l.clients) >= maxTracked { // all recent: forget the lot rather than grow
		clear(l.clients)
	}
}

// clientIP is the address a request came from (the proxy's, behind one).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
