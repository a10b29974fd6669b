package host

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// Errors reported by VMs and streams.
var (
	// ErrVMFailed: the VM trapped earlier and is not called any more.
	ErrVMFailed = errors.New("wasm VM failed")
	// ErrStartFailed: proxy_on_vm_start or proxy_on_configure returned false.
	ErrStartFailed = errors.New("wasm plugin failed to start")
)

// VMConfig configures one VM (one Envoy worker's or the main thread's
// instance of the plugin).
type VMConfig struct {
	// VMID is Envoy's vm_config.vm_id: the shared-data and queue namespace.
	VMID string
	// RootID is the plugin's root_id, PluginName its name.
	RootID, PluginName string
	// VMConfiguration and PluginConfiguration are passed to
	// proxy_on_vm_start and proxy_on_configure.
	VMConfiguration, PluginConfiguration []byte
	// Properties answer proxy_get_property on every context of this VM,
	// keyed by the dotted path ("node.id"); values are the raw bytes Envoy
	// serializes for string properties.
	Properties map[string]string
	// Env are the WASI environment variables (vm_config.environment_variables).
	Env map[string]string
}

// LogEntry is one log line: from the plugin (proxy_log, or stdout/stderr
// through fd_write) or, with Host set, a diagnostic Envoy logs at trace.
type LogEntry struct {
	Level     LogLevel
	Message   string
	ContextID uint32
	Host      bool
}

// TrapError is a trap (panic, unreachable, out-of-bounds access, a
// restricted host call, or the call time limit) raised in a plugin callback.
type TrapError struct {
	Callback string
	Err      error
	// Stderr is what the plugin wrote to stderr during the call (Go's
	// "panic: …" or "fatal error: …" report), cut at 4 KiB.
	Stderr string
}

func (e *TrapError) Error() string {
	msg := fmt.Sprintf("wasm trap in %s: %v", e.Callback, e.Err)
	if e.Stderr != "" {
		first, _, _ := strings.Cut(strings.TrimSpace(e.Stderr), "\n\n")
		msg += "; plugin stderr: " + first
	}
	return msg
}

func (e *TrapError) Unwrap() error { return e.Err }

// pctx is one proxy-wasm context: the root context or an HTTP stream.
type pctx struct {
	id     uint32
	root   bool
	stream *Stream
}

// VM is one instance of the plugin: its own linear memory, root context,
// context ids and tick timer. It is single-threaded, like an Envoy worker.
type VM struct {
	h     *Host
	cfg   VMConfig
	index int
	mod   api.Module
	gen   int // incremented by each reload

	baseCtx context.Context

	rootID     uint32
	nextCtxID  uint32
	contexts   map[uint32]*pctx
	current    uint32
	effective  uint32
	depth      int
	allowed    map[string]bool
	stopIter   bool
	after      []func()
	inConfig   bool
	callResp   *callResponse
	status     uint32
	statusMsg  string
	pendingDel bool

	tickPeriod time.Duration
	nextTick   time.Time

	metricIDs  map[uint32]*metric
	nextMetric [3]uint32
	nextCallID uint32

	logs      []LogEntry
	callLog   strings.Builder // stderr written during the current top-level call
	failed    error
	traps     []error
	restarts  int
	closed    bool
	streams   []*Stream
	callsSeen int
	exports   exportCache
}

// NewVM instantiates the module as a new VM and starts it the way Envoy
// does: check every import (cpp-host src/v8/v8.cc V8::link), run
// _initialize with the restricted host-call list (src/wasm.cc
// WasmBase::startVm), create the root context, then proxy_on_vm_start and
// proxy_on_configure (src/context.cc ContextBase::onStart/onConfigure).
func (h *Host) NewVM(cfg VMConfig) (*VM, error) {
	if err := h.mod.checkImports(h.wasi); err != nil {
		return nil, err
	}
	vm := &VM{h: h, cfg: cfg, index: len(h.vms)}
	vm.baseCtx = context.WithValue(h.ctx, vmKey{}, vm)
	if err := vm.start(); err != nil {
		if vm.mod != nil {
			_ = vm.mod.Close(h.ctx)
		}
		return nil, err
	}
	h.vms = append(h.vms, vm)
	return vm, nil
}

