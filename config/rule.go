package config

// Rule says what a request must present. Exactly one of PathPrefix, Path
// and ExactPath is set; each starts with "/". Matching works on the raw
// :path as Envoy forwards it, so path normalisation (percent-decoding, dot
// segments, merged slashes) is left to Envoy's own settings.
type Rule struct {
	// PathPrefix matches the path on segment boundaries: "/mcp" matches
	// "/mcp", "/mcp/", "/mcp/x" and "/mcp?x" but not "/mcpx". A prefix
	// ending in "/" matches everything below it. JSON: path_prefix.
	PathPrefix string
	// Path matches the path without its query exactly: "/mcp" matches
	// "/mcp" and "/mcp?x" but not "/mcp/". JSON: path.
	Path string
	// ExactPath matches the whole :path, query included, byte for byte.
	// JSON: exact_path.
	ExactPath string
	// Methods limits the rule to these methods (case-sensitive, RFC 9110
	// §9.1); empty means every method.
	Methods []string
	// RequiredScopes must all be granted by the token. JSON: required_scopes.
	RequiredScopes []string
	// AllowAnonymous lets requests without a token through; it cannot be
	// combined with RequiredScopes. JSON: allow_anonymous.
	AllowAnonymous bool
}

// Matches reports whether a request with this method and :path falls under
// the rule. It does not allocate: it runs on every request.
func (r Rule) Matches(method, path string) bool {
	if !r.matchesMethod(method) {
		return false
	}
	switch {
	case r.ExactPath != "":
		return path == r.ExactPath
	case r.Path != "":
		return withoutQuery(path) == r.Path
	case r.PathPrefix != "":
		return hasSegmentPrefix(path, r.PathPrefix)
	}
	return false
}

func (r Rule) matchesMethod(method string) bool {
	if len(r.Methods) == 0 {
		return true
	}
	for _, m := range r.Methods {
		if m == method {
			return true
		}
	}
	return false
}

func withoutQuery(path string) string {
	for i := 0; i < len(path); i++ {
		if path[i] == '?' {
			return path[:i]
		}
	}
	return path
}

// hasSegmentPrefix reports whether path starts with prefix and the prefix
// ends at a segment boundary: the end of the path, a "/" or the query.
func hasSegmentPrefix(path, prefix string) bool {
	if len(path) < len(prefix) || path[:len(prefix)] != prefix {
		return false
	}
	if len(path) == len(prefix) || prefix[len(prefix)-1] == '/' {
		return true
	}
	next := path[len(prefix)]
	return next == '/' || next == '?'
}
