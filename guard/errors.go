package guard

// OAuth error codes (RFC 6750 §3.1) and the codes we use for non-token failures.
const (
	codeInvalidRequest    = "invalid_request"
	codeInvalidToken      = "invalid_token"
	codeInsufficientScope = "insufficient_scope"
	codeUnavailable       = "temporarily_unavailable"
	codeServerError       = "server_error"
)

// Error is a refusal with its OAuth error code attached. Respond is the one
// place that turns it into an HTTP response.
type Error struct {
	Status      int
	Code        string // "" for a missing credential: RFC 6750 §3.1 sends no error attribute then
	Description string // fixed text, RFC 6750 charset, never token bytes
	Scope       string // space-separated scopes the rule needs, "" when none
	RetryAfter  int    // seconds, 503 only
	// bodyCode names the error in the JSON body when the challenge carries
	// no error attribute (Code ""); "unauthorized" when empty.
	bodyCode string
}

// missingCredential answers a request without credentials: no error
// attribute in the challenge (RFC 6750 §3.1); hint, in the body only, names
// the credentials a mode with API keys accepts ("" in oauth mode).
func missingCredential(scope, hint string) *Error {
	return &Error{Status: 401, Scope: scope, Description: hint}
}

// invalidAPIKey answers a key that matches none configured. The challenge
// is the one of a request without credentials (no bearer token was sent,
// RFC 6750 §3.1), with resource_metadata, so that API-key clients can
// discover the authorization server and start migrating; the body names
// the problem.
func invalidAPIKey(scope string) *Error {
	return &Error{Status: 401, Scope: scope, Description: "API key not recognised", bodyCode: "invalid_api_key"}
}

func invalidRequest(description, scope string) *Error {
	return &Error{Status: 400, Code: codeInvalidRequest, Description: description, Scope: scope}
}

func invalidToken(description, scope string) *Error {
	return &Error{Status: 401, Code: codeInvalidToken, Description: description, Scope: scope}
}

func insufficientScope(scope string) *Error {
	return &Error{Status: 403, Code: codeInsufficientScope, Description: "token lacks the scopes this request needs", Scope: scope}
}

// keyLacksScope is insufficient_scope for an API key: the challenge still
// names the scopes an OAuth token would need (step-up by migrating).
func keyLacksScope(scope string) *Error {
	return &Error{Status: 403, Code: codeInsufficientScope, Description: "API key lacks the scopes this request needs", Scope: scope}
}

// Unavailable is the answer when a token cannot be checked because no signing
// keys could be had: never 401 for a token nobody could verify.
func Unavailable(retryAfter int) *Error {
	if retryAfter < 1 {
		retryAfter = 1
	}
	return &Error{Status: 503, Code: codeUnavailable, Description: "signing keys are not available yet", RetryAfter: retryAfter}
}

// Internal is the answer after a recovered panic: fail closed.
func Internal() *Error {
	return &Error{Status: 500, Code: codeServerError, Description: "internal error in the authorization filter"}
}