func (vm *VM) start() error {
	mod, err := vm.h.mod.rt.InstantiateModule(withReservedMemory(vm.baseCtx), vm.h.mod.compiled,
		wazero.NewModuleConfig().WithName("").WithStartFunctions())
	if err != nil {
		return fmt.Errorf("instantiate: %w", err)
	}
	vm.mod = mod
	vm.contexts = map[uint32]*pctx{}
	vm.metricIDs = map[uint32]*metric{}
	vm.nextMetric = [3]uint32{uint32(MetricCounter), uint32(MetricGauge), uint32(MetricHistogram)}
	vm.nextCtxID = 1 // 0 is the VM context (cpp-host include/proxy-wasm/wasm.h next_context_id_)
	vm.nextCallID = 0
	vm.tickPeriod = 0
	vm.failed = nil

	// WASI reactor start: _initialize, then main(0, 0) or __main_void if exported.
	vm.allowed = vm.h.wasi.initAllowed
	calls := [][]any{{"_initialize"}}
	if vm.mod.ExportedFunction("main") != nil {
		calls = append(calls, []any{"main", uint64(0), uint64(0)})
	} else {
		calls = append(calls, []any{"__main_void"})
	}
	for _, c := range calls {
		args := make([]uint64, 0, 2)
		for _, a := range c[1:] {
			args = append(args, a.(uint64))
		}
		if _, _, err := vm.invoke(0, c[0].(string), args...); err != nil {
			vm.allowed = nil
			return err
		}
	}
	vm.allowed = nil
	vm.flush()

	vm.rootID = vm.allocContextID()
	vm.contexts[vm.rootID] = &pctx{id: vm.rootID, root: true}
	if _, _, err := vm.invoke(vm.rootID, "proxy_on_context_create", uint64(vm.rootID), 0); err != nil {
		return err
	}
	vm.flush()
	res, found, err := vm.invoke(vm.rootID, "proxy_on_vm_start", uint64(vm.rootID), uint64(len(vm.cfg.VMConfiguration)))
	vm.takeStop()
	vm.flush()
	if err != nil {
		return err
	}
	if found && res == 0 {
		return fmt.Errorf("%w: proxy_on_vm_start returned false", ErrStartFailed)
	}
	vm.inConfig = true
	res, found, err = vm.invoke(vm.rootID, "proxy_on_configure", uint64(vm.rootID), uint64(len(vm.cfg.PluginConfiguration)))
	vm.inConfig = false
	vm.takeStop()
	vm.flush()
	if err != nil {
		return err
	}
	if found && res == 0 {
		return fmt.Errorf("%w: proxy_on_configure returned false", ErrStartFailed)
	}
	return nil
}

// restart recreates a failed VM (FailReload). Calls and streams of the old
// instance are dropped, as Envoy drops them with the old VM.
func (vm *VM) restart() error {
	_ = vm.mod.Close(vm.h.ctx)
	for _, c := range vm.h.calls {
		if c.vm == vm && c.gen == vm.gen {
			c.answered = true
			c.Outcome = OutcomeDropped
		}
	}
	vm.gen++
	vm.restarts++
	vm.after = nil
	vm.callResp = nil
	return vm.start()
}

// Restarts counts how many times the VM was reloaded after a failure.
func (vm *VM) Restarts() int { return vm.restarts }

func (vm *VM) allocContextID() uint32 {
	for {
		id := vm.nextCtxID
		vm.nextCtxID++
		if id != 0 && vm.contexts[id] == nil {
			return id
		}
	}
}

// invoke calls an export with cpp-host's per-call context handling: the
// current context is set and the effective context reset for the call
// (include/proxy-wasm/wasm_vm.h SaveRestoreContext). A trap marks the VM
// failed (src/v8/v8.cc getModuleFunctionImpl: fail(RuntimeError)).
func (vm *VM) invoke(ctxID uint32, name string, args ...uint64) (uint64, bool, error) {
	if vm.failed != nil {
		return 0, false, fmt.Errorf("%w: %w", ErrVMFailed, vm.failed)
	}
	fn, done := vm.exported(name)
	defer done()
	if fn == nil {
		return 0, false, nil
	}
	savedCur, savedEff := vm.current, vm.effective
	vm.current, vm.effective = ctxID, 0
	if vm.depth == 0 {
		vm.callLog.Reset()
	}
	vm.depth++
	out, err := fn.Call(vm.baseCtx, args...)
	vm.depth--
	vm.current, vm.effective = savedCur, savedEff
	if err != nil {
		vm.fail(name, err)
		return 0, true, vm.failed
	}
	if len(out) > 0 {
		return out[0], true, nil
	}
	return 0, true, nil
}

func (vm *VM) fail(callback string, err error) {
	t := &TrapError{Callback: callback, Err: err, Stderr: vm.callLog.String()}
	vm.failed = t
	vm.traps = append(vm.traps, t)
	vm.hostError("wasm VM failed: " + t.Error())
}

// takeStop reads and clears the "stop next iteration" flag a local reply
// raises (cpp-host include/proxy-wasm/wasm.h stopNextIteration).
func (vm *VM) takeStop() bool {
	s := vm.stopIter
	vm.stopIter = false
	return s
}

// flush runs the actions deferred until after the VM call, in order
// (cpp-host src/context.cc DeferAfterCallActions).
func (vm *VM) flush() {
	for len(vm.after) > 0 {
		f := vm.after[0]
		vm.after = vm.after[1:]
		f()
	}
}

func (vm *VM) defer_(f func()) { vm.after = append(vm.after, f) }

// ctx returns the context host calls act on: the effective context if one
// was set and still exists, else the current one (cpp-host src/exports.cc
// contextOrEffectiveContext).
func (vm *VM) ctx() *pctx {
	if vm.effective != 0 {
		if c := vm.contexts[vm.effective]; c != nil {
			return c
		}
	}
	if c := vm.contexts[vm.current]; c != nil {
		return c
	}
	return &pctx{id: vm.current, root: true}
}

