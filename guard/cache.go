package guard

import (
	"encoding/binary"
	"time"
	"unsafe"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/internal/memeq"
)

// tokenCache remembers tokens this VM validated, so a client that sends the
// same token many times (MCP clients do) pays for one signature check. It
// holds only what authorization and forwarding need. A VM is
// single-threaded, so the cache needs no locking.
//
// Each entry is one pointer-free byte record, and the index and the
// eviction order hold no pointers into them beyond the index's: in wasm the
// collector's marking is slow, and a cache of thousands of entries made of
// strings and slices was most of its work on every cycle. Records are
// written one after another into 64 KiB slabs, in insertion order, which
// is also eviction order: a slab is garbage once its last record is
// evicted, and the heap holds no long-lived small objects to fragment its
// pages. (Records allocated one by one, scattered among each request's
// garbage, made linear memory creep up 4 MiB at a time while the cache
// churned.)
type tokenCache struct {
	maxEntries int
	maxBytes   int
	maxAge     time.Duration

	entries recordIndex
	order   []orderSlot // insertion order, for FIFO eviction
	head    int         // index of the oldest slot in order
	bytes   int
	seq     uint32 // numbers records, so a stale order slot is recognised
	slab    []byte // where the next record is written

	stats CacheStats
}

// CacheStats counts cache outcomes for metrics.
type CacheStats struct {
	Hits, Misses, Evictions uint64
	Entries, Bytes          int
}

// cacheKey is the token's last 8 bytes, inside its signature. Hashing the
// whole token is what costs in wasm (Go's string hash has no fast path
// there, PITFALLS "Crypto cost"), and a uint64 takes the map's fastest
// path; a hit still compares the full token. Keys collide only for tokens
// whose signatures end alike, which an attacker cannot arrange for valid
// tokens (only those are stored), and a collision costs a re-validation.
type cacheKey uint64

const cacheKeyLen = 8

type cacheRecord struct {
	data []byte // see encodeGrant; never written after it is built
	seq  uint32
}

type orderSlot struct {
	key cacheKey
	seq uint32
}

// tokenGrant is what the cache keeps of a validated token.
type tokenGrant struct {
	token    string
	provider int
	keysID   uint64    // the key set the signature was checked with; another set means re-verify
	expires  time.Time // exp + clock skew, capped at validation + max age
	scopes   []string
	headers  [][2]string // identity headers rendered from the claims
	// sub, client_id and jti of the verified token, for logs.
	subject, clientID, tokenID string
}

// cachedToken is a grant read back from its record. Its strings are views
// of the record, which the collector keeps alive while they are in use.
type cachedToken struct {
	provider                   int
	keysID                     uint64
	subject, clientID, tokenID string
	scopes                     packedStrings
	headers                    packedStrings // name, value, name, value, ...
}

// entryOverhead approximates what an entry costs beyond its record: its
// map slot, its order slot and the record's slice header.
const entryOverhead = 64

func newTokenCache(maxEntries, maxBytes int, maxAge time.Duration) *tokenCache {
	if maxEntries <= 0 || maxBytes <= 0 {
		return nil
	}
	return &tokenCache{
		maxEntries: maxEntries,
		maxBytes:   maxBytes,
		maxAge:     maxAge,
		entries:    newRecordIndex(min(maxEntries, 1024)),
	}
}

func keyOf(token string) (k cacheKey) {
	for i := max(0, len(token)-cacheKeyLen); i < len(token); i++ {
		k = k<<8 | cacheKey(token[i])
	}
	return k
}

// find returns the grant for token if it is still valid at now. It does
// not count a hit or a miss: the caller does (count) once it knows whether
// the grant is used.
func (c *tokenCache) find(token string, now time.Time) (cachedToken, bool) {
	if c == nil {
		return cachedToken{}, false
	}
	k := keyOf(token)
	r, ok := c.entries.get(k)
	if !ok || !memeq.Equal(r.token(), token) {
		return cachedToken{}, false
	}
	if now.UnixNano() >= r.expires() {
		c.remove(k)
		return cachedToken{}, false
	}
	return r.decode(), true
}

func (c *tokenCache) count(hit bool) {
	switch {
	case c == nil:
	case hit:
		c.stats.Hits++
	default:
		c.stats.Misses++
	}
}

// store remembers a validated token, evicting the oldest entries to stay
// within bounds. Entries whose key set changed are replaced when the token
// is validated again.
func (c *tokenCache) store(g tokenGrant) {
	if c == nil {
		return
	}
	n := recordSize(g)
	if n+entryOverhead > c.maxBytes {
		return
	}
	data := encodeGrant(c.alloc(n), g)
	k := keyOf(g.token)
	c.remove(k)
	for c.entries.count >= c.maxEntries || c.bytes+len(data)+entryOverhead > c.maxBytes {
		c.evictOldest()
	}
	c.seq++
	c.entries.set(k, cacheRecord{data: data, seq: c.seq})
	c.order = append(c.order, orderSlot{key: k, seq: c.seq})
	c.bytes += len(data) + entryOverhead
	// Compact when dead slots (evicted, expired or replaced entries)
	// outnumber the live ones, at the front or among them; otherwise the
	// queue's array would keep every slot ever appended.
	if len(c.order) > 2*c.entries.count+64 {
		c.compact()
	}
}

// slabBytes is the size of the slabs records are written into; a record
// larger than a quarter of it gets an allocation of its own.
const slabBytes = 64 << 10

