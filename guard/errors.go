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
}

func missingToken(scope string) *Error {
	return &Error{Status: 401, Scope: scope}
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
