module github.com/mcp-oauth-wasm/mcp-oauth-wasm

go 1.24.0

require (
	github.com/golang-jwt/jwt/v5 v5.3.1
	github.com/proxy-wasm/proxy-wasm-go-sdk v0.0.0-20260105142703-44c7d5847745
)

require github.com/tetratelabs/wazero v1.7.2 // indirect
