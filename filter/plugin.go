package filter

import (
	"crypto/rand"
	"encoding/hex"
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
	g, err := guard.New(cfg)
	if err != nil {
		proxywasm.LogCriticalf("mcp-oauth-wasm: invalid configuration: %v", err)
		return types.OnPluginStartStatusFailed
	}
	vmID, err := newVMID()
	if err != nil {
		proxywasm.LogCriticalf("mcp-oauth-wasm: no randomness for the VM id: %v", err)
		return types.OnPluginStartStatusFailed
	}
	p.guard = g
	p.parked = make(map[uint32]*parkedRequest)
	p.remotes = make([]*remoteProvider, len(cfg.Providers))
	for i, pc := range cfg.Providers {
		if pc.RemoteJWKS == nil {
			continue
		}
		p.remotes[i] = newRemoteProvider(i, pc.Name, *pc.RemoteJWKS, vmID)
	}
	if err := proxywasm.SetTickPeriodMilliSeconds(uint32(tickPeriod / time.Millisecond)); err != nil {
		proxywasm.LogCriticalf("mcp-oauth-wasm: cannot set tick period: %v", err)
		return types.OnPluginStartStatusFailed
	}
	proxywasm.LogInfof("mcp-oauth-wasm: configured for resource %s with %d provider(s), %d rule(s)",
		cfg.Resource, len(cfg.Providers), len(cfg.Rules))
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

// newVMID names this VM as lease holder in shared data.
func newVMID() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}
