package filter

import (
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/config"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/guard"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/jwks"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// tickPeriod bounds how late a VM notices keys another VM fetched and how
// late a waiting request gets its 503.
const tickPeriod = time.Second

// pluginContext is one configured plugin in one VM.
type pluginContext struct {
	types.DefaultPluginContext
	contextID uint32
	now       func() time.Time
	guard     *guard.Guard
	remotes   []*remoteProvider // by provider index; nil for local_jwks providers
	parked    map[uint32]*parkedRequest
	log       logger
	metrics   *metrics // nil until the plugin started
	started   time.Time
}

// OnPluginStart parses and compiles the configuration. An invalid one fails
// the plugin with one log line naming the problem: never half-configured.
func (p *pluginContext) OnPluginStart(int) (status types.OnPluginStartStatus) {
	defer func() {
		if r := recover(); r != nil {
			proxywasm.LogCriticalf("mcp-oauth-wasm: panic during plugin start: %v", r)
			status = types.OnPluginStartStatusFailed
		}
	}()
	configureGC()
	data, err := proxywasm.GetPluginConfiguration()
	if err != nil {
		proxywasm.LogCriticalf("mcp-oauth-wasm: cannot read plugin configuration: %v", err)
		return types.OnPluginStartStatusFailed
	}
	cfg, err := config.Parse(data)
	if err != nil {
		proxywasm.LogCriticalf("mcp-oauth-wasm: invalid configuration: %v", err)
		return types.OnPluginStartStatusFailed
	}
	p.started = p.now()
	g, err := guard.New(cfg, guard.WithStartTime(p.started))
	if err != nil {
		proxywasm.LogCriticalf("mcp-oauth-wasm: invalid configuration: %v", err)
		return types.OnPluginStartStatusFailed
	}
	vmID := newVMID()
	p.guard = g
	p.log = logger{min: cfg.LogLevel}
	p.parked = make(map[uint32]*parkedRequest)
	p.remotes = make([]*remoteProvider, len(cfg.Providers))
	remote := make([]bool, len(cfg.Providers))
	for i, pc := range cfg.Providers {
		if pc.RemoteJWKS == nil {
			continue
		}
		p.remotes[i] = newRemoteProvider(i, pc.Name, *pc.RemoteJWKS, vmID, p.log)
		remote[i] = true
	}
	p.metrics = newMetrics(g, remote)
	if err := proxywasm.SetTickPeriodMilliSeconds(uint32(tickPeriod / time.Millisecond)); err != nil {
		proxywasm.LogCriticalf("mcp-oauth-wasm: cannot set tick period: %v", err)
		return types.OnPluginStartStatusFailed
	}
	p.log.infof("mcp-oauth-wasm: configured for resource %s with %d provider(s), %d rule(s), auth_mode %s",
		cfg.Resource, len(cfg.Providers), len(cfg.Rules), cfg.AuthMode)
	// Dispatching from OnPluginStart is allowed (unlike OnVMStart, PITFALLS 7):
	// start the first fetch now rather than one tick later.
	p.tick(p.now())
	return types.OnPluginStartStatusOK
}

// OnTick refreshes keys and reviews waiting requests. It runs on the main
// thread and on every worker (PITFALLS 13); the lease in shared data makes
// sure only one of them fetches.
func (p *pluginContext) OnTick() {
	defer func() {
		if r := recover(); r != nil {
			proxywasm.LogCriticalf("mcp-oauth-wasm: panic in tick: %v", r)
		}
	}()
	if p.guard == nil {
		return
	}
	p.tick(p.now())
}

func (p *pluginContext) tick(now time.Time) {
	for _, r := range p.remotes {
		if r == nil {
			continue
		}
		r.syncKeys()
		if r.coord.Tick(now) {
			p.dispatch(r, now)
		}
	}
	p.reviewParked(now)
	p.reportGauges(now)
}

// reportGauges refreshes the metrics that are states rather than events:
// keys held, age of the last successful fetch, and the cache counters this
// VM gathered since the last tick. Gauges are set, not added to: every VM
// sets the same value, and a value another VM disturbed heals in a tick.
func (p *pluginContext) reportGauges(now time.Time) {
	for i := 0; i < p.guard.ProviderCount(); i++ {
		r := p.remotes[i]
		if r == nil {
			p.metrics.keysHeld(i, p.guard.LocalKeys(i).Len())
			continue
		}
		p.metrics.keysHeld(i, r.set.Len())
		// Before any success: how long the provider has been without keys.
		last := r.coord.Status(now).LastSuccess
		if last.IsZero() {
			last = p.started
		}
		p.metrics.keysAge(i, now.Sub(last))
	}
	p.metrics.cache(p.guard.CacheStats())
}

// unavailable is the 503 for a request that waited for provider's keys.
func (p *pluginContext) unavailable(provider, retryAfter int) guard.Outcome {
	o := p.guard.UnavailableResponse(retryAfter)
	o.ProviderName = p.guard.ProviderName(provider)
	return o
}

func (p *pluginContext) NewHttpContext(contextID uint32) types.HttpContext {
	return &httpContext{contextID: contextID, plugin: p}
}

// KeySet implements guard.KeySource.
func (p *pluginContext) KeySet(provider int) *jwks.Set {
	if r := p.remotes[provider]; r != nil {
		return r.set
	}
	return nil
}

// newVMID names this VM as lease holder in shared data. The id must be
// unique, not secret: math/rand/v2's generator is seeded from the host's
// random_get at start. crypto/rand must not be used here: in Go 1.24 its
// first Read arms a timer (a warning for a blocked getrandom), which starts
// the runtime's network poller; from then on every garbage collection calls
// poll_oneoff, which released Envoy answers with ENOSYS, and the Go runtime
// aborts (golang/go#78513). The e2e fault tests run enough requests to
// trigger collections under Envoy's WASI and would trap.
func newVMID() string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], rand.Uint64())
	return hex.EncodeToString(b[:])
}
