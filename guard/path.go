package guard

import "strings"

// splitPath separates the :path pseudo-header into path and query.
func splitPath(p string) (path, query string) {
	path, query, _ = strings.Cut(p, "?")
	return path, query
}

// isNormalPath reports whether path is in the form rules are matched against.
// A path with dot segments (also "..;x" ones), empty segments or
// percent-encoded '.', '/' or '\'
// could match one rule here and reach another route upstream after the
// upstream normalises it (e.g. "/healthz/../mcp"). Envoy normalises paths when
// normalize_path and merge_slashes are set (see envoy.yaml); anything still
// abnormal is refused rather than guessed at.
func isNormalPath(path string) bool {
	if path == "" || path[0] != '/' {
		return false
	}
	// One pass: this runs on every request, and in wasm each further scan
	// of the path (Contains, Cut per segment) costs a call and a loop.
	// name and dots count the current segment's bytes before any ';' and
	// how many of them are dots; param is set after its first ';'.
	name, dots, param := 0, 0, false
	for i := 1; i <= len(path); i++ {
		if i == len(path) || path[i] == '/' {
			if name > 0 && name == dots && dots <= 2 {
				return false // "." or ".."
			}
			if i < len(path) && path[i-1] == '/' {
				return false // empty segment
			}
			name, dots, param = 0, 0, false
			continue
		}
		switch c := path[i]; {
		case c == '\\':
			return false
		case c == '%' && i+2 < len(path) && isEncodedSeparator(path[i+1:i+3]):
			return false
		case c == ';':
			param = true
		case !param:
			name++
			if c == '.' {
				dots++
			}
		}
	}
	return true
}

// isEncodedSeparator reports whether hex, the two digits after a '%',
// encode '.', '/' or '\'.
func isEncodedSeparator(hex string) bool {
	switch hex {
	case "2e", "2E", "2f", "2F", "5c", "5C":
		return true
	}
	return false
}
