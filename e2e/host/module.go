package host

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// ErrMissingImport and ErrImportMismatch are wrapped by load errors that
// mirror Envoy's "Failed to load Wasm module due to a missing import" and
// "... due to an import type mismatch" (cpp-host src/v8/v8.cc V8::link).
var (
	ErrMissingImport  = errors.New("missing import")
	ErrImportMismatch = errors.New("import type mismatch")
)

// hostFunc is one host function with cpp-host's signature.
type hostFunc struct {
	module, name    string
	params, results []api.ValueType
	fn              func(vm *VM, stack []uint64)
}

// Module is a compiled plugin, reusable by many Hosts and VMs. Its wazero
// runtime holds the env and WASI host modules (a superset; each Host checks
// a module's imports against its own WASI flavour before instantiating).
type Module struct {
	rt       wazero.Runtime
	compiled wazero.CompiledModule
	funcs    map[string]hostFunc // "module.name"
}

// compilationCache is process-wide so that every test in a process shares
// one compilation of each module (wazero keys it by module content).
var compilationCache = sync.OnceValue(func() wazero.CompilationCache {
	dir := filepath.Join(os.TempDir(), "mcp-oauth-wasm-wazero-cache")
	if c, err := wazero.NewCompilationCacheWithDir(dir); err == nil {
		return c
	}
	return wazero.NewCompilationCache()
})

// Compile compiles a plugin once. Close it when no Host uses it any more.
func Compile(ctx context.Context, wasm []byte) (*Module, error) {
	// No WithCloseOnContextDone: it compiles a termination check into
	// every loop iteration and function entry, which made the plugin's
	// byte loops about ten times slower (measured 2.3 → 28 ns a byte).
	// Envoy's runtimes (V8, Wasmtime, WAMR) do not bound a call's time
	// either, so a spinning plugin hangs here as it would hang a worker
	// there, until `go test -timeout` reports every goroutine's stack.
	cfg := wazero.NewRuntimeConfig().WithCompilationCache(compilationCache())
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	m := &Module{rt: rt, funcs: map[string]hostFunc{}}
	all := append(envFuncs(), wasiFuncs()...)
	byModule := map[string][]hostFunc{}
	for _, f := range all {
		m.funcs[f.module+"."+f.name] = f
		byModule[f.module] = append(byModule[f.module], f)
	}
	for name, fs := range byModule {
		b := rt.NewHostModuleBuilder(name)
		for _, f := range fs {
			b.NewFunctionBuilder().WithGoModuleFunction(wrapHost(f), f.params, f.results).Export(f.name)
		}
		if _, err := b.Instantiate(ctx); err != nil {
			_ = rt.Close(ctx)
			return nil, fmt.Errorf("host module %s: %w", name, err)
		}
	}
	compiled, err := rt.CompileModule(ctx, wasm)
	if err != nil {
		_ = rt.Close(ctx)
		return nil, fmt.Errorf("compile: %w", err)
	}
	m.compiled = compiled
	return m, nil
}

// Close releases the compiled module and its runtime.
func (m *Module) Close(ctx context.Context) error { return m.rt.Close(ctx) }

// ImportedWASI lists the module's WASI imports as "module.name", sorted and
// without duplicates.
func ImportedWASI(m *Module) []string {
	seen := map[string]bool{}
	for _, d := range m.compiled.ImportedFunctions() {
		mod, name, _ := d.Import()
		if strings.HasPrefix(mod, "wasi_") {
			seen[mod+"."+name] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// CheckImports reports, like Envoy when it links a module, the first import
// the given WASI flavour does not provide or provides with another type.
func CheckImports(m *Module, f WASIFlavour) error {
	return m.checkImports(newWASIProfile(f))
}

func (m *Module) checkImports(p *wasiProfile) error {
	for _, d := range m.compiled.ImportedFunctions() {
		mod, name, _ := d.Import()
		full := mod + "." + name
		hf, ok := m.funcs[full]
		if !ok || (strings.HasPrefix(mod, "wasi_") && !p.provided[full]) {
			return fmt.Errorf("Failed to load Wasm module due to a missing import: %s: %w", full, ErrMissingImport)
		}
		if !sameTypes(d.ParamTypes(), hf.params) || !sameTypes(d.ResultTypes(), hf.results) {
			return fmt.Errorf("Failed to load Wasm module due to an import type mismatch: %s, want: %s -> %s, but host exports: %s -> %s: %w",
				full, typeNames(d.ParamTypes()), typeNames(d.ResultTypes()), typeNames(hf.params), typeNames(hf.results), ErrImportMismatch)
		}
	}
	for _, d := range m.compiled.ImportedMemories() {
		mod, name, _ := d.Import()
		return fmt.Errorf("Failed to load Wasm module due to a missing import: %s.%s: %w", mod, name, ErrMissingImport)
	}
	return nil
}

func sameTypes(a, b []api.ValueType) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func typeNames(ts []api.ValueType) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = api.ValueTypeName(t)
	}
	return "[" + strings.Join(names, " ") + "]"
}

// vmKey carries the calling VM through wazero into host functions.
type vmKey struct{}

// wrapHost adapts a hostFunc: it finds the VM and enforces restricted
// host-call lists, trapping like cpp-host's V8 glue (src/v8/v8.cc
// registerHostFunctionImpl: trap("restricted_callback")).
func wrapHost(f hostFunc) api.GoModuleFunc {
	full := f.module + "." + f.name
	return func(ctx context.Context, _ api.Module, stack []uint64) {
		vm, _ := ctx.Value(vmKey{}).(*VM)
		if vm == nil {
			panic(fmt.Errorf("host call %s outside a VM call", full))
		}
		if vm.allowed != nil && !vm.allowed[full] {
			vm.hostError("restricted_callback: " + full)
			panic(fmt.Errorf("%w: %s", ErrRestrictedCallback, full))
		}
		f.fn(vm, stack)
	}
}

// ErrRestrictedCallback is the trap raised when the plugin calls a host
// function that cpp-host does not allow in the current phase.
var ErrRestrictedCallback = errors.New("restricted_callback")
