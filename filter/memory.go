package filter

import "runtime/debug"

// gcPercent is the collector's target (GOGC) the plugin runs with: collect
// when the heap has grown by half of what the last collection kept live,
// instead of Go's default of doubling. Linear memory only grows (PITFALLS
// 4) and follows the heap's peaks, not its live data: measured in wasm
// under Envoy's WASI with the default token cache full (live heap about
// 6 MB), 200,000 requests left linear memory at 28 MiB with GOGC 100 and
// 20 MiB with 50, and a million requests reached the 32 MiB bound
// with GOGC 100. The price is about twice as many collections, each a few
// milliseconds of a live heap this small.
//
// Why not runtime.GC() when the heap passes a threshold: an explicit
// collection sweeps in its caller and yields, which lets the background
// scavenger run; the scavenger then sleeps on a runtime timer, the timer
// starts the runtime's network poller, and from then on every collection
// calls poll_oneoff, which released Envoy answers with ENOSYS: the VM
// aborts at the next collection (golang/go#78513; measured with a
// threshold of 8 and 10 MiB: trap within 35,000 requests). Automatic
// collections do not yield that way; the pacer's target is the safe knob.
const gcPercent = 50

// configureGC applies gcPercent; call it from OnPluginStart. It neither
// stops the world nor calls the host. It overrides a GOGC set through
// Envoy's vm_config environment_variables.
func configureGC() { debug.SetGCPercent(gcPercent) }
