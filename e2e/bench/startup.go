package bench

import (
	"context"
	"io"
	"sort"
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/host"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/internal/scenario"
	"github.com/tetratelabs/wazero"
)

// StartupResult is the plugin's size and how long it takes to be ready.
type StartupResult struct {
	Bytes int
	// Compile is wazero compiling the module from scratch (no compilation
	// cache); Envoy's V8 compiles once per process too.
	Compile time.Duration
	// Configure is the median of Runs VM starts: instantiate, _initialize,
	// proxy_on_vm_start and proxy_on_configure (configuration parsed, rules
	// compiled, first JWKS fetch dispatched).
	Configure time.Duration
	// FirstKeys is the median time to take the first JWKS response
	// (validate, parse, store in shared data): after it the VM serves.
	FirstKeys time.Duration
	// Memory is a VM's linear memory once it serves.
	Memory uint64
	Runs   int
	Err    error
}

// Startup measures compile time once and VM start runs times.
func (f *Fixture) Startup(ctx context.Context, wasm []byte, runs int) *StartupResult {
	r := &StartupResult{Bytes: len(wasm), Runs: runs}
	rt := wazero.NewRuntime(ctx)
	t0 := time.Now()
	if _, err := rt.CompileModule(ctx, wasm); err != nil {
		r.Err = err
	}
	r.Compile = time.Since(t0)
	_ = rt.Close(ctx)
	body := f.Issuer.JWKS(servedKids...)
	var configure, keys []time.Duration
	for i := 0; i < runs && r.Err == nil; i++ {
		h := host.New(ctx, f.Plugin, host.Options{Clusters: []string{scenario.Cluster}, Start: epoch, LogOutput: io.Discard})
		t0 := time.Now()
		vm, err := h.NewVM(pluginVM([]byte(scenario.BaseConfig)))
		configure = append(configure, time.Since(t0))
		if err != nil {
			r.Err = err
			_ = h.Close()
			break
		}
		calls := h.PendingCalls()
		if len(calls) == 1 {
			t0 = time.Now()
			r.Err = calls[0].Respond(200, nil, body)
			keys = append(keys, time.Since(t0))
		}
		r.Memory = vm.MemoryBytes()
		_ = h.Close()
	}
	r.Configure, r.FirstKeys = median(configure), median(keys)
	return r
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
