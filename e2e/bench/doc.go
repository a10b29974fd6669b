// Package bench measures build/plugin.wasm in the project's wazero host
// (package host, which models Envoy): the per-request cost of each kind of
// request, bare signature verification in a second module built with the
// same toolchain (./verifier), linear-memory growth under a long run of
// distinct tokens, JWKS fetch coordination across VMs, module size and
// start time. cmd/benchreport runs everything once, checks the issue's
// targets and writes BENCHMARKS.md; `go test -bench .` runs the
// per-request benchmarks alone.
//
// A "request" here is a whole stream as Envoy drives it for a request that
// ends at the filter or goes upstream: context creation, request headers
// (and, for local replies, the response callbacks), then log, done and
// delete. Costs of the host itself (wazero calls, copying headers in and
// out) are included, as they are in Envoy.
package bench
