package scenario

// BenchHeaders builds the request every benchmark case sends, natively
// (filter/bench_test.go) and in wasm (e2e/bench): what Envoy hands a filter
// for an MCP client's request (pseudo-headers, the client's user-agent,
// accept and content-type, and the x-request-id and x-forwarded-proto Envoy
// adds), plus the bearer token when there is one. Every case sends the
// same set, so ratios compare the plugin's work only.
func BenchHeaders(method, path, token string) [][2]string {
	h := [][2]string{
		{":authority", "mcp.example.com"}, {":path", path}, {":method", method}, {":scheme", "https"},
		{"user-agent", "mcp-client/1.0"}, {"accept", "application/json, text/event-stream"},
		{"content-type", "application/json"}, {"x-forwarded-proto", "https"},
		{"x-request-id", "4b1f0a52-8c7e-4d8e-9a0b-2f6d3c1e7a90"},
	}
	if token != "" {
		h = append(h, Bearer(token))
	}
	return h
}