func (vm *VM) log(level LogLevel, msg string) {
	e := LogEntry{Level: level, Message: msg, ContextID: vm.ctx().id}
	vm.logs = append(vm.logs, e)
	if w := vm.h.opts.LogOutput; w != nil {
		fmt.Fprintf(w, "vm%d ctx%d [%s] %s\n", vm.index, e.ContextID, level, msg)
	}
}

// hostError records what cpp-host reports through Context::error (Envoy
// logs it at trace level).
func (vm *VM) hostError(msg string) {
	vm.logs = append(vm.logs, LogEntry{Level: LogTrace, Message: msg, ContextID: vm.current, Host: true})
	if w := vm.h.opts.LogOutput; w != nil {
		fmt.Fprintf(w, "vm%d host: %s\n", vm.index, msg)
	}
}

// Logs returns the VM's log lines.
func (vm *VM) Logs() []LogEntry { return append([]LogEntry(nil), vm.logs...) }

// LogMessages returns the plugin's log messages at or above a level.
func (vm *VM) LogMessages(min LogLevel) []string {
	var out []string
	for _, e := range vm.logs {
		if !e.Host && e.Level >= min {
			out = append(out, e.Message)
		}
	}
	return out
}

// MemoryBytes is the size of the VM's linear memory, which only grows.
func (vm *VM) MemoryBytes() uint64 { return uint64(vm.mod.Memory().Size()) }

// RootContextID is the id of the VM's root (plugin) context.
func (vm *VM) RootContextID() uint32 { return vm.rootID }

// Err returns the trap that failed the VM, or nil.
func (vm *VM) Err() error { return vm.failed }

// Traps returns every trap the VM raised (one per instance with FailReload).
func (vm *VM) Traps() []error { return append([]error(nil), vm.traps...) }

// TickPeriod is the period the plugin set with proxy_set_tick_period_milliseconds.
func (vm *VM) TickPeriod() time.Duration { return vm.tickPeriod }

// PendingCalls returns this VM's unanswered dispatched calls.
func (vm *VM) PendingCalls() []*HTTPCall {
	var out []*HTTPCall
	for _, c := range vm.h.PendingCalls() {
		if c.vm == vm {
			out = append(out, c)
		}
	}
	return out
}

// setTick arms the root context's timer (envoy Wasm::setTimerPeriod via
// cpp-host ContextBase::setTimerPeriod); 0 disables it.
func (vm *VM) setTick(period time.Duration) {
	vm.tickPeriod = period
	if period > 0 {
		vm.nextTick = vm.h.clock.now.Add(period)
	}
}

// tickIfDue calls proxy_on_tick once if the period elapsed (cpp-host
// src/context.cc ContextBase::onTick skips failed VMs).
func (vm *VM) tickIfDue() error {
	if vm.closed || vm.tickPeriod <= 0 || vm.h.clock.now.Before(vm.nextTick) || vm.failed != nil {
		return nil
	}
	vm.nextTick = vm.h.clock.now.Add(vm.tickPeriod)
	_, _, err := vm.invoke(vm.rootID, "proxy_on_tick", uint64(vm.rootID))
	vm.takeStop()
	vm.flush()
	return err
}

// TickNow calls proxy_on_tick at once, whatever the period.
func (vm *VM) TickNow() error {
	_, _, err := vm.invoke(vm.rootID, "proxy_on_tick", uint64(vm.rootID))
	vm.takeStop()
	vm.flush()
	vm.h.Drain()
	return err
}

// queueReady delivers proxy_on_queue_ready to a root context (cpp-host
// src/shared_queue.cc SharedQueue::enqueue posts it to the registrant).
func (vm *VM) queueReady(rootID, token uint32) {
	if vm.closed || vm.failed != nil || vm.contexts[rootID] == nil {
		return
	}
	_, _, _ = vm.invoke(rootID, "proxy_on_queue_ready", uint64(rootID), uint64(token))
	vm.takeStop()
	vm.flush()
}

// Close ends live streams, then runs proxy_on_done and proxy_on_delete on
// the root context and releases the instance.
func (vm *VM) Close() error {
	if vm.closed {
		return nil
	}
	var errs []error
	for _, s := range vm.streams {
		if !s.done {
			errs = append(errs, s.Done())
		}
	}
	if vm.failed == nil {
		res, found, err := vm.invoke(vm.rootID, "proxy_on_done", uint64(vm.rootID))
		vm.flush()
		errs = append(errs, err)
		if err == nil && found && res == 0 {
			// on_done returned false: the plugin calls proxy_done later
			// (cpp-host src/wasm.cc WasmBase::done); delete now anyway.
			vm.pendingDel = true
		}
		if vm.failed == nil {
			_, _, err = vm.invoke(vm.rootID, "proxy_on_delete", uint64(vm.rootID))
			vm.flush()
			errs = append(errs, err)
		}
	}
	vm.closed = true
	errs = append(errs, vm.mod.Close(vm.h.ctx))
	return errors.Join(errs...)
}
