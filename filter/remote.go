package filter

import (
	"crypto"
	"errors"
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/config"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/jwks"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
)

// remoteProvider is one remote_jwks provider as this VM sees it: the shared
// fetch coordinator plus this VM's parsed copy of the current key set.
type remoteProvider struct {
	index   int
	name    string
	source  config.RemoteJWKS
	coord   *jwks.Coordinator
	set     *jwks.Set // nil until a key set exists
	version uint64    // shared-data version that set was parsed from
	log     logger
}

func newRemoteProvider(index int, name string, src config.RemoteJWKS, vmID string, log logger) *remoteProvider {
	return &remoteProvider{
		index:  index,
		name:   name,
		source: src,
		log:    log,
		coord: jwks.NewCoordinator(name, vmID, sharedData{}, jwks.FetchPolicy{
			RefreshInterval: src.RefreshInterval,
			Timeout:         src.Timeout,
		}),
	}
}

// syncKeys re-parses the key set when another VM stored a new version. Only
// the small state value is read when nothing changed (PITFALLS 14).
func (r *remoteProvider) syncKeys() (installed bool) {
	version, body, changed, err := r.coord.Current(r.version)
	if err != nil {
		r.log.warnf("mcp-oauth-wasm: provider %s: reading shared key set: %v", r.name, err)
		return false
	}
	if !changed {
		return false
	}
	set, err := jwks.Parse(body)
	if err != nil {
		// The fetching VM validated this body; a failure here means the shared
		// value is damaged. Keep the keys we have.
		r.log.errorf("mcp-oauth-wasm: provider %s: shared key set version %d unusable: %v", r.name, version, err)
		return false
	}
	r.install(set, version)
	return true
}

// install makes set the keys this VM checks tokens with. Every VM installs
// every version; the structured key_set_changed line is written only by the
// VM that fetched it (onJWKSResponse), so a change is logged once.
func (r *remoteProvider) install(set *jwks.Set, version uint64) {
	r.set, r.version = set, version
	r.log.debugf("mcp-oauth-wasm: provider %s: key set version %d active with %d key(s)", r.name, version, set.Len())
}

// dispatch starts the JWKS fetch this VM holds the lease for.
func (p *pluginContext) dispatch(r *remoteProvider, now time.Time) {
	headers := [][2]string{
		{":method", "GET"},
		{":path", r.source.Path},
		{":authority", r.source.Authority},
		{"accept", "application/jwk-set+json, application/json"},
	}
	timeout := uint32(r.source.Timeout / time.Millisecond)
	_, err := proxywasm.DispatchHttpCall(r.source.Cluster, headers, nil, nil, timeout,
		func(numHeaders, bodySize, _ int) { p.onJWKSResponse(r, numHeaders, bodySize) })
	if err != nil {
		p.log.errorf("mcp-oauth-wasm: provider %s: cannot dispatch JWKS fetch to cluster %q: %v", r.name, r.source.Cluster, err)
		p.fetchFailed(r, now, "dispatch failed")
	}
}

// onJWKSResponse validates the fetched body and publishes it to every VM.
// Zero headers means the call failed (spec); a timeout arrives as Envoy's
// synthesized 504 (PITFALLS 8): anything but 200 is a failed fetch.
func (p *pluginContext) onJWKSResponse(r *remoteProvider, numHeaders, bodySize int) {
	defer func() {
		if rec := recover(); rec != nil {
			proxywasm.LogCriticalf("mcp-oauth-wasm: panic handling JWKS response: %v", rec)
		}
	}()
	now := p.now()
	if numHeaders == 0 {
		p.fetchFailed(r, now, "no response from cluster")
		return
	}
	status := ""
	headers, err := proxywasm.GetHttpCallResponseHeaders()
	if err == nil {
		for _, h := range headers {
			if h[0] == ":status" {
				status = h[1]
				break
			}
		}
	}
	if status != "200" {
		p.fetchFailed(r, now, "status "+printable(status))
		return
	}
	if bodySize <= 0 {
		p.fetchFailed(r, now, "empty body")
		return
	}
	if bodySize > jwks.DefaultMaxBytes {
		p.fetchFailed(r, now, "body too large")
		return
	}
	body, err := proxywasm.GetHttpCallResponseBody(0, bodySize)
	if err != nil {
		p.fetchFailed(r, now, "cannot read body")
		return
	}
	set, err := jwks.Parse(body)
	if err != nil {
		p.fetchFailed(r, now, err.Error())
		return
	}
	for _, s := range set.Skipped() {
		p.log.warnf("mcp-oauth-wasm: provider %s: skipped key #%d (kid %q): %v", r.name, s.Index, printable(s.ID), s.Reason)
	}
	version, err := r.coord.FetchSucceeded(now, body)
	if errors.Is(err, jwks.ErrLeaseLost) {
		// This VM's lease expired before the answer came and another VM
		// took over: its result is the one that counts.
		p.log.warnf("mcp-oauth-wasm: provider %s: late JWKS response discarded: %v", r.name, err)
		return
	}
	if err != nil {
		p.log.errorf("mcp-oauth-wasm: provider %s: storing key set: %v", r.name, err)
		p.metrics.fetched(r.index, false)
		return
	}
	p.metrics.fetched(r.index, true)
	if added, removed := diffKeys(r.set, set); len(added)+len(removed) > 0 {
		p.log.event(config.LogInfo, keySetEvent{Event: "key_set_changed", Provider: r.name, Version: version,
			Keys: set.Len(), Added: added, Removed: removed})
	}
	r.install(set, version)
	p.reportGauges(now)
	p.reviewParked(now)
}

func (p *pluginContext) fetchFailed(r *remoteProvider, now time.Time, reason string) {
	p.log.warnf("mcp-oauth-wasm: provider %s: JWKS fetch failed: %s", r.name, reason)
	p.metrics.fetched(r.index, false)
	if err := r.coord.FetchFailed(now, reason); err != nil {
		p.log.errorf("mcp-oauth-wasm: provider %s: recording fetch failure: %v", r.name, err)
	}
	p.reviewParked(now)
}

// printable keeps untrusted strings (status, kid) safe for one log line.
func printable(s string) string {
	const max = 64
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s) && len(b) < max; i++ {
		if c := s[i]; c >= 0x20 && c < 0x7f {
			b = append(b, c)
		} else {
			b = append(b, '?')
		}
	}
	return string(b)
}

// maxLoggedKids bounds the key ids one key_set_changed line lists.
const maxLoggedKids = 20

// diffKeys names, by kid, the keys of next that old lacks and those of old
// that next lacks. A key whose kid stayed but whose material or algorithm
// changed is in both lists. Key ids come from the JWKS server: they are
// made printable and bounded.
func diffKeys(old, next *jwks.Set) (added, removed []string) {
	oldKeys, nextKeys := old.Keys(), next.Keys()
	return missingFrom(nextKeys, oldKeys), missingFrom(oldKeys, nextKeys)
}

// missingFrom lists the kids of keys in a that are not in b.
func missingFrom(a, b []*jwks.Key) []string {
	var out []string
	for _, k := range a {
		found := false
		for _, o := range b {
			if sameKey(k, o) {
				found = true
				break
			}
		}
		if !found && len(out) < maxLoggedKids {
			out = append(out, printable(k.ID))
		}
	}
	return out
}

func sameKey(a, b *jwks.Key) bool {
	if a.ID != b.ID || a.Type != b.Type || a.Curve != b.Curve || a.Algorithm != b.Algorithm {
		return false
	}
	pub, ok := a.Public.(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(b.Public)
}
