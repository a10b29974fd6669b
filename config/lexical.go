package config

import "strings"

// isTchar reports whether c may appear in an HTTP token (RFC 9110 §5.6.2),
// the grammar of method and field names.
func isTchar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTchar(s[i]) {
			return false
		}
	}
	return true
}

// isScopeToken reports whether s is an RFC 6749 §3.3 scope-token:
// 1*( %x21 / %x23-5B / %x5D-7E ), i.e. printable ASCII except space, '"'
// and '\'. Anything else could not appear in a scope claim or be quoted in
// a WWW-Authenticate challenge.
func isScopeToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// isProviderName checks ^[a-z0-9][a-z0-9_-]{0,62}$: the name becomes part
// of metric names and shared-data keys, which must stay unambiguous.
func isProviderName(s string) bool {
	if len(s) == 0 || len(s) > 63 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '_' && c != '-') {
			return false
		}
	}
	return true
}

// hasControlOrSpace reports ASCII control characters, space and DEL, which
// have no place in cluster names, paths or authorities sent to Envoy.
func hasControlOrSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] == 0x7f {
			return true
		}
	}
	return false
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// headerProblem explains why name cannot receive a claim, or returns "".
func headerProblem(name string) string {
	if problem := headerNameProblem(name, "claims can only be copied into regular header fields"); problem != "" {
		return problem
	}
	if isReservedHeader(name) {
		return quote(name) + " is reserved: it carries credentials, framing or routing that must not come from a token claim"
	}
	return ""
}

// apiKeyHeaderProblem explains why name cannot carry API keys, or returns
// "". x-api-key, reserved for claims, is the conventional place for keys.
func apiKeyHeaderProblem(name string) string {
	if problem := headerNameProblem(name, "API keys are read from a regular header field"); problem != "" {
		return problem
	}
	if name != DefaultAPIKeyHeader && isReservedHeader(name) {
		return quote(name) + " is reserved: it carries credentials, framing or routing of its own"
	}
	return ""
}

// headerNameProblem checks what every configured header name needs: a
// lowercase RFC 9110 token that is neither a pseudo-header nor x-envoy-*.
func headerNameProblem(name, pseudoHint string) string {
	switch {
	case name == "":
		return "is required"
	case name[0] == ':':
		return quote(name) + " is a pseudo-header; " + pseudoHint
	case !isToken(name):
		return quote(name) + " is not a valid header field name (RFC 9110 token)"
	case strings.ToLower(name) != name:
		return quote(name) + " must be lowercase (HTTP/2 and Envoy use lowercase field names)"
	case strings.HasPrefix(name, "x-envoy-"):
		return quote(name) + " is reserved: Envoy acts on x-envoy-* headers"
	}
	return ""
}

// isReservedHeader lists the fields a claim may not set: the proxy or the
// upstream trusts them for credentials, message framing, routing or tracing.
func isReservedHeader(name string) bool {
	switch name {
	case "authorization", "proxy-authorization", "cookie", "x-api-key",
		"host", "content-length", "content-type", "transfer-encoding",
		"connection", "te", "upgrade",
		"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-request-id":
		return true
	}
	return false
}
