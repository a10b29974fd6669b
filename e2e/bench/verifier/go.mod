// The bare-verification benchmark module. It is a separate module because it
// must build with the plugin's pinned toolchain (Go 1.24, wasip1, c-shared),
// while the e2e module needs Go >= 1.25 for wazero.
module github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/bench/verifier

go 1.24.0

require (
	github.com/mcp-oauth-wasm/mcp-oauth-wasm v0.0.0-00010101000000-000000000000
	github.com/proxy-wasm/proxy-wasm-go-sdk v0.0.0-20260105142703-44c7d5847745
)

require github.com/golang-jwt/jwt/v5 v5.3.1 // indirect

replace github.com/mcp-oauth-wasm/mcp-oauth-wasm => ../../..
