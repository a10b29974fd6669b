package config

// AuthMode says which credentials the filter accepts.
type AuthMode string

// Authentication modes. The zero value behaves as AuthModeOAuth.
const (
	// AuthModeOAuth accepts bearer tokens only: the secure end state.
	AuthModeOAuth AuthMode = "oauth"
	// AuthModeAPIKey accepts API keys only (bearer tokens count as no
	// credential); its 401 challenges still advertise the OAuth metadata.
	AuthModeAPIKey AuthMode = "api_key"
	// AuthModeBoth accepts either, never both on one request; requests made
	// with an API key are answered with deprecation headers.
	AuthModeBoth AuthMode = "both"
)

// AcceptsTokens reports whether bearer tokens are validated in this mode.
func (m AuthMode) AcceptsTokens() bool { return m != AuthModeAPIKey }

// AcceptsAPIKeys reports whether API keys are checked in this mode.
func (m AuthMode) AcceptsAPIKeys() bool { return m == AuthModeAPIKey || m == AuthModeBoth }

// APIKey is one accepted API key. The key itself is never configured: only
// its SHA-256, so neither the configuration nor a log of it holds a secret.
type APIKey struct {
	// Name identifies the key in metrics, logs and the subject sent
	// upstream ("apikey:<name>"), hence the provider-name alphabet.
	Name string
	// SHA256 is the digest of the key's bytes as sent in the header.
	// JSON: sha256, 64 lowercase hexadecimal digits.
	SHA256 [32]byte
	// Scopes are what the key grants against rules' required_scopes, like
	// a token's scope claim; none by default.
	Scopes []string
}

// SubjectHeader is the request header that carries the caller's subject
// upstream: the claim_to_headers header of claim "sub", else
// DefaultSubjectHeader. API-key requests get "apikey:<name>" in it.
func (c *Config) SubjectHeader() string {
	for _, h := range c.ClaimToHeaders {
		if h.Claim == "sub" {
			return h.Header
		}
	}
	return DefaultSubjectHeader
}

// LogLevel is the least severe log line the plugin writes. The zero value
// is LogInfo, the default.
type LogLevel int

// Log levels, ordered by severity.
const (
	LogDebug LogLevel = iota - 1
	LogInfo
	LogWarn
	LogError
)

// String returns the level's configuration name.
func (l LogLevel) String() string {
	switch l {
	case LogDebug:
		return "debug"
	case LogInfo:
		return "info"
	case LogWarn:
		return "warn"
	case LogError:
		return "error"
	}
	return "unknown"
}
