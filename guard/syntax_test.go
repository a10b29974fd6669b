package guard

import (
	"testing"
	"time"
)

// Check leaves the b64token check to authorize in oauth mode on a rule
// that needs a token (Parse accepts only base64url and dots). These cases
// hold the replies to what they were when every token was checked first.
func TestB64TokenSyntaxPrecedence(t *testing.T) {
	const badChars = `abc"def`   // not a b64token: 400
	const padded = "abc.def.gh=" // a b64token Parse refuses: 401
	tests := []struct {
		name, mode, path, token string
		apiKey                  []string
		status                  int
		desc                    string
	}{
		{"oauth, protected, outside b64token", "", "/mcp", badChars, nil, 400, "bearer token has invalid characters"},
		{"oauth, protected, b64token Parse refuses", "", "/mcp", padded, nil, 401, ""},
		{"oauth, anonymous rule, outside b64token", "", "/healthz", badChars, nil, 400, "bearer token has invalid characters"},
		{"both, protected, bad token and bad API key", "both", "/mcp", badChars, []string{""}, 400, "bearer token has invalid characters"},
		{"both, protected, bad token and an API key", "both", "/mcp", badChars, []string{ciKey}, 400, "bearer token has invalid characters"},
		{"api_key, protected, bad token", "api_key", "/mcp", badChars, nil, 400, "bearer token has invalid characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, keys, _ := keyGuard(t, tt.mode, "")
			method := "POST"
			if tt.path == "/healthz" {
				method = "GET"
			}
			o := g.Check(Request{Method: method, Path: tt.path, Authorization: []string{"Bearer " + tt.token}, APIKey: tt.apiKey}, keys, time.Unix(1_700_000_000, 0))
			if o.Kind != Reply || o.Response.Status != tt.status {
				t.Fatalf("got kind %v status %d (%s), want status %d", o.Kind, o.Response.Status, o.Reason, tt.status)
			}
			if tt.desc != "" && o.Description != tt.desc {
				t.Fatalf("description %q, want %q", o.Description, tt.desc)
			}
			if tt.status == 401 && o.Reason != ReasonInvalidToken {
				t.Fatalf("reason %q, want %q", o.Reason, ReasonInvalidToken)
			}
		})
	}
}
