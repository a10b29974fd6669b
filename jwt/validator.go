package jwt

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Defaults and bounds for the clock skew applied to exp, nbf and iat.
// PITFALLS ("golang-jwt v5"): leeway no larger than 60 s.
const (
	defaultClockSkew = 60 * time.Second
	maxClockSkew     = 60 * time.Second
)

// Configuration errors returned by NewValidator.
var (
	errNoIssuer         = errors.New("jwt: issuer missing")
	errNoAudience       = errors.New("jwt: audiences missing")
	errEmptyAudience    = errors.New("jwt: empty audience")
	errNoAlgorithms     = errors.New("jwt: algorithms missing")
	errUnsupportedAlg   = errors.New("jwt: algorithm is not a supported asymmetric algorithm")
	errClockSkewRange   = errors.New("jwt: clock skew must be between 0 and 60s")
	errMaxLifetimeRange = errors.New("jwt: max lifetime must be positive")
)

// Validator checks tokens for one provider (issuer). It is built once at
// configure time, never changes afterwards, and is safe to share.
type Validator struct {
	issuer        string
	audiences     []string
	algorithms    []string
	clockSkew     time.Duration
	requireATType bool
	maxLifetime   time.Duration // 0: no limit
}

// Option configures a Validator.
type Option func(*settings)

// settings collects options before NewValidator checks them.
type settings struct {
	issuer        string
	audiences     []string
	algorithms    []string
	clockSkew     time.Duration
	requireATType bool
	maxLifetime   time.Duration
	lifetimeSet   bool
}

// WithIssuer sets the only accepted "iss" (exact string comparison).
func WithIssuer(iss string) Option { return func(s *settings) { s.issuer = iss } }

// WithAudiences adds accepted audiences; a token's "aud" must contain at
// least one of them (exact string comparison, RFC 8707 §2).
func WithAudiences(aud ...string) Option {
	return func(s *settings) { s.audiences = append(s.audiences, aud...) }
}

// WithAlgorithms sets the allow-list of JWS algorithms. Without it every
// supported asymmetric algorithm is allowed: RS256 RS384 RS512 PS256 PS384
// PS512 ES256 ES384 ES512 EdDSA. A later WithAlgorithms replaces an earlier one.
func WithAlgorithms(algs ...string) Option {
	return func(s *settings) { s.algorithms = append([]string(nil), algs...) }
}

// WithClockSkew sets the tolerance for exp, nbf and iat (default 60s, at
// most 60s).
func WithClockSkew(d time.Duration) Option { return func(s *settings) { s.clockSkew = d } }

// WithRequireAccessTokenType requires typ "at+jwt" or "application/at+jwt"
// (RFC 9068 §4), refusing plain "JWT" and an absent typ.
func WithRequireAccessTokenType() Option { return func(s *settings) { s.requireATType = true } }

// WithMaxLifetime rejects tokens whose exp - iat exceeds d; iat is then
// required.
func WithMaxLifetime(d time.Duration) Option {
	return func(s *settings) { s.maxLifetime, s.lifetimeSet = d, true }
}

// NewValidator builds a Validator. Issuer and at least one audience are
// required, and every allowed algorithm must be asymmetric.
func NewValidator(opts ...Option) (*Validator, error) {
	s := settings{clockSkew: defaultClockSkew, algorithms: supportedAlgorithms()}
	for _, opt := range opts {
		if opt != nil {
			opt(&s)
		}
	}
	if s.issuer == "" {
		return nil, errNoIssuer
	}
	if len(s.audiences) == 0 {
		return nil, errNoAudience
	}
	if slices.Contains(s.audiences, "") {
		return nil, errEmptyAudience
	}
	if len(s.algorithms) == 0 {
		return nil, errNoAlgorithms
	}
	for _, alg := range s.algorithms {
		if !slices.Contains(supportedAlgorithms(), alg) {
			return nil, fmt.Errorf("%w: %q", errUnsupportedAlg, alg)
		}
	}
	if s.clockSkew < 0 || s.clockSkew > maxClockSkew {
		return nil, errClockSkewRange
	}
	if s.lifetimeSet && s.maxLifetime <= 0 {
		return nil, errMaxLifetimeRange
	}
	v := &Validator{
		issuer:        s.issuer,
		audiences:     s.audiences, // built by append: never the caller's array
		algorithms:    slices.Compact(slices.Sorted(slices.Values(s.algorithms))),
		clockSkew:     s.clockSkew,
		requireATType: s.requireATType,
		maxLifetime:   s.maxLifetime,
	}
	return v, nil
}

// AllowsAlgorithm reports whether alg is in the Validator's allow-list.
// A nil Validator allows nothing, so Validate on it fails closed.
func (v *Validator) AllowsAlgorithm(alg string) bool {
	if v == nil {
		return false
	}
	// A linear scan: the list has at most ten short names, and in wasm
	// the generic binary search's string ordering cost more than it saves.
	return slices.Contains(v.algorithms, alg)
}
