package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/host"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/internal/scenario"
)

// Epoch is the virtual time every benchmark host starts at; pooled tokens
// are minted for it and stay valid for an hour of virtual time.
var epoch = time.Unix(1_900_000_000, 0)

// Fixture is what every measurement shares: the compiled plugin and
// verifier modules, the test issuer and pools of pre-minted tokens.
type Fixture struct {
	Plugin      *host.Module
	Verifier    *host.Module
	PluginBytes int
	Issuer      *scenario.Issuer
	pools       map[string]*tokenPool
}

// Open is Load of the modules Paths names.
func Open(ctx context.Context) (*Fixture, error) {
	pluginPath, verifierPath, err := Paths(ctx)
	if err != nil {
		return nil, err
	}
	return Load(ctx, pluginPath, verifierPath)
}

// Case returns the request or verifier case called name, nil if none is.
func (f *Fixture) Case(name string) *Case {
	for _, c := range append(f.RequestCases(), f.VerifierCases()...) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Load reads and compiles both modules and creates the issuer.
func Load(ctx context.Context, pluginPath, verifierPath string) (*Fixture, error) {
	f := &Fixture{pools: map[string]*tokenPool{}}
	wasm, err := os.ReadFile(pluginPath)
	if err != nil {
		return nil, fmt.Errorf("reading the plugin (run `make build`): %w", err)
	}
	f.PluginBytes = len(wasm)
	if f.Plugin, err = host.Compile(ctx, wasm); err != nil {
		return nil, fmt.Errorf("compiling %s: %w", pluginPath, err)
	}
	vwasm, err := os.ReadFile(verifierPath)
	if err != nil {
		f.Close(ctx)
		return nil, fmt.Errorf("reading the verifier module: %w", err)
	}
	if f.Verifier, err = host.Compile(ctx, vwasm); err != nil {
		f.Close(ctx)
		return nil, fmt.Errorf("compiling %s: %w", verifierPath, err)
	}
	if f.Issuer, err = scenario.NewIssuer(scenario.IssuerURL); err != nil {
		f.Close(ctx)
		return nil, err
	}
	return f, nil
}

// Close releases the compiled modules.
func (f *Fixture) Close(ctx context.Context) {
	if f.Plugin != nil {
		_ = f.Plugin.Close(ctx)
	}
	if f.Verifier != nil {
		_ = f.Verifier.Close(ctx)
	}
}

// servedKids are the keys the benchmark issuer's JWKS holds: one per
// algorithm measured. rsa-2 is left out so a token it signs under kid rsa-1
// has an invalid signature.
var servedKids = []string{"rsa-1", "ec-1", "ed-1"}

// Proxy is one simulated Envoy: a host and n VMs of one module.
type Proxy struct {
	H   *host.Host
	VMs []*host.VM
}

// Close deletes the VMs.
func (p *Proxy) Close() { _ = p.H.Close() }

// newPluginProxy starts n VMs of the plugin with cfg and, when serve is set,
// answers the first JWKS fetch with the issuer's keys.
func (f *Fixture) newPluginProxy(n int, cfg string, serve bool) (*Proxy, error) {
	logs := io.Writer(io.Discard)
	if debugGC != "" {
		logs = os.Stderr // the runtime's gctrace lines arrive as error logs
	}
	h := host.New(context.Background(), f.Plugin, host.Options{
		Clusters:  []string{scenario.Cluster},
		Start:     epoch,
		LogOutput: logs,
	})
	p := &Proxy{H: h}
	for i := 0; i < n; i++ {
		vm, err := h.NewVM(pluginVM([]byte(cfg)))
		if err != nil {
			p.Close()
			return nil, fmt.Errorf("VM %d: %w", i, err)
		}
		p.VMs = append(p.VMs, vm)
	}
	if serve {
		calls := h.PendingCalls()
		if len(calls) != 1 {
			p.Close()
			return nil, fmt.Errorf("%d JWKS fetches at start, want 1", len(calls))
		}
		if err := calls[0].Respond(200, [][2]string{{"content-type", "application/json"}}, f.Issuer.JWKS(servedKids...)); err != nil {
			p.Close()
			return nil, err
		}
	}
	return p, nil
}

// debugGC is BENCH_GODEBUG: when set (e.g. "gctrace=1"), benchmark VMs run
// with it as GODEBUG and their log lines go to stderr, to see what the Go
// heap does inside the VM.
var debugGC = os.Getenv("BENCH_GODEBUG")

func pluginVM(cfg []byte) host.VMConfig {
	vm := host.VMConfig{VMID: "mcp-oauth-wasm", RootID: "mcp-oauth-wasm", PluginName: "mcp-oauth-wasm", PluginConfiguration: cfg}
	if debugGC != "" {
		vm.Env = map[string]string{"GODEBUG": debugGC}
	}
	return vm
}
