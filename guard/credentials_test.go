package guard

import (
	"strings"
	"testing"
)

// extractBearer is everything Guard.Check asks of an Authorization header
// that is not in the cache: bearerCredential, then the b64token syntax.
func extractBearer(authorization []string, rawQuery string, maxBytes int, scope string) (credential, *Error) {
	cred, err := bearerCredential(authorization, rawQuery, maxBytes, scope)
	if err == nil {
		err = checkB64Token(cred.token, scope)
	}
	if err != nil {
		return credential{}, err
	}
	return cred, nil
}

func TestExtractBearer(t *testing.T) {
	long := strings.Repeat("a", 8193)
	tests := []struct {
		name      string
		authz     []string
		query     string
		wantToken string
		wantDesc  string // "" = no error
	}{
		{"no header", nil, "", "", ""},
		{"bearer token", []string{"Bearer abc.def.ghi"}, "", "abc.def.ghi", ""},
		{"lowercase scheme", []string{"bearer abc"}, "", "abc", ""},
		{"uppercase scheme", []string{"BEARER abc"}, "", "abc", ""},
		{"several spaces after scheme", []string{"Bearer   abc"}, "", "abc", ""},
		{"b64token charset with padding", []string{"Bearer a-._~+/b=="}, "", "a-._~+/b==", ""},
		{"other scheme is no token", []string{"Basic dXNlcjpwYXNz"}, "", "", ""},
		{"DPoP scheme is no token here", []string{"DPoP abc"}, "", "", ""},
		{"empty header is no token", []string{""}, "", "", ""},
		{"bearer without value", []string{"Bearer"}, "", "", "empty bearer token"},
		{"bearer with only spaces", []string{"Bearer   "}, "", "", "empty bearer token"},
		{"two headers", []string{"Bearer a", "Bearer b"}, "", "", "more than one Authorization header"},
		{"two headers, one basic", []string{"Basic x", "Bearer b"}, "", "", "more than one Authorization header"},
		{"quote in token", []string{`Bearer ab"c`}, "", "", "bearer token has invalid characters"},
		{"space inside token", []string{"Bearer ab c"}, "", "", "bearer token has invalid characters"},
		{"only padding", []string{"Bearer =="}, "", "", "bearer token has invalid characters"},
		{"padding in the middle", []string{"Bearer a=b"}, "", "", "bearer token has invalid characters"},
		{"comma list", []string{"Bearer a,b"}, "", "", "bearer token has invalid characters"},
		{"too large", []string{"Bearer " + long}, "", "", "bearer token too large"},
		{"query token alone", nil, "access_token=abc", "", "access tokens are accepted only in the Authorization header"},
		{"query token with header", []string{"Bearer abc"}, "x=1&access_token=abc", "", "access tokens are accepted only in the Authorization header"},
		{"query token percent-encoded name", nil, "access%5ftoken=abc", "", "access tokens are accepted only in the Authorization header"},
		{"query token without value", nil, "access_token", "", "access tokens are accepted only in the Authorization header"},
		{"similar query name is fine", []string{"Bearer abc"}, "access_tokens=1&my_access_token=2", "abc", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cred, err := extractBearer(tt.authz, tt.query, 8192, "s")
			if tt.wantDesc == "" {
				if err != nil {
					t.Fatalf("unexpected error %+v", err)
				}
				if cred.token != tt.wantToken {
					t.Fatalf("token = %q, want %q", cred.token, tt.wantToken)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted, token %q", cred.token)
			}
			if err.Status != 400 || err.Code != "invalid_request" || err.Description != tt.wantDesc || err.Scope != "s" {
				t.Fatalf("error = %+v, want 400 invalid_request %q", err, tt.wantDesc)
			}
		})
	}
}

