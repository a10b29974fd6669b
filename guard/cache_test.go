package guard

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/config"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/internal/scenario"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/jwks"
)

// remoteKeys is a KeySource whose set a test can swap, as a refresh would.
type remoteKeys struct{ set *jwks.Set }

func (k *remoteKeys) KeySet(int) *jwks.Set { return k.set }

func newTestGuard(t *testing.T, cache string) (*Guard, *remoteKeys, *scenario.Issuer) {
	t.Helper()
	issuer, err := scenario.NewIssuer(scenario.IssuerURL)
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.Replace(scenario.BaseConfig, `"forward_token": false`, `"forward_token": false, "token_cache": `+cache, 1)
	c, err := config.Parse([]byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	g, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	set, err := jwks.Parse(issuer.JWKS("rsa-1", "ec-1"))
	if err != nil {
		t.Fatal(err)
	}
	return g, &remoteKeys{set: set}, issuer
}

// lookup is find and count, as Guard.Check does them for a bearer token.
func (c *tokenCache) lookup(token string, now time.Time) (cachedToken, bool) {
	t, ok := c.find(token, now)
	c.count(ok)
	return t, ok
}

func post(token string) Request {
	return Request{Method: "POST", Path: "/mcp", Authorization: []string{"Bearer " + token}}
}

func TestCacheHitSkipsValidationButRechecksScopesAndExpiry(t *testing.T) {
	g, keys, issuer := newTestGuard(t, `{"max_entries": 10}`)
	now := time.Unix(1_900_000_000, 0)
	c := issuer.Standard(now, scenario.Resource, "mcp:tools:read")
	c["exp"] = now.Add(10 * time.Minute).Unix()
	tok := issuer.Mint("rsa-1", c, nil)

	if o := g.Check(post(tok), keys, now); o.Kind != Forward || o.Claims == nil {
		t.Fatalf("first request: %+v", o)
	}
	if s := g.CacheStats(); s.Misses != 1 || s.Entries != 1 {
		t.Fatalf("after first request: %+v", s)
	}
	o := g.Check(post(tok), keys, now.Add(time.Minute))
	if o.Kind != Forward || o.Claims != nil { // Claims nil: served from the cache, not re-validated
		t.Fatalf("second request not a cache hit: %+v", o)
	}
	if v := o.SetHeaders; len(v) != 2 || v[0] != [2]string{"x-mcp-subject", "user-123"} {
		t.Fatalf("identity headers from cache = %v", v)
	}
	// Same token, rule needing more scopes: 403 even on a hit.
	admin := Request{Method: "GET", Path: "/admin/x", Authorization: []string{"Bearer " + tok}}
	if o := g.Check(admin, keys, now.Add(time.Minute)); o.Kind != Reply || o.Response.Status != 403 {
		t.Fatalf("scopes not re-checked on a hit: %+v", o)
	}
	if s := g.CacheStats(); s.Hits != 2 {
		t.Fatalf("hits = %d, want 2", s.Hits)
	}
	// exp (10 min) + skew (60 s) passed: no longer served from the cache.
	if o := g.Check(post(tok), keys, now.Add(11*time.Minute+time.Second)); o.Kind != Reply || o.Response.Status != 401 {
		t.Fatalf("expired token after cache expiry: %+v", o)
	}
}

func TestCacheEntryCappedAtMaxAge(t *testing.T) {
	g, keys, issuer := newTestGuard(t, `{"max_entries": 10, "max_age_s": 30}`)
	now := time.Unix(1_900_000_000, 0)
	tok := issuer.Mint("rsa-1", issuer.Standard(now, scenario.Resource, "mcp:tools:read"), nil)
	g.Check(post(tok), keys, now)
	if o := g.Check(post(tok), keys, now.Add(29*time.Second)); o.Claims != nil {
		t.Fatal("not served from the cache within max_age")
	}
	if o := g.Check(post(tok), keys, now.Add(30*time.Second)); o.Kind != Forward || o.Claims == nil {
		t.Fatalf("served from the cache past max_age: %+v", o)
	}
}

func TestCacheInvalidatedWhenKeySetChanges(t *testing.T) {
	g, keys, issuer := newTestGuard(t, `{"max_entries": 10}`)
	now := time.Unix(1_900_000_000, 0)
	tok := issuer.Mint("rsa-1", issuer.Standard(now, scenario.Resource, "mcp:tools:read"), nil)
	if o := g.Check(post(tok), keys, now); o.Kind != Forward {
		t.Fatalf("%+v", o)
	}
	rotated, err := jwks.Parse(issuer.JWKS("rsa-2"))
	if err != nil {
		t.Fatal(err)
	}
	keys.set = rotated // rsa-1 removed by a refresh
	o := g.Check(Request{Method: "POST", Path: "/mcp", Authorization: []string{"Bearer " + tok}, KeysSettled: true}, keys, now)
	if o.Kind != Reply || o.Response.Status != 401 {
		t.Fatalf("token signed by a removed key still accepted from the cache: %+v", o)
	}
}

func TestCacheNeverStoresFailures(t *testing.T) {
	g, keys, issuer := newTestGuard(t, `{"max_entries": 10}`)
	now := time.Unix(1_900_000_000, 0)
	bad := issuer.Mint("rsa-1", issuer.Standard(now, "https://other.example.com", "mcp:tools:read"), nil)
	g.Check(post(bad), keys, now)
	unknownKid := issuer.Mint("rsa-2", issuer.Standard(now, scenario.Resource, "mcp:tools:read"), nil)
	g.Check(post(unknownKid), keys, now)
	noKeys := &remoteKeys{}
	good := issuer.Mint("ec-1", issuer.Standard(now, scenario.Resource, "mcp:tools:read"), nil)
	if o := g.Check(post(good), noKeys, now); o.Kind != WaitForKeys {
		t.Fatalf("%+v", o)
	}
	if s := g.CacheStats(); s.Entries != 0 {
		t.Fatalf("failures cached: %+v", s)
	}
}

func TestCacheBoundedByCountAndBytesFIFO(t *testing.T) {
	now := time.Unix(1_900_000_000, 0)
	mk := func(i int) tokenGrant {
		return tokenGrant{token: strings.Repeat("t", 100) + strings.Repeat(string(rune('a'+i%26)), 32) + string(rune('A'+i/26)),
			expires: now.Add(time.Hour)}
	}
	c := newTokenCache(3, 1<<20, time.Hour)
	for i := 0; i < 5; i++ {
		c.store(mk(i))
	}
	if s := c.Stats(); s.Entries != 3 || s.Evictions != 2 {
		t.Fatalf("count bound: %+v", s)
	}
	if _, ok := c.lookup(mk(0).token, now); ok {
		t.Fatal("oldest entries not evicted first")
	}
	if _, ok := c.lookup(mk(1).token, now); ok {
		t.Fatal("oldest entries not evicted first")
	}
	if _, ok := c.lookup(mk(4).token, now); !ok {
		t.Fatal("newest entry missing")
	}
	size := recordSize(mk(0)) + entryOverhead
	byBytes := newTokenCache(100, 2*size+size/2, time.Hour)
	for i := 0; i < 10; i++ {
		byBytes.store(mk(i))
	}
	if s := byBytes.Stats(); s.Entries != 2 || s.Bytes > 2*size+size/2 {
		t.Fatalf("byte bound: %+v (entry %d bytes)", s, size)
	}
	if off := newTokenCache(0, 1<<20, time.Hour); off != nil {
		t.Fatal("max_entries 0 must turn the cache off")
	}
}

func TestCacheKeyCollisionComparesWholeToken(t *testing.T) {
	now := time.Unix(1_900_000_000, 0)
	c := newTokenCache(10, 1<<20, time.Hour)
	suffix := strings.Repeat("s", cacheKeyLen)
	c.store(tokenGrant{token: "victim." + suffix, expires: now.Add(time.Hour)})
	if _, ok := c.lookup("forged."+suffix, now); ok {
		t.Fatal("a token sharing only the key suffix was served from the cache")
	}
	if _, ok := c.lookup("victim."+suffix, now); !ok {
		t.Fatal("the real token was not found")
	}
}

// TestCacheStoreAfterFind: whatever the order of finds (which drop an
// expired entry) and stores (which replace the key's entry), one key holds
// one entry and the byte count stays that of the entries held.
func TestCacheStoreAfterFind(t *testing.T) {
	now := time.Unix(1_900_000_000, 0)
	suffix := strings.Repeat("s", cacheKeyLen)
	a, b := tokenGrant{token: "a." + suffix, expires: now.Add(time.Hour)}, tokenGrant{token: "b." + suffix, expires: now.Add(time.Hour)}
	one := recordSize(a) + entryOverhead
	steps := []struct {
		name string
		do   func(c *tokenCache)
	}{
		{"find, store", func(c *tokenCache) { c.find(a.token, now); c.store(a) }},
		{"find, store, store", func(c *tokenCache) { c.find(a.token, now); c.store(a); c.store(a) }},
		{"find, store, find other, store other", func(c *tokenCache) { c.find(a.token, now); c.store(a); c.find(b.token, now); c.store(b) }},
		{"find both, store both", func(c *tokenCache) { c.find(a.token, now); c.find(b.token, now); c.store(a); c.store(b) }},
		{"find, store other, store", func(c *tokenCache) { c.find(a.token, now); c.store(b); c.store(a) }},
		{"expired, find, store", func(c *tokenCache) {
			c.store(a)
			c.find(a.token, now.Add(2*time.Hour))
			c.store(a)
		}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			c := newTokenCache(10, 1<<20, time.Hour)
			st.do(c)
			if s := c.Stats(); s.Entries != 1 || s.Bytes != one {
				t.Fatalf("entries %d bytes %d, want 1 and %d", s.Entries, s.Bytes, one)
			}
		})
	}
}

