package guard

import (
	"strings"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/config"
)

// rule is a configured rule with everything a request needs pre-computed.
type rule struct {
	match          config.Rule
	anonymous      bool
	requiredScopes []string
	scope          string // requiredScopes joined for challenges, rendered once
}

func compileRules(rules []config.Rule) []rule {
	out := make([]rule, len(rules))
	for i, r := range rules {
		out[i] = rule{
			match:          r,
			anonymous:      r.AllowAnonymous,
			requiredScopes: r.RequiredScopes,
			scope:          strings.Join(r.RequiredScopes, " "),
		}
	}
	return out
}

// pickRule returns the first rule matching the request (first match wins), or
// fallback: a valid token with no particular scope (secure default).
func pickRule(rules []rule, fallback *rule, method, pathAndQuery string) *rule {
	for i := range rules {
		if rules[i].match.Matches(method, pathAndQuery) {
			return &rules[i]
		}
	}
	return fallback
}
