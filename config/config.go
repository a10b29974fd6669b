package config

import (
	"encoding/json"
	"time"
)

// Config is a validated plugin configuration. Obtain it from Parse: the
// methods rely on the invariants Parse checks.
type Config struct {
	// Resource is the protected resource's identifier (RFC 8707, RFC 9728
	// "resource"), the public URL clients use for the MCP endpoint. It is
	// the default audience and the origin of the metadata URL. JSON: resource.
	Resource string
	// ResourceName is the human-readable name published in the protected
	// resource metadata; "" leaves it out. JSON: resource_name.
	ResourceName string
	// AuthorizationServers are the issuer identifiers published in the
	// protected resource metadata (at least one). JSON: authorization_servers.
	AuthorizationServers []string
	// ScopesSupported is published in the protected resource metadata.
	// JSON: scopes_supported.
	ScopesSupported []string
	// Providers are the token issuers this resource trusts (at least one).
	Providers []Provider
	// Rules say which requests need which scopes, in configuration order;
	// with no rules every request needs a valid token.
	Rules []Rule
	// ClaimToHeaders copies claims of a validated token into request headers
	// for the upstream. JSON: claim_to_headers.
	ClaimToHeaders []ClaimToHeader
	// ForwardToken keeps the Authorization header on requests sent upstream;
	// by default it is removed. JSON: forward_token.
	ForwardToken bool
	// MaxTokenBytes bounds the length of a bearer token before any parsing.
	// JSON: max_token_bytes, default 8192, allowed 512..65536.
	MaxTokenBytes int
	// TokenCache bounds the per-VM cache of validated tokens.
	// JSON: token_cache.
	TokenCache TokenCache
	// AuthMode says which credentials the filter accepts: bearer tokens
	// (oauth), API keys (api_key) or both during a migration.
	// JSON: auth_mode, default "oauth".
	AuthMode AuthMode
	// APIKeys are the accepted API keys, known only by the SHA-256 of the
	// key; set exactly when AuthMode accepts API keys. JSON: api_keys.
	APIKeys []APIKey
	// APIKeyHeader is the request header an API key is read from. It is
	// removed from every request before it goes upstream, in every mode, so
	// a key never reaches the upstream. JSON: api_key_header, default
	// "x-api-key".
	APIKeyHeader string
	// DeprecationDate is sent as the Deprecation header (RFC 9745) on
	// responses to requests authenticated by an API key in auth_mode
	// "both"; zero means the time the plugin started (see README).
	// JSON: deprecation_date, RFC 3339 UTC.
	DeprecationDate time.Time
	// SunsetDate, when not zero, is sent as the Sunset header (RFC 8594)
	// beside Deprecation; never earlier than DeprecationDate.
	// JSON: sunset_date, RFC 3339 UTC.
	SunsetDate time.Time
	// DeprecationLink, when not empty, is sent as
	// Link: <DeprecationLink>; rel="deprecation" (RFC 9745 §3): where API
	// key clients read how to migrate. JSON: deprecation_link.
	DeprecationLink string
	// LogLevel is the least severe plugin log line written.
	// JSON: log_level, default "info".
	LogLevel LogLevel
}

// TokenCache bounds the per-VM cache of validated tokens. A token is
// remembered until its exp or MaxAge after validation, whichever is first.
type TokenCache struct {
	// MaxEntries: JSON max_entries, default 4096, 0..1000000; 0 turns the
	// cache off.
	MaxEntries int
	// MaxBytes bounds the bytes of cached tokens and identity headers.
	// JSON: max_bytes, default 4 MiB, 0..256 MiB.
	MaxBytes int
	// MaxAge caps how long a validated token is trusted without being
	// verified again. JSON: max_age_s, default 300, 1..86400.
	MaxAge time.Duration
}

// Provider is one trusted token issuer.
type Provider struct {
	// Name identifies the provider in metric names and shared-data keys,
	// hence its restricted alphabet (^[a-z0-9][a-z0-9_-]{0,62}$).
	Name string
	// Issuer must equal the token's iss claim exactly.
	Issuer string
	// Audiences accepted in the token's aud claim; defaults to [Resource].
	Audiences []string
	// Algorithms allowed in the token's alg header; defaults to
	// DefaultAlgorithms(). Only asymmetric JWS algorithms are accepted.
	Algorithms []string
	// RemoteJWKS and LocalJWKS are the provider's key source; exactly one is
	// set. LocalJWKS is an inline JWK Set object, kept as written for
	// package jwks to parse and validate.
	RemoteJWKS *RemoteJWKS
	LocalJWKS  json.RawMessage
	// ClockSkew is the leeway for exp, nbf and iat. JSON: clock_skew_s,
	// default 60, allowed 0..60 (a larger leeway accepts expired tokens).
	ClockSkew time.Duration
	// RequireAccessTokenType refuses tokens whose typ header is not at+jwt
	// (RFC 9068 §2.1). JSON: require_access_token_type.
	RequireAccessTokenType bool
	// MaxTokenLifetime, when not zero, refuses tokens whose exp lies further
	// than this after their iat. JSON: max_token_lifetime_s, 0 (off) or
	// 1..86400.
	MaxTokenLifetime time.Duration
}

// RemoteJWKS says where the filter fetches a provider's JWK Set from, by a
// dispatched HTTP call to an Envoy cluster.
type RemoteJWKS struct {
	// Cluster is the Envoy cluster name (in Istio e.g.
	// "outbound|443||auth.example.com"), not a URL.
	Cluster string
	// Authority is sent as :authority, host[:port] without scheme or path.
	Authority string
	// Path is sent as :path; it starts with "/" and may carry a query.
	Path string
	// Timeout of one fetch. JSON: timeout_ms, default 5000, allowed 100..60000.
	Timeout time.Duration
	// RefreshInterval between fetches of a JWK Set already held.
	// JSON: refresh_interval_s, default 300, allowed 10..86400.
	RefreshInterval time.Duration
}

// ClaimToHeader copies the value of a token claim into a request header.
type ClaimToHeader struct {
	Claim  string
	Header string // lowercase field name, never one that carries routing or credentials
}

// DefaultAlgorithms returns the JWS algorithms a provider accepts when it
// lists none: every asymmetric algorithm of RFC 7518 and RFC 8037 that the
// token validator implements. It returns a new slice on every call.
func DefaultAlgorithms() []string {
	return []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
}

// Defaults applied by Parse to absent members.
const (
	DefaultMaxTokenBytes   = 8192
	DefaultCacheEntries    = 4096
	DefaultCacheBytes      = 4 << 20
	DefaultCacheMaxAge     = 300 * time.Second
	DefaultClockSkew       = 60 * time.Second
	DefaultJWKSTimeout     = 5 * time.Second
	DefaultRefreshInterval = 300 * time.Second
	DefaultAPIKeyHeader    = "x-api-key"
	// DefaultSubjectHeader receives "apikey:<name>" for API-key requests
	// when claim_to_headers maps no header from "sub".
	DefaultSubjectHeader = "x-mcp-subject"
	// MaxAPIKeys bounds api_keys: every request compares against all of
	// them, and each has its own metrics.
	MaxAPIKeys = 1000
)

// Parse decodes and validates a plugin configuration. It fails on the first
// problem with an error wrapping ErrInvalid whose message is one line
// naming the JSON location; it never returns a partial Config.
func Parse(data []byte) (*Config, error) {
	if err := checkWellFormed(data); err != nil {
		return nil, err
	}
	doc, err := decode(data)
	if err != nil {
		return nil, err
	}
	return doc.validate()
}
