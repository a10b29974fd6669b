package guard

import (
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/jwks"
)

// tokenCache remembers tokens this VM validated, so a client that sends the
// same token many times (MCP clients do) pays for one signature check. It
// holds only what authorization and forwarding need. A VM is
// single-threaded, so the cache needs no locking.
type tokenCache struct {
	maxEntries int
	maxBytes   int
	maxAge     time.Duration

	entries map[cacheKey]*cacheEntry
	order   []*cacheEntry // insertion order, for FIFO eviction; nil slots are removed entries
	head    int           // index of the oldest live slot in order
	bytes   int

	stats CacheStats
}

// CacheStats counts cache outcomes for metrics.
type CacheStats struct {
	Hits, Misses, Evictions uint64
	Entries, Bytes          int
}

// cacheKey is the token's last bytes, inside its signature. Hashing the
// whole token is what costs in wasm (Go's string hash has no fast path
// there, PITFALLS "Crypto cost"); a hit still compares the full token.
type cacheKey [cacheKeyLen]byte

const cacheKeyLen = 32

type cacheEntry struct {
	token    string
	provider int
	keys     *jwks.Set // the set the signature was checked with; another set means re-verify
	expires  time.Time // exp + clock skew, capped at validation + max age
	scopes   []string
	headers  [][2]string // identity headers rendered from the claims
	name     string      // provider name, for logs
	// sub, client_id and jti of the verified token, for logs.
	subject, clientID, tokenID string
	size                       int
}

// entryOverhead approximates the bytes an entry costs beyond its strings.
const entryOverhead = 160

func newTokenCache(maxEntries, maxBytes int, maxAge time.Duration) *tokenCache {
	if maxEntries <= 0 || maxBytes <= 0 {
		return nil
	}
	return &tokenCache{
		maxEntries: maxEntries,
		maxBytes:   maxBytes,
		maxAge:     maxAge,
		entries:    make(map[cacheKey]*cacheEntry, min(maxEntries, 1024)),
	}
}

func keyOf(token string) (k cacheKey) {
	copy(k[:], token[max(0, len(token)-cacheKeyLen):])
	return k
}

// lookup returns the entry for token if it is still valid at now.
func (c *tokenCache) lookup(token string, now time.Time) *cacheEntry {
	if c == nil {
		return nil
	}
	k := keyOf(token)
	e, ok := c.entries[k]
	if !ok || e.token != token {
		c.stats.Misses++
		return nil
	}
	if !now.Before(e.expires) {
		c.remove(k, e)
		c.stats.Misses++
		return nil
	}
	c.stats.Hits++
	return e
}

// store remembers a validated token, evicting the oldest entries to stay
// within bounds. Entries whose key set changed are dropped on lookup.
func (c *tokenCache) store(e *cacheEntry) {
	if c == nil {
		return
	}
	e.size = len(e.token) + len(e.subject) + len(e.clientID) + len(e.tokenID) + entryOverhead
	for _, s := range e.scopes {
		e.size += len(s) + 16
	}
	for _, h := range e.headers {
		e.size += len(h[0]) + len(h[1]) + 32
	}
	if e.size > c.maxBytes {
		return
	}
	k := keyOf(e.token)
	if old, ok := c.entries[k]; ok {
		c.remove(k, old)
	}
	for len(c.entries) >= c.maxEntries || c.bytes+e.size > c.maxBytes {
		c.evictOldest()
	}
	c.entries[k] = e
	c.order = append(c.order, e)
	c.bytes += e.size
	if len(c.order)-c.head > 2*len(c.entries)+64 {
		c.compact()
	}
}

func (c *tokenCache) remove(k cacheKey, e *cacheEntry) {
	delete(c.entries, k)
	c.bytes -= e.size
	e.size = 0 // marks the slot in order as dead
}

// evictOldest drops the oldest live entry (FIFO: simple, O(1) amortised,
// and a token's age is what bounds how long it is trusted anyway).
func (c *tokenCache) evictOldest() {
	for c.head < len(c.order) {
		e := c.order[c.head]
		c.order[c.head] = nil
		c.head++
		if e != nil && e.size != 0 {
			c.remove(keyOf(e.token), e)
			c.stats.Evictions++
			return
		}
	}
}

// compact drops dead slots (evicted, expired or replaced entries) from the
// insertion order so it stays proportional to the live entries.
func (c *tokenCache) compact() {
	live := c.order[:0]
	for _, e := range c.order[c.head:] {
		if e != nil && e.size != 0 {
			live = append(live, e)
		}
	}
	clear(c.order[len(live):])
	c.order, c.head = live, 0
}

func (c *tokenCache) maxAgeOrZero() time.Duration {
	if c == nil {
		return 0
	}
	return c.maxAge
}

// Stats returns the cache's counters and size.
func (c *tokenCache) Stats() CacheStats {
	if c == nil {
		return CacheStats{}
	}
	s := c.stats
	s.Entries, s.Bytes = len(c.entries), c.bytes
	return s
}
