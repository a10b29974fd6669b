package config

import "testing"

func TestRuleMatches(t *testing.T) {
	prefix := Rule{PathPrefix: "/mcp"}
	prefixDir := Rule{PathPrefix: "/mcp/"}
	root := Rule{PathPrefix: "/"}
	path := Rule{Path: "/mcp"}
	exact := Rule{ExactPath: "/mcp?debug=1"}
	post := Rule{PathPrefix: "/mcp", Methods: []string{"POST", "DELETE"}}
	tests := []struct {
		name   string
		rule   Rule
		method string
		path   string
		want   bool
	}{
		{"prefix matches itself", prefix, "GET", "/mcp", true},
		{"prefix matches with trailing slash", prefix, "GET", "/mcp/", true},
		{"prefix matches below", prefix, "GET", "/mcp/x/y", true},
		{"prefix matches with query", prefix, "GET", "/mcp?x", true},
		{"prefix stops at segment boundary", prefix, "GET", "/mcpx", false},
		{"prefix does not match parent", prefix, "GET", "/mc", false},
		{"prefix does not match elsewhere", prefix, "GET", "/api/mcp", false},
		{"prefix is case-sensitive", prefix, "GET", "/MCP", false},
		{"prefix does not match empty path", prefix, "GET", "", false},
		{"prefix with slash matches below", prefixDir, "GET", "/mcp/x", true},
		{"prefix with slash matches itself", prefixDir, "GET", "/mcp/", true},
		{"prefix with slash does not match without it", prefixDir, "GET", "/mcp", false},
		{"root prefix matches everything", root, "GET", "/anything?x", true},
		{"root prefix does not match asterisk", root, "OPTIONS", "*", false},
		{"path matches exactly", path, "GET", "/mcp", true},
		{"path ignores query", path, "GET", "/mcp?session=1", true},
		{"path ignores empty query", path, "GET", "/mcp?", true},
		{"path does not match trailing slash", path, "GET", "/mcp/", false},
		{"path does not match below", path, "GET", "/mcp/x", false},
		{"exact path matches byte for byte", exact, "GET", "/mcp?debug=1", true},
		{"exact path needs the query", exact, "GET", "/mcp", false},
		{"exact path needs the same query", exact, "GET", "/mcp?debug=2", false},
		{"exact path is not a prefix", exact, "GET", "/mcp?debug=1&x=2", false},
		{"method listed", post, "POST", "/mcp", true},
		{"second method listed", post, "DELETE", "/mcp/x", true},
		{"method not listed", post, "GET", "/mcp", false},
		{"methods are case-sensitive", post, "post", "/mcp", false},
		{"method listed but path differs", post, "POST", "/other", false},
		{"no methods means every method", prefix, "PATCH", "/mcp", true},
		{"zero rule matches nothing", Rule{}, "GET", "/", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rule.Matches(tt.method, tt.path); got != tt.want {
				t.Errorf("%+v.Matches(%q, %q) = %v, want %v", tt.rule, tt.method, tt.path, got, tt.want)
			}
		})
	}
}

func TestRuleMatchesDoesNotAllocate(t *testing.T) {
	rules := []Rule{
		{PathPrefix: "/mcp", Methods: []string{"GET", "POST"}},
		{Path: "/mcp"},
		{ExactPath: "/mcp?x=1"},
	}
	allocs := testing.AllocsPerRun(100, func() {
		for _, r := range rules {
			r.Matches("POST", "/mcp/tools?x=1")
		}
	})
	if allocs != 0 {
		t.Fatalf("Matches allocated %v times per run", allocs)
	}
}

func BenchmarkRuleMatches(b *testing.B) {
	r := Rule{PathPrefix: "/public/mcp", Methods: []string{"GET", "POST", "DELETE"}}
	for i := 0; i < b.N; i++ {
		r.Matches("DELETE", "/public/mcp/session?id=0123456789abcdef")
	}
}
