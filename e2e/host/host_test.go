package host

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMetricsAreReadableByName(t *testing.T) {
	h, vm := newHost(t, Options{})
	vm.Request(reqHeaders("/a"), nil)
	vm.Request(reqHeaders("/b"), nil)
	if v, ok := h.Metric("testplugin_requests"); !ok || v != 2 {
		t.Fatalf("counter = %d, %t; want 2", v, ok)
	}
	if v, ok := h.Metric("testplugin_sizes"); !ok || v != 2 {
		t.Fatalf("histogram samples = %d, %t; want 2", v, ok)
	}
	if got := h.HistogramSamples("testplugin_sizes"); !slices.Equal(got, []uint64{4, 4}) {
		t.Fatalf("histogram = %v, want [4 4]", got)
	}
	if _, ok := h.Metric("no_such_metric"); ok {
		t.Fatal("unknown metric reported as present")
	}
}

func TestLogsCarryLevelAndContext(t *testing.T) {
	_, vm := newHost(t, Options{})
	logs := vm.Logs()
	if len(logs) == 0 || logs[0].Level != LogInfo || logs[0].Message != `plugin started config="cfg"` || logs[0].ContextID != vm.RootContextID() {
		t.Fatalf("first log = %+v", logs)
	}
}

func TestConfigureFailureFailsNewVM(t *testing.T) {
	h := New(context.Background(), compiled(t, "testplugin"), Options{})
	_, err := h.NewVM(VMConfig{PluginConfiguration: []byte("fail")})
	if !errors.Is(err, ErrStartFailed) {
		t.Fatalf("NewVM = %v, want ErrStartFailed", err)
	}
}

// Ticks follow the virtual clock: nothing fires before the period elapses.
func TestClockAdvanceDrivesTicks(t *testing.T) {
	h, vm := newHost(t, Options{})
	if vm.TickPeriod() != time.Second {
		t.Fatalf("tick period = %v", vm.TickPeriod())
	}
	start := h.Now()
	if err := h.Tick(); err != nil {
		t.Fatal(err)
	}
	h.Advance(999 * time.Millisecond)
	if err := h.Tick(); err != nil {
		t.Fatal(err)
	}
	if v, _ := h.Metric("testplugin_ticks"); v != 0 {
		t.Fatalf("ticked before the period: %d", v)
	}
	h.Advance(time.Millisecond)
	if err := h.Tick(); err != nil {
		t.Fatal(err)
	}
	h.Advance(10 * time.Second) // a timer fires once, it does not catch up
	if err := h.Tick(); err != nil {
		t.Fatal(err)
	}
	if v, _ := h.Metric("testplugin_ticks"); v != 2 {
		t.Fatalf("ticks = %d, want 2", v)
	}
	if !slices.Contains(vm.LogMessages(LogInfo), "tick 2") {
		t.Fatalf("logs = %q", vm.LogMessages(LogInfo))
	}
	if got := h.Now().Sub(start); got != 11*time.Second {
		t.Fatalf("clock moved %v, want 11s", got)
	}
}

// Workers and the main thread each run a VM of the same module, with
// their own root context and memory, sharing the shared-data store.
func TestMultipleVMsShareSharedData(t *testing.T) {
	h, vm1 := newHost(t, Options{})
	vm2, err := h.NewVM(VMConfig{VMID: "vm"})
	if err != nil {
		t.Fatal(err)
	}
	vm3, err := h.NewVM(VMConfig{VMID: "vm"})
	if err != nil {
		t.Fatal(err)
	}
	h.Advance(time.Second)
	if err := h.Tick(); err != nil {
		t.Fatal(err)
	}
	v, _, st := h.SharedData().Get("vm", "ticks")
	if st != StatusOK || string(v) != "3" {
		t.Fatalf("shared ticks = %q (status %d), want 3", v, st)
	}
	for _, vm := range []*VM{vm1, vm2, vm3} {
		if vm.RootContextID() != 1 || vm.MemoryBytes() == 0 {
			t.Fatalf("vm root %d memory %d", vm.RootContextID(), vm.MemoryBytes())
		}
		if !slices.Contains(vm.LogMessages(LogInfo), "tick 1") {
			t.Fatalf("vm did not tick: %q", vm.LogMessages(LogInfo))
		}
	}
	if v, _ := h.Metric("testplugin_ticks"); v != 3 {
		t.Fatalf("gauge shared across VMs = %d, want 3", v)
	}
}

func TestImportedWASI(t *testing.T) {
	released := map[string]bool{}
	for _, n := range WASIFunctions(WASIReleasedEnvoy) {
		released["wasi_snapshot_preview1."+n] = true
	}
	imports := ImportedWASI(compiled(t, "testplugin"))
	if !slices.Contains(imports, "wasi_snapshot_preview1.fd_write") {
		t.Fatalf("imports = %q lack fd_write", imports)
	}
	for _, imp := range imports {
		if !released[imp] {
			t.Errorf("testplugin imports %s, which released Envoy lacks", imp)
		}
	}
	if got := ImportedWASI(compiled(t, "statplugin")); !slices.Contains(got, "wasi_snapshot_preview1.path_filestat_get") {
		t.Fatalf("statplugin imports = %q, want path_filestat_get", got)
	}
}

func TestWASIFlavourDecidesWhetherModuleLoads(t *testing.T) {
	m := compiled(t, "statplugin")
	_, err := New(context.Background(), m, Options{WASI: WASIReleasedEnvoy}).NewVM(VMConfig{})
	want := "Failed to load Wasm module due to a missing import: wasi_snapshot_preview1.path_filestat_get"
	if !errors.Is(err, ErrMissingImport) || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("released Envoy: err = %v", err)
	}
	if err := CheckImports(m, WASIReleasedEnvoy); !errors.Is(err, ErrMissingImport) {
		t.Fatalf("CheckImports = %v", err)
	}
	h := New(context.Background(), m, Options{WASI: WASICppHostPR533})
	vm, err := h.NewVM(VMConfig{})
	if err != nil {
		t.Fatalf("PR #533: %v", err)
	}
	// path_filestat_get is a stub there: ENOTSUP.
	if !slices.Contains(vm.LogMessages(LogInfo), "stat: stat /etc/hostname: Not supported") {
		t.Fatalf("logs = %q", vm.LogMessages(LogInfo))
	}
}

// time.Sleep needs poll_oneoff: released Envoy's ENOSYS stub makes Go's
// runtime throw, which ends in a trap; after PR #533 it returns at once.
func TestSleepTrapsUnderReleasedEnvoy(t *testing.T) {
	m := compiled(t, "sleepplugin")
	_, err := New(context.Background(), m, Options{}).NewVM(VMConfig{})
	var trap *TrapError
	if !errors.As(err, &trap) || trap.Callback != "proxy_on_configure" ||
		!strings.Contains(trap.Stderr, "fatal error: poll_oneoff failed") {
		t.Fatalf("released Envoy: err = %v", err)
	}
	h := New(context.Background(), m, Options{WASI: WASICppHostPR533})
	start := h.Now()
	vm, err := h.NewVM(VMConfig{})
	if err != nil {
		t.Fatalf("PR #533: %v", err)
	}
	if !slices.Contains(vm.LogMessages(LogInfo), "slept") || h.Now().Sub(start) < 10*time.Millisecond {
		t.Fatalf("logs %q, clock moved %v", vm.LogMessages(LogInfo), h.Now().Sub(start))
	}
}
