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
	for rest := path[1:]; ; {
		seg, tail, more := strings.Cut(rest, "/")
		// Servlet containers drop ";parameters" from a segment before
		// resolving dots, so "/..;/" and "/..;x=y/" are dot segments too.
		seg, _, _ = strings.Cut(seg, ";")
		if seg == "." || seg == ".." {
			return false
		}
		if !more {
			return true
		}
		rest = tail
	}
}