// alloc returns room for a record of n bytes (length 0, capacity n).
func (c *tokenCache) alloc(n int) []byte {
	if n > slabBytes/4 {
		return make([]byte, 0, n)
	}
	if cap(c.slab)-len(c.slab) < n {
		c.slab = make([]byte, 0, slabBytes)
	}
	start := len(c.slab)
	c.slab = c.slab[:start+n]
	return c.slab[start : start : start+n]
}

// remove drops k's entry, if any.
func (c *tokenCache) remove(k cacheKey) {
	if r, ok := c.entries.delete(k); ok {
		c.bytes -= len(r.data) + entryOverhead
	}
}

// live reports whether an order slot still names a stored record.
func (c *tokenCache) live(s orderSlot) (cacheRecord, bool) {
	r, ok := c.entries.get(s.key)
	return r, ok && r.seq == s.seq
}

// evictOldest drops the oldest live entry (FIFO: simple, O(1) amortised,
// and a token's age is what bounds how long it is trusted anyway).
func (c *tokenCache) evictOldest() {
	for c.head < len(c.order) {
		s := c.order[c.head]
		c.head++
		if _, ok := c.live(s); ok {
			c.remove(s.key)
			c.stats.Evictions++
			return
		}
	}
}

// compact drops dead slots from the insertion order, moving the live ones
// to the front of its array, so it stays proportional to the live entries.
func (c *tokenCache) compact() {
	live := c.order[:0]
	for _, s := range c.order[c.head:] {
		if _, ok := c.live(s); ok {
			live = append(live, s)
		}
	}
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
	s.Entries, s.Bytes = c.entries.count, c.bytes
	return s
}

// A record is, little-endian: expires (int64 Unix nanoseconds), keysID
// (uint64), provider (uint32), the token's length (uint32) and bytes, then
// subject, client_id, jti, the scopes and the identity headers' names and
// values, each a packedStrings.
const recordHeader = 8 + 8 + 4 + 4

func recordSize(g tokenGrant) int {
	n := recordHeader + len(g.token) + 3*4 + len(g.subject) + len(g.clientID) + len(g.tokenID) + 2*4
	for _, s := range g.scopes {
		n += 4 + len(s)
	}
	for _, h := range g.headers {
		n += 8 + len(h[0]) + len(h[1])
	}
	return n
}

// encodeGrant appends g's record to b, which has room for exactly
// recordSize(g) bytes.
func encodeGrant(b []byte, g tokenGrant) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(g.expires.UnixNano()))
	b = binary.LittleEndian.AppendUint64(b, g.keysID)
	b = binary.LittleEndian.AppendUint32(b, uint32(g.provider))
	b = appendPacked(b, g.token)
	b = appendPacked(b, g.subject)
	b = appendPacked(b, g.clientID)
	b = appendPacked(b, g.tokenID)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(g.scopes)))
	for _, s := range g.scopes {
		b = appendPacked(b, s)
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(2*len(g.headers)))
	for _, h := range g.headers {
		b = appendPacked(appendPacked(b, h[0]), h[1])
	}
	return b
}

func appendPacked(b []byte, s string) []byte {
	return append(binary.LittleEndian.AppendUint32(b, uint32(len(s))), s...)
}

func (r cacheRecord) expires() int64 { return int64(binary.LittleEndian.Uint64(r.data)) }

// view is the record's bytes as a string, for zero-copy substrings.
func (r cacheRecord) view() string { return unsafe.String(unsafe.SliceData(r.data), len(r.data)) }

func (r cacheRecord) token() string {
	s, _ := packedStrings(r.view()[recordHeader-4:]).next()
	return s
}

func (r cacheRecord) decode() cachedToken {
	t := cachedToken{
		keysID:   binary.LittleEndian.Uint64(r.data[8:]),
		provider: int(binary.LittleEndian.Uint32(r.data[16:])),
	}
	rest := packedStrings(r.view()[recordHeader-4:])
	_, rest = rest.next() // the token
	t.subject, rest = rest.next()
	t.clientID, rest = rest.next()
	t.tokenID, rest = rest.next()
	t.scopes, rest = rest.list()
	t.headers, _ = rest.list()
	return t
}

// packedStrings is a sequence of strings, each a uint32 length and bytes.
type packedStrings string

func (p packedStrings) next() (string, packedStrings) {
	n := u32(string(p))
	return string(p[4 : 4+n]), p[4+n:]
}

// u32 reads a little-endian uint32 from the start of s.
func u32(s string) uint32 {
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// list splits off a count-prefixed run of strings.
func (p packedStrings) list() (packedStrings, packedStrings) {
	count := u32(string(p))
	end := 4
	for range count {
		end += 4 + int(u32(string(p[end:])))
	}
	return p[4:end], p[end:]
}

// contains reports whether s is one of the strings.
func (p packedStrings) contains(s string) bool {
	for p != "" {
		var v string
		if v, p = p.next(); v == s {
			return true
		}
	}
	return false
}

// containsAll reports whether every required string is one of p's, as
// jwt.Claims.HasScopes does for a decoded token.
func (p packedStrings) containsAll(required []string) bool {
	for _, r := range required {
		if !p.contains(r) {
			return false
		}
	}
	return true
}

// appendPairs appends name, value, name, value, ... to out as header pairs.
func (p packedStrings) appendPairs(out [][2]string) [][2]string {
	if p == "" {
		return nil
	}
	for p != "" {
		var name, value string
		name, p = p.next()
		value, p = p.next()
		out = append(out, [2]string{name, value})
	}
	return out
}
