package guard

// Outcome reasons, for logs and metric names. They are stable: dashboards
// and alerts are built on them.
const (
	ReasonAllowed           = "allowed"            // a valid credential with the rule's scopes
	ReasonAnonymous         = "anonymous"          // an allow_anonymous rule
	ReasonMetadata          = "metadata"           // the protected resource metadata document
	ReasonPreflight         = "preflight"          // a CORS preflight, which carries no credentials
	ReasonMissingToken      = "missing_token"      // no credential at all
	ReasonInvalidToken      = "invalid_token"      // a bearer token that failed validation (see Outcome.Cause)
	ReasonInvalidAPIKey     = "invalid_api_key"    // an API key that matches no configured digest
	ReasonInsufficientScope = "insufficient_scope" // a valid credential without the rule's scopes
	ReasonInvalidRequest    = "invalid_request"    // credentials presented in a forbidden way, or an unnormalised path
	ReasonUnavailable       = "unavailable"        // no signing keys could be had: 503
	ReasonInternalError     = "internal_error"     // a recovered panic or host failure: 500
	ReasonWaitingForKeys    = "waiting_for_keys"   // not final: the filter pauses the request
)

// Credential is what a request presented to be authenticated.
type Credential int

// Credentials; CredentialNone also covers requests refused before any
// credential was looked at.
const (
	CredentialNone Credential = iota
	CredentialBearer
	CredentialAPIKey
)
