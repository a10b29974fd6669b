// Package host is a proxy-wasm host on wazero that runs a Go proxy-wasm
// plugin (proxy-wasm-go-sdk, wasip1 reactor, -buildmode=c-shared) the way
// Envoy does, for tests and local runs.
//
// What it models, each with its source (file and function) in a comment
// beside the code:
//   - every env.proxy_* import the SDK declares, with Envoy's status codes
//     (proxy-wasm-cpp-host src/exports.cc, envoy source/extensions/common/wasm/context.cc);
//   - WASI exactly as released Envoy (≥1.33, cpp-host PR #427) or cpp-host
//     after PR #533 provides it, including the missing-import load failure
//     (cpp-host src/v8/v8.cc V8::link) and the restricted host calls during
//     _initialize and proxy_on_memory_allocate (cpp-host src/wasm.cc
//     WasmBase::startVm, include/proxy-wasm/wasm.h WasmBase::allocMemory);
//   - shared data with cpp-host's CAS semantics (src/shared_data.cc) and
//     shared queues (src/shared_queue.cc), process-wide per vm_id;
//   - dispatched HTTP calls that wait until the test answers them, with
//     Envoy's failure (zero headers) and timeout (synthesized 504) delivery;
//   - HTTP streams: pause/continue, local replies re-entering the response
//     callbacks, header maps that become unavailable after continue;
//   - several VMs from one compiled module (Envoy workers plus the main
//     thread) sharing one store, a virtual clock, ticks and metrics;
//   - traps: a VM that traps is marked failed and later streams fail
//     closed (503 "wasm_fail_stream"), open, or reload the VM.
//
// Thread-safety: a Host and its VMs are single-threaded, like an Envoy
// worker: drive them from one goroutine. The only goroutine-safe entry
// points are Host.Post and Host.Notify, which let another goroutine (for
// example one performing a real HTTP request for Options.Dispatch) hand work
// back to the driving goroutine, which runs it with Host.Drain.
package host
