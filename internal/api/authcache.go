package api

import (
	"crypto/sha256"
	"sync"
	"time"

	"github.com/pavedev/pave/internal/service"
)

// DefaultAuthCacheTTL is how long a replica remembers a token's
// authentication.
const DefaultAuthCacheTTL = 2 * time.Second

// maxCached bounds the authentications remembered.
const maxCached = 1 << 14

// authCache remembers successful authentications for a moment, keyed by
// the token's SHA-256, so that a burst of requests with one token reads
// the token and its user once. Revoking a token or changing a user through
// this replica forgets everything at once; through another replica (or the
// database directly), it takes effect here within the TTL. An entry never
// outlives its token's expiry.
type authCache struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	entries map[[32]byte]authEntry
}

type authEntry struct {
	actor service.Actor
	until time.Time
}

func newAuthCache(ttl time.Duration) *authCache {
	return &authCache{ttl: ttl, now: time.Now, entries: map[[32]byte]authEntry{}}
}

func (c *authCache) get(token string) (service.Actor, bool) {
	if c.ttl <= 0 {
		return service.Actor{}, false
	}
	k := sha256.Sum256([]byte(token))
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok {
		return service.Actor{}, false
	}
	if !c.now().Before(e.until) {
		delete(c.entries, k)
		return service.Actor{}, false
	}
	return e.actor, true
}

func (c *authCache) put(token string, a service.Actor, expires time.Time) {
	if c.ttl <= 0 {
		return
	}
	until := c.now().Add(c.ttl)
	if expires.Before(until) {
		until = expires
	}
	k := sha256.Sum256([]byte(token))
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCached {
		clear(c.entries)
	}
	c.entries[k] = authEntry{actor: a, until: until}
}

// forget drops every entry: a token was revoked or a user changed.
func (c *authCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
}