func TestIsNormalPath(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{"/", true},
		{"/mcp", true},
		{"/mcp/", true},
		{"/mcp/tools.list", true},
		{"/a/.well-known/x", true},
		{"/a%20b", true},
		{"", false},
		{"*", false},
		{"mcp", false},
		{"//mcp", false},
		{"/a//b", false},
		{"/a/./b", false},
		{"/a/../b", false},
		{"/a/..", false},
		{"/a/.", false},
		{"/..", false},
		{"/a%2fb", false},
		{"/a%2Fb", false},
		{"/a/%2e%2e/b", false},
		{"/a/%2E/b", false},
		{"/a%5cb", false},
		{`/a\b`, false},
		{"/healthz/..;/mcp", false},
		{"/healthz/..;jsessionid=x/mcp", false},
		{"/a/.;x/b", false},
		{"/a;v=1/b", true},
	}
	for _, tt := range tests {
		if got := isNormalPath(tt.path); got != tt.want {
			t.Errorf("isNormalPath(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

// FuzzExtractBearer: the extractor never panics, an accepted token is a
// non-empty RFC 6750 b64token within the size bound, and no error text ever
// contains request bytes.
func FuzzExtractBearer(f *testing.F) {
	f.Add("Bearer abc.def.ghi", "", "")
	f.Add("bearer  x", "a=1", "Bearer y")
	f.Add("Basic x", "access_token=1", "")
	f.Add("Bearer ", "access%5Ftoken=z", "")
	f.Fuzz(func(t *testing.T, h1, query, h2 string) {
		authz := []string{h1}
		if h2 != "" {
			authz = append(authz, h2)
		}
		cred, err := extractBearer(authz, query, 64, "")
		if err != nil {
			if err.Status != 400 || err.Code != "invalid_request" {
				t.Fatalf("unexpected error %+v", err)
			}
			for _, s := range []string{h1, h2, query} {
				if len(s) > 8 && strings.Contains(err.Description, s) {
					t.Fatalf("description echoes request bytes: %q", err.Description)
				}
			}
			return
		}
		if cred.token == "" {
			return
		}
		if len(cred.token) > 64 || !isB64Token(cred.token) {
			t.Fatalf("accepted invalid token %q", cred.token)
		}
		if len(authz) != 1 || hasAccessTokenParam(query) {
			t.Fatalf("accepted with %d headers / query %q", len(authz), query)
		}
	})
}

// FuzzIsNormalPath: anything accepted has no dot segment or empty segment,
// and isNormalPath's single pass answers as normalPathReference does.
func FuzzIsNormalPath(f *testing.F) {
	for _, p := range []string{"/mcp/../x", "/a/%2e/b", "/", "/mcp/", "/a/..;x/b", "/a/;../b", "/a\\b", "/a/...", "/.", "//", "/a%2", "/a%5C"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if got, want := isNormalPath(p), normalPathReference(p); got != want {
			t.Fatalf("isNormalPath(%q) = %v, reference %v", p, got, want)
		}
		if !isNormalPath(p) {
			return
		}
		for _, seg := range strings.Split(p[1:], "/") {
			seg, _, _ = strings.Cut(seg, ";")
			if seg == "." || seg == ".." {
				t.Fatalf("accepted dot segment in %q", p)
			}
		}
		if strings.Contains(p, "//") || strings.Contains(strings.ToLower(p), "%2e") {
			t.Fatalf("accepted %q", p)
		}
	})
}

// normalPathReference is isNormalPath written plainly, one scan per rule.
func normalPathReference(path string) bool {
	if path == "" || path[0] != '/' {
		return false
	}
	if strings.Contains(path, "//") || strings.ContainsRune(path, '\\') {
		return false
	}
	for i := 0; i+2 < len(path); i++ {
		if path[i] != '%' {
			continue
		}
		switch path[i+1 : i+3] {
		case "2e", "2E", "2f", "2F", "5c", "5C":
			return false
		}
	}
	for _, seg := range strings.Split(path[1:], "/") {
		seg, _, _ = strings.Cut(seg, ";")
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}
