// Package localrun serves the compiled plugin on a real HTTP port through
// the project's wazero proxy-wasm host (package host), so the filter can be
// tried with curl or an MCP client without Envoy.
//
// A Server is one "Envoy process": one host.Host with a main-thread VM and N
// worker VMs. Every call into the host runs on one event-loop goroutine, as
// Envoy runs a worker's filters on its own thread; HTTP handlers post work
// to the loop and wait for the plugin's decision, which may come later, from
// a tick or from the JWKS response. Dispatched calls (proxy_http_call) are
// made as real HTTP requests to the address mapped to the cluster name;
// requests the plugin lets through are proxied to the upstream cluster with
// the response streamed back (MCP Streamable HTTP uses SSE).
//
// The package also has the self-contained demo: a development issuer
// (JWKS, authorization-server metadata, a token endpoint), a small MCP
// upstream, the demo plugin configuration, and the Envoy configuration that
// runs the same demo in real Envoy.
package localrun
