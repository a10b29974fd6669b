package e2e

import (
	"strings"
	"testing"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/host"
)

// TestPluginImportsOnlyReleasedEnvoyWASI: Envoy links every import at load
// time; a WASI function released Envoy lacks (e.g. path_filestat_get, which
// Go >= 1.25 pulls in through crypto/x509 -> net) means the plugin does not
// load at all (PITFALLS 1b).
func TestPluginImportsOnlyReleasedEnvoyWASI(t *testing.T) {
	// The set released Envoy links (proxy-wasm-cpp-host PR #427,
	// FOR_ALL_WASI_FUNCTIONS in src/exports.cc; PITFALLS 1b), written out
	// here so the check does not depend on the host's own table.
	released := []string{
		"fd_write", "fd_read", "fd_seek", "fd_close", "fd_fdstat_get", "fd_fdstat_set_flags",
		"environ_get", "environ_sizes_get", "args_get", "args_sizes_get", "clock_time_get",
		"random_get", "sched_yield", "poll_oneoff", "proc_exit", "path_open",
		"fd_prestat_get", "fd_prestat_dir_name",
	}
	allowed := map[string]bool{}
	for _, f := range released {
		allowed[f] = true
	}
	if got := host.WASIFunctions(host.WASIReleasedEnvoy); len(got) != len(released) {
		t.Fatalf("the host's released-Envoy WASI table has %d functions, want %d: %v", len(got), len(released), got)
	}
	imports := host.ImportedWASI(plugin)
	if len(imports) == 0 {
		t.Fatal("the plugin imports no WASI function: not a Go wasip1 reactor?")
	}
	for _, imp := range imports {
		_, name, _ := strings.Cut(imp, ".")
		if !allowed[name] {
			t.Errorf("plugin imports %s, which released Envoy (>= 1.33) does not provide", imp)
		}
	}
	if err := host.CheckImports(plugin, host.WASIReleasedEnvoy); err != nil {
		t.Fatalf("the plugin would not load in released Envoy: %v", err)
	}
	t.Logf("WASI imports: %s", strings.Join(imports, " "))
}
