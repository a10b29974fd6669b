package host

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"
)

// FailurePolicy is what a stream meets on a VM that trapped.
type FailurePolicy int

const (
	// FailClosed answers 503 with details "wasm_fail_stream" and never
	// calls the VM again (Envoy's default; envoy context.cc
	// Context::failStream, cpp-host src/context.cc CHECK_FAIL).
	FailClosed FailurePolicy = iota
	// FailOpen lets streams through without calling the VM (fail_open).
	FailOpen
	// FailReload recreates the VM before the next stream, as Envoy ≥1.34's
	// failure_policy FAIL_RELOAD does (without its backoff).
	FailReload
)

// Options configures a Host.
type Options struct {
	// WASI selects the WASI functions provided (default WASIReleasedEnvoy).
	WASI WASIFlavour
	// Clusters are the cluster names proxy_http_call accepts; any other
	// name is rejected with BadArgument like an unknown Envoy cluster.
	Clusters []string
	// Dispatch, if set, is called for every dispatched HTTP call while the
	// plugin is still inside proxy_http_call. It may answer at once (the
	// answer is delivered after the current VM call returns, as Envoy
	// defers re-entrant callbacks) or later, from the driving goroutine,
	// for example through Post.
	Dispatch func(call *HTTPCall)
	// Start is the virtual clock's initial wall time (default 2026-01-01 UTC).
	Start time.Time
	// FailurePolicy applies to streams on a failed VM (default FailClosed).
	FailurePolicy FailurePolicy
	// LogOutput, if set, receives every plugin log line as it is written.
	LogOutput io.Writer
}

// Host is one Envoy process: a clock, a shared-data store, stats, and the
// VMs (main thread and workers) running one compiled module.
type Host struct {
	ctx      context.Context
	mod      *Module
	opts     Options
	wasi     *wasiProfile
	clock    clock
	shared   *SharedData
	queues   *sharedQueues
	metrics  *metricStore
	clusters map[string]bool
	vms      []*VM
	calls    []*HTTPCall
	errs     []error

	postMu sync.Mutex
	posted []func()
	notify chan struct{}
}

// New creates a Host for a compiled module.
func New(ctx context.Context, m *Module, opts Options) *Host {
	if opts.Start.IsZero() {
		opts.Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	h := &Host{
		ctx: ctx, mod: m, opts: opts, wasi: newWASIProfile(opts.WASI),
		clock:  clock{now: opts.Start, mono0: opts.Start},
		shared: NewSharedData(), queues: newSharedQueues(), metrics: newMetricStore(),
		clusters: map[string]bool{}, notify: make(chan struct{}, 1),
	}
	for _, c := range opts.Clusters {
		h.clusters[c] = true
	}
	return h
}

// Close deletes every VM (on_done, on_delete) and releases their instances.
func (h *Host) Close() error {
	var errs []error
	for _, vm := range h.vms {
		errs = append(errs, vm.Close())
	}
	return errors.Join(errs...)
}

// VMs returns the VMs in creation order.
func (h *Host) VMs() []*VM { return append([]*VM(nil), h.vms...) }

// SharedData returns the host's shared-data store.
func (h *Host) SharedData() *SharedData { return h.shared }

// Now returns the virtual wall-clock time.
func (h *Host) Now() time.Time { return h.clock.now }

// Advance moves the virtual clock forward. It fires nothing by itself:
// call Tick to run the timers that are due, as Envoy's event loop would.
func (h *Host) Advance(d time.Duration) { h.clock.advance(d) }

// Tick runs the timers that are due at the current virtual time: first it
// times out dispatched calls whose deadline passed, then it calls
// proxy_on_tick on every VM whose tick period elapsed (once each, then the
// timer is re-armed one period later, like Envoy's timer). It returns the
// traps raised, if any.
func (h *Host) Tick() error {
	var errs []error
	for _, c := range h.PendingCalls() {
		if !c.Deadline.IsZero() && !h.clock.now.Before(c.Deadline) {
			errs = append(errs, c.Timeout())
		}
	}
	for _, vm := range h.vms {
		errs = append(errs, vm.tickIfDue())
	}
	h.Drain()
	return errors.Join(errs...)
}

// PendingCalls returns the dispatched HTTP calls not yet answered, in
// dispatch order.
func (h *Host) PendingCalls() []*HTTPCall {
	var out []*HTTPCall
	for _, c := range h.calls {
		if !c.answered {
			out = append(out, c)
		}
	}
	return out
}

// Calls returns every dispatched HTTP call, answered or not.
func (h *Host) Calls() []*HTTPCall { return append([]*HTTPCall(nil), h.calls...) }

// Errors returns host-level errors: things Envoy would do wrong or crash on
// (for example proxy_log at level 6, which makes Envoy PANIC).
func (h *Host) Errors() []error { return append([]error(nil), h.errs...) }

// Post queues f to run on the driving goroutine at the next Drain. It is
// safe to call from any goroutine.
func (h *Host) Post(f func()) {
	h.postMu.Lock()
	h.posted = append(h.posted, f)
	h.postMu.Unlock()
	select {
	case h.notify <- struct{}{}:
	default:
	}
}

// Notify is signalled whenever Post queues work.
func (h *Host) Notify() <-chan struct{} { return h.notify }

// Drain runs the functions queued by Post, in order, on the calling
// goroutine, and returns how many ran.
func (h *Host) Drain() int {
	n := 0
	for {
		h.postMu.Lock()
		fs := h.posted
		h.posted = nil
		h.postMu.Unlock()
		if len(fs) == 0 {
			return n
		}
		for _, f := range fs {
			f()
			n++
		}
	}
}
