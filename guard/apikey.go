package guard

import (
	"crypto/sha256"
	"crypto/subtle"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/config"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/jwt"
)

// apiKey is a configured API key with what a request made with it needs.
type apiKey struct {
	name    string
	digest  [sha256.Size]byte
	scopes  []string
	headers [][2]string // the subject header, "apikey:<name>"
}

// APIKeySubjectPrefix starts the subject sent upstream for a request made
// with an API key, so the upstream can tell keys from token subjects.
const APIKeySubjectPrefix = "apikey:"

func compileAPIKeys(c *config.Config) []apiKey {
	subject := c.SubjectHeader()
	keys := make([]apiKey, len(c.APIKeys))
	for i, k := range c.APIKeys {
		keys[i] = apiKey{
			name:    k.Name,
			digest:  k.SHA256,
			scopes:  k.Scopes,
			headers: [][2]string{{subject, APIKeySubjectPrefix + k.Name}},
		}
	}
	return keys
}

// extractAPIKey returns the API key a request presented in the configured
// header, "" when none, refusing the ways a key must not be presented.
func extractAPIKey(values []string, maxBytes int, scope string) (string, *Error) {
	switch len(values) {
	case 0:
		return "", nil
	case 1:
	default:
		return "", invalidRequest("more than one API key header", scope)
	}
	switch key := values[0]; {
	case key == "":
		return "", invalidRequest("empty API key", scope)
	case len(key) > maxBytes:
		return "", invalidRequest("API key too large", scope)
	default:
		return key, nil
	}
}

// matchAPIKey finds the configured key presented, or returns nil. The key
// is hashed once and its digest compared with every configured digest in
// constant time, without stopping at a match, so the time taken says
// nothing about which key, or how much of one, matched.
func (g *Guard) matchAPIKey(presented string) *apiKey {
	sum := sha256.Sum256([]byte(presented))
	found := -1
	for i := range g.apiKeys {
		equal := subtle.ConstantTimeCompare(sum[:], g.apiKeys[i].digest[:])
		found = subtle.ConstantTimeSelect(equal, i, found)
	}
	if found < 0 {
		return nil
	}
	return &g.apiKeys[found]
}

// authorizeAPIKey checks a presented key and the rule's scopes against the
// key's. In auth_mode both, every answer to a known key carries the
// deprecation headers.
func (g *Guard) authorizeAPIKey(presented string, r *rule) Outcome {
	k := g.matchAPIKey(presented)
	if k == nil {
		o := g.reply(ReasonInvalidAPIKey, invalidAPIKey(r.scope))
		o.Credential = CredentialAPIKey
		return o
	}
	var o Outcome
	if (&jwt.Claims{Scopes: k.scopes}).HasScopes(r.requiredScopes) {
		o = g.allow(k.headers, nil, "")
	} else {
		o = g.reply(ReasonInsufficientScope, keyLacksScope(r.scope))
	}
	o.APIKey, o.Credential, o.Deprecated = k.name, CredentialAPIKey, len(g.deprecation) > 0
	if o.Deprecated {
		if o.Kind == Reply {
			o.Response.Headers = append(o.Response.Headers, g.deprecation...)
		} else {
			o.ResponseHeaders = g.deprecation
		}
	}
	return o
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
