package filter

import "runtime/debug"

// gcPercent is the collector's target (GOGC) the plugin runs with: collect
// when the heap has grown by half of what the last collection kept live,
// instead of Go's default of doubling. Linear memory only grows (PITFALLS
// 4) and follows the heap's peaks, not its live data (about 5 MB with the
// default token cache full of RS256 tokens, measured in wasm with
// GODEBUG=gctrace=1: BENCH_GODEBUG in e2e/bench).
//
// Measured under Envoy's WASI, 1,000,000 requests with 100,000 distinct
// tokens through one VM (make bench): 16 MiB from request 20,882 to the
// end since the cache's keys are uint64s (20 MiB before, the last step
// near request 440,000). Before the token cache kept its records in slabs
// and stopped leaking a queue slot per miss, the same run ended at 24-28
// MiB, still growing; with GOGC 100 then, at 28-32 MiB.
//
// Why not runtime.GC() when the heap passes a threshold: measured with a
// threshold of 8 and 10 MiB checked every 64 requests, the VM aborted
// within 35,000 requests with "poll_oneoff failed" (golang/go#78513):
// released Envoy answers poll_oneoff with ENOSYS. Our reading of the Go
// 1.24 runtime: an explicit collection sweeps in its caller and yields,
// the background scavenger runs and sleeps on a runtime timer, the timer
// starts the network poller, and every later collection polls. Automatic
// collections did not trip it in any run here (millions of requests,
// hundreds of collections): the pacer's target is the knob that is safe.
const gcPercent = 50

// configureGC applies gcPercent; call it from OnPluginStart. It neither
// stops the world nor calls the host. It overrides a GOGC set through
// Envoy's vm_config environment_variables.
func configureGC() { debug.SetGCPercent(gcPercent) }