// TestCacheOrderStaysBounded: expiring and replacing entries without ever
// filling the cache must not grow the eviction queue without bound.
func TestCacheOrderStaysBounded(t *testing.T) {
	now := time.Unix(1_900_000_000, 0)
	c := newTokenCache(1000, 1<<30, time.Hour)
	tok := strings.Repeat("x", 64)
	for i := 0; i < 10000; i++ {
		c.store(tokenGrant{token: tok, expires: now.Add(time.Hour)}) // replaces itself
	}
	if n := len(c.order) - c.head; n > 2*c.entries.count+65 {
		t.Fatalf("eviction queue holds %d slots for %d entries", n, c.entries.count)
	}

	// A full cache evicting on every store: the slots before the oldest
	// live one must be released too (their array once grew by a slot per
	// token, forever: 36 bytes a miss).
	full := newTokenCache(100, 1<<30, time.Hour)
	for i := 0; i < 100_000; i++ {
		full.store(tokenGrant{token: fmt.Sprintf("token-%040d", i), expires: now.Add(time.Hour)})
	}
	if full.entries.count != 100 || len(full.order) > 2*100+64 || cap(full.order) > 4*(2*100+64) {
		t.Fatalf("%d entries, eviction queue len %d cap %d", full.entries.count, len(full.order), cap(full.order))
	}
}

// A cached entry must not keep the request's header block or the token's
// decoded payload alive, and must give back exactly what was stored: its
// strings are views of its own record.
func TestCacheRecordsOwnTheirStrings(t *testing.T) {
	c := newTokenCache(10, 1<<20, time.Hour)
	block := "x-other: " + strings.Repeat("v", 1000) + "authorization: Bearer abcdefghijklmnopqrstuvwxyz0123456789"
	token := block[len(block)-36:]
	payload := `{"sub":"alice","client_id":"app","jti":"j1","scope":"read write a\u0020b"}`
	sub := func(v string) string { i := strings.Index(payload, v); return payload[i : i+len(v)] }
	c.store(tokenGrant{token: token, provider: 3, keysID: 7, expires: time.Unix(2, 0), subject: sub("alice"), clientID: sub("app"),
		tokenID: sub("j1"), scopes: []string{sub("read"), sub("write"), "a b"}, headers: [][2]string{{"x-mcp-subject", sub("alice")}, {"x-empty", ""}}})
	got, ok := c.lookup(token, time.Unix(1, 0))
	if !ok {
		t.Fatal("stored entry not found")
	}
	if got.provider != 3 || got.keysID != 7 {
		t.Errorf("provider %d keysID %d, want 3 and 7", got.provider, got.keysID)
	}
	if !got.scopes.containsAll([]string{"read", "write", "a b"}) || got.scopes.contains("a") || got.scopes.contains("b") || got.scopes.contains("") {
		t.Errorf("scopes not kept whole: %q", got.scopes)
	}
	if h := got.headers.appendPairs(nil); len(h) != 2 || h[0] != [2]string{"x-mcp-subject", "alice"} || h[1] != [2]string{"x-empty", ""} {
		t.Errorf("headers = %q", h)
	}
	within := func(s, outer string) bool {
		p, lo := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(outer)))
		return p >= lo && p+uintptr(len(s)) <= lo+uintptr(len(outer))
	}
	r, _ := c.entries.get(keyOf(token))
	record := r.view()
	kept := []string{got.subject, got.clientID, got.tokenID, got.headers.appendPairs(nil)[0][1]}
	want := []string{"alice", "app", "j1", "alice"}
	for i, s := range kept {
		if s != want[i] {
			t.Errorf("kept string %d = %q, want %q", i, s, want[i])
		}
		if within(s, block) || within(s, payload) || !within(s, record) {
			t.Errorf("kept string %q is not a view of the entry's own record", s)
		}
	}
	if _, ok := c.lookup(token, time.Unix(2, 0)); ok {
		t.Error("served at its expiry time")
	}
}

// Records are written one after another into shared slabs, so the cache's
// long-lived memory is a few large blocks; an oversized record gets its own.
func TestCacheRecordsShareSlabsInInsertionOrder(t *testing.T) {
	c := newTokenCache(100, 1<<30, time.Hour)
	exp := time.Unix(2, 0)
	small := func(i int) tokenGrant {
		return tokenGrant{token: strings.Repeat("s", 40) + string(rune('a'+i)), expires: exp}
	}
	for i := range 3 {
		c.store(small(i))
	}
	addr := func(g tokenGrant) (uintptr, int) {
		r, _ := c.entries.get(keyOf(g.token))
		return uintptr(unsafe.Pointer(unsafe.SliceData(r.data))), len(r.data)
	}
	for i := 1; i < 3; i++ {
		prev, n := addr(small(i - 1))
		if cur, _ := addr(small(i)); cur != prev+uintptr(n) {
			t.Fatalf("record %d is not written right after record %d", i, i-1)
		}
	}
	big := tokenGrant{token: strings.Repeat("b", slabBytes/2), expires: exp}
	c.store(big)
	next := tokenGrant{token: strings.Repeat("s", 40) + "z", expires: exp}
	c.store(next)
	last, n := addr(small(2))
	if cur, _ := addr(next); cur != last+uintptr(n) {
		t.Fatal("an oversized record took the slab's room")
	}
	if r, _ := c.entries.get(keyOf(big.token)); cap(r.data) != recordSize(big) {
		t.Fatalf("oversized record: capacity %d, want its own allocation of %d", cap(r.data), recordSize(big))
	}
}
