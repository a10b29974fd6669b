package guard

import (
	"errors"
	"fmt"
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/config"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/jwks"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/jwt"
)

// Guard holds everything compiled from one configuration, for one VM's
// plugin context. Besides the validated-token cache and the parser's
// header memory it is immutable after New; a VM is single-threaded, so
// nothing needs locking.
type Guard struct {
	providers     []provider
	byIssuer      map[string]int
	rules         []rule
	fallback      rule
	claimHeaders  []config.ClaimToHeader
	stripHeaders  []string // removed from every request before it goes upstream
	maxTokenBytes int
	metadata      []byte
	metadataPath  string
	metadataURL   string
	bareChallenge string
	cache         *tokenCache // nil when token_cache.max_entries is 0
	parser        jwt.Parser  // remembers the issuers' headers

	acceptTokens  bool
	acceptAPIKeys bool
	apiKeys       []apiKey
	apiKeyHeader  string
	missingHint   string      // body text of a 401 without credentials, naming what this mode accepts
	deprecation   [][2]string // response headers for API-key requests in auth_mode both
}

// provider is one trusted issuer with its validator and, for local_jwks, its keys.
type provider struct {
	name      string
	issuer    string
	validator *jwt.Validator
	skew      time.Duration
	localKeys *jwks.Set // nil for remote_jwks: keys come from the KeySource
}

// KeySource gives the current key set of a remote provider, nil while none
// has been fetched. The filter implements it over shared data.
type KeySource interface {
	KeySet(provider int) *jwks.Set
}

// Request is what the guard needs to know about one HTTP request.
type Request struct {
	Method        string   // :method
	Path          string   // :path, query included
	Authorization []string // every Authorization header value, in order
	APIKey        []string // every value of the API key header (APIKeyHeader), in order
	Preflight     bool     // OPTIONS carrying Access-Control-Request-Method
	// KeysSettled is set when the request already waited for a key refresh:
	// an unknown kid is then an invalid token, not a reason to wait again.
	KeysSettled bool
	// HeaderSpace, when it has room, is where the outcome's SetHeaders are
	// built: storage the caller keeps for the stream spares an allocation
	// per token in wasm.
	HeaderSpace [][2]string
}

// Kind says what the filter must do with a request.
type Kind int

const (
	// Forward sends the request upstream after applying the header changes.
	Forward Kind = iota
	// Reply answers the request locally with Outcome.Response.
	Reply
	// WaitForKeys pauses the request until the provider's keys change or the
	// wait times out (then the filter answers 503, never 401).
	WaitForKeys
)

// Outcome is the guard's decision for one request.
type Outcome struct {
	Kind     Kind
	Response Response // Reply

	// Forward: headers to remove, then headers to set.
	RemoveHeaders []string
	SetHeaders    [][2]string

	// WaitForKeys: which provider, and whether the token named a kid the
	// current set lacks (the filter then asks for an early refresh).
	Provider   int
	UnknownKey bool

	// Reason names the decision for logs and metrics, e.g. "allowed",
	// "anonymous", "missing_token", "invalid_token", "insufficient_scope".
	Reason string
	// Err is the validation error behind an invalid_token reply, if any.
	Err error
	// Claims of the validated token, nil otherwise. They belong to the
	// guard's parser and stay valid until its next Check.
	Claims *jwt.Claims
	// ProviderName is the token's provider once known.
	ProviderName string
	// Cause classifies Err for metrics and logs, one of
	// InvalidTokenCauses(); "" unless Reason is invalid_token.
	Cause string
	// APIKey names the configured API key the request presented.
	APIKey string
	// Subject, ClientID and TokenID are the sub, client_id and jti of a
	// token whose signature was verified (now or, for a cache hit, before),
	// for logs; empty otherwise: unverified claims are never reported.
	Subject, ClientID, TokenID string
	// ResponseHeaders are added to the response the client receives for a
	// forwarded request (the deprecation of API keys). A Reply already
	// carries them in Response.
	ResponseHeaders [][2]string
	// Deprecated marks a request made with an API key in auth_mode both.
	Deprecated bool
	// Description is the error_description of a Reply, for logs: a fixed
	// text, never token bytes.
	Description string
	// Credential is the credential the decision was made on: the time
	// spent on it is what the filter reports as validation time.
	Credential Credential
	// FromCache marks a token decided on the validated-token cache: it was
	// not validated again, so there is no validation time to report.
	FromCache bool
}

// Option configures New.
type Option func(*options)

type options struct{ started time.Time }

// WithStartTime is when the plugin started: the Deprecation date of API
// keys in auth_mode both when deprecation_date is not configured. Without
// it that date is the Unix epoch.
func WithStartTime(t time.Time) Option { return func(o *options) { o.started = t } }

// New compiles a configuration. Keys of local_jwks providers are parsed and
// validated here, so a configuration with an unusable inline key set fails
// at start.
func New(c *config.Config, opts ...Option) (*Guard, error) {
	o := options{started: time.Unix(0, 0)}
	for _, opt := range opts {
		opt(&o)
	}
	metadata, err := renderMetadata(c)
	if err != nil {
		return nil, fmt.Errorf("config: rendering protected resource metadata: %w", err)
	}
	g := &Guard{
		byIssuer:      make(map[string]int, len(c.Providers)),
		rules:         compileRules(c.Rules),
		claimHeaders:  c.ClaimToHeaders,
		maxTokenBytes: c.MaxTokenBytes,
		metadata:      metadata,
		metadataPath:  c.MetadataPath(),
		metadataURL:   c.MetadataURL(),
		cache:         newTokenCache(c.TokenCache.MaxEntries, c.TokenCache.MaxBytes, c.TokenCache.MaxAge),
		acceptTokens:  c.AuthMode.AcceptsTokens(),
		acceptAPIKeys: c.AuthMode.AcceptsAPIKeys(),
		apiKeys:       compileAPIKeys(c),
		apiKeyHeader:  c.APIKeyHeader,
		deprecation:   deprecationHeaders(c, o.started),
	}
	g.bareChallenge = `Bearer resource_metadata="` + g.metadataURL + `"`
	if !c.ForwardToken {
		g.stripHeaders = append(g.stripHeaders, "authorization")
	}
	for _, h := range c.ClaimToHeaders {
		g.stripHeaders = append(g.stripHeaders, h.Header)
	}
	// An API key never goes upstream, in any mode: in oauth mode the
	// header is not a credential here, and passing it on would let an
	// upstream that still checks keys be reached around this filter.
	if g.apiKeyHeader != "" {
		g.stripHeaders = append(g.stripHeaders, g.apiKeyHeader)
	}
	if g.acceptAPIKeys {
		if subject := c.SubjectHeader(); !contains(g.stripHeaders, subject) {
			g.stripHeaders = append(g.stripHeaders, subject)
		}
		g.missingHint = "send an API key in the " + g.apiKeyHeader + " header"
		if g.acceptTokens {
			g.missingHint = "send a bearer token, or an API key in the " + g.apiKeyHeader + " header"
		}
	}
	for i, p := range c.Providers {
		opts := []jwt.Option{
			jwt.WithIssuer(p.Issuer),
			jwt.WithAudiences(p.Audiences...),
			jwt.WithAlgorithms(p.Algorithms...),
			jwt.WithClockSkew(p.ClockSkew),
		}
		if p.RequireAccessTokenType {
			opts = append(opts, jwt.WithRequireAccessTokenType())
		}
		if p.MaxTokenLifetime > 0 {
			opts = append(opts, jwt.WithMaxLifetime(p.MaxTokenLifetime))
		}
		v, err := jwt.NewValidator(opts...)
		if err != nil {
			return nil, fmt.Errorf("config: providers[%d]: %w", i, err)
		}
		pr := provider{name: p.Name, issuer: p.Issuer, validator: v, skew: p.ClockSkew}
		if p.RemoteJWKS == nil {
			set, err := jwks.Parse(p.LocalJWKS)
			if err != nil {
				return nil, fmt.Errorf("config: providers[%d].local_jwks: %w", i, err)
			}
			pr.localKeys = set
		}
		g.byIssuer[p.Issuer] = i
		g.providers = append(g.providers, pr)
	}
	return g, nil
}

// ProviderCount is the number of configured providers; provider indexes in
// outcomes and KeySource calls are 0..ProviderCount-1.
func (g *Guard) ProviderCount() int { return len(g.providers) }

// ProviderName returns the configured name of provider i.
func (g *Guard) ProviderName(i int) string { return g.providers[i].name }

// LocalKeys returns provider i's inline key set, nil for remote providers.
func (g *Guard) LocalKeys(i int) *jwks.Set { return g.providers[i].localKeys }

// StripHeaders lists the request headers removed from every forwarded
// request, lower-case: an outcome's RemoveHeaders is this list.
func (g *Guard) StripHeaders() []string { return g.stripHeaders }

// APIKeyHeader is the request header API keys are read from (and removed).
func (g *Guard) APIKeyHeader() string { return g.apiKeyHeader }

// APIKeyNames lists the configured API keys' names, in configuration order.
func (g *Guard) APIKeyNames() []string {
	names := make([]string, len(g.apiKeys))
	for i, k := range g.apiKeys {
		names[i] = k.name
	}
	return names
}

// AcceptsAPIKeys reports whether API keys are checked (auth_mode api_key or both).
func (g *Guard) AcceptsAPIKeys() bool { return g.acceptAPIKeys }

// Check decides one request: extract the credential, pick the rule,
// validate, authorize. It never blocks; when keys are missing it says so.
func (g *Guard) Check(req Request, keys KeySource, now time.Time) Outcome {
	path, query := splitPath(req.Path)
	if !isNormalPath(path) {
		return g.reply(ReasonInvalidRequest, invalidRequest("request path is not in normal form", ""))
	}
	if g.isMetadataPath(path) && (req.Method == "GET" || req.Method == "HEAD" || req.Method == "OPTIONS") {
		return Outcome{Kind: Reply, Response: g.metadataResponse(req.Method), Reason: ReasonMetadata}
	}
	if req.Preflight && req.Method == "OPTIONS" {
		// CORS preflights carry no credentials (Fetch standard); browser MCP
		// clients need them to pass.
		return g.forward(ReasonPreflight)
	}
	r := pickRule(g.rules, &g.fallback, req.Method, req.Path)
	cred, cerr := bearerCredential(req.Authorization, query, g.maxTokenBytes, r.scope)
	if cerr != nil {
		return g.reply(ReasonInvalidRequest, cerr)
	}
	// A token this VM validated before needs no syntax check: it is
	// byte-identical to one that passed it. That check reads every byte,
	// and is most of what a cache hit would cost here.
	var cached cachedToken
	var hit bool
	if cred.token != "" && !r.anonymous {
		cached, hit = g.cache.find(cred.token, now)
	}
	// When only tokens are accepted and the rule needs one, nothing below
	// can answer before authorize does, and a token Parse accepts is a
	// b64token (base64url and dots): authorize checks the syntax only when
	// Parse refuses the token, which spares a miss a pass over it.
	deferSyntax := g.acceptTokens && !g.acceptAPIKeys && !r.anonymous
	if !hit && !deferSyntax {
		if cerr := checkB64Token(cred.token, r.scope); cerr != nil {
			return g.reply(ReasonInvalidRequest, cerr)
		}
	}
	var key string
	if g.acceptAPIKeys {
		if key, cerr = extractAPIKey(req.APIKey, g.maxTokenBytes, r.scope); cerr != nil {
			return g.reply(ReasonInvalidRequest, cerr)
		}
	}
	if r.anonymous {
		return g.forward(ReasonAnonymous)
	}
	if !g.acceptTokens {
		cred.token = "" // api_key mode: a bearer token is not a credential here, like another scheme
	}
	switch {
	case key != "" && cred.token != "":
		// Two identities on one request: refuse rather than pick one.
		return g.reply(ReasonInvalidRequest, invalidRequest("send either a bearer token or an API key, not both", r.scope))
	case key != "":
		return g.authorizeAPIKey(key, r)
	case cred.token != "":
		o := g.authorize(cred.token, cached, hit, r, &req, keys, now)
		o.Credential = CredentialBearer
		return o
	}
	return g.reply(ReasonMissingToken, missingCredential(r.scope, g.missingHint))
}

// keySet is provider i's current key set, nil while none exists.
func (g *Guard) keySet(i int, keys KeySource) *jwks.Set {
	if set := g.providers[i].localKeys; set != nil {
		return set
	}
	return keys.KeySet(i)
}

// providerFor finds the provider of issuer iss. With one provider, the
// common case, it is one comparison: a map lookup hashes the string, which
// in wasm has no fast path.
func (g *Guard) providerFor(iss string) (int, bool) {
	if len(g.providers) == 1 {
		return 0, g.providers[0].issuer == iss
	}
	i, ok := g.byIssuer[iss]
	return i, ok
}

// CacheStats reports the validated-token cache's counters.
func (g *Guard) CacheStats() CacheStats { return g.cache.Stats() }

// authorize validates the token and checks the rule's scopes. A token this
// VM validated before, with the provider's key set unchanged, skips parsing
// and the signature check; expiry and scopes are checked on every request.
func (g *Guard) authorize(raw string, e cachedToken, hit bool, r *rule, req *Request, keys KeySource, now time.Time) Outcome {
	g.cache.count(hit)
	if hit {
		if set := g.keySet(e.provider, keys); set != nil && set.ID() == e.keysID {
			name := g.providers[e.provider].name
			var o Outcome
			if e.scopes.containsAll(r.requiredScopes) {
				o = g.allow(e.headers.appendPairs(req.HeaderSpace[:0]), nil, name)
			} else {
				o = g.insufficient(r, nil, name)
			}
			o.Subject, o.ClientID, o.TokenID, o.FromCache = e.subject, e.clientID, e.tokenID, true
			return o
		}
	}
	tok, err := g.parser.Parse(raw)
	if err != nil {
		// Check left the b64token syntax to here (see deferSyntax): a
		// token outside it is a malformed request, not an invalid token.
		if cerr := checkB64Token(raw, r.scope); cerr != nil {
			return g.reply(ReasonInvalidRequest, cerr)
		}
		return g.invalid(err, r, "")
	}
	iss, _ := tok.UnverifiedIssuer()
	pi, ok := g.providerFor(iss)
	if !ok {
		return g.invalid(errUnknownIssuer, r, "")
	}
	p := &g.providers[pi]
	if !p.validator.AllowsAlgorithm(tok.Header.Algorithm) {
		return g.invalid(jwt.ErrAlgorithm, r, p.name)
	}
	set := g.keySet(pi, keys)
	if set == nil {
		return Outcome{Kind: WaitForKeys, Provider: pi, Reason: ReasonWaitingForKeys, ProviderName: p.name}
	}
	key, err := set.Select(tok.Header.KeyID, tok.Header.HasKeyID, tok.Header.Algorithm)
	if err != nil {
		if errors.Is(err, jwks.ErrKeyNotFound) && p.localKeys == nil && !req.KeysSettled {
			return Outcome{Kind: WaitForKeys, Provider: pi, UnknownKey: true, Reason: ReasonWaitingForKeys, ProviderName: p.name}
		}
		return g.invalid(err, r, p.name)
	}
	claims, err := p.validator.Validate(tok, key.Public, now)
	if err != nil {
		return g.invalid(err, r, p.name)
	}
	headers := g.identityHeaders(claims, req.HeaderSpace[:0])
	expires := claims.ExpiresAt.Add(p.skew)
	if capAt := now.Add(g.cache.maxAgeOrZero()); g.cache != nil && capAt.Before(expires) {
		expires = capAt
	}
	g.cache.store(tokenGrant{token: raw, provider: pi, keysID: set.ID(), expires: expires,
		scopes: claims.Scopes, headers: headers,
		subject: claims.Subject, clientID: claims.ClientID, tokenID: claims.ID})
	o := g.grant(r, headers, claims, p.name)
	o.Subject, o.ClientID, o.TokenID = claims.Subject, claims.ClientID, claims.ID
	return o
}

// grant authorizes a validated token against the rule's scopes.
func (g *Guard) grant(r *rule, headers [][2]string, claims *jwt.Claims, providerName string) Outcome {
	if !claims.HasScopes(r.requiredScopes) {
		return g.insufficient(r, claims, providerName)
	}
	return g.allow(headers, claims, providerName)
}

func (g *Guard) insufficient(r *rule, claims *jwt.Claims, providerName string) Outcome {
	o := g.reply(ReasonInsufficientScope, insufficientScope(r.scope))
	o.Claims, o.ProviderName = claims, providerName
	return o
}

func (g *Guard) allow(headers [][2]string, claims *jwt.Claims, providerName string) Outcome {
	return Outcome{Kind: Forward, RemoveHeaders: g.stripHeaders, SetHeaders: headers,
		Reason: ReasonAllowed, Claims: claims, ProviderName: providerName}
}

var errUnknownIssuer = errors.New("issuer not accepted")

// invalid answers 401 invalid_token with a fixed description for err.
func (g *Guard) invalid(err error, r *rule, providerName string) Outcome {
	o := g.reply(ReasonInvalidToken, invalidToken(describe(err), r.scope))
	o.Err, o.ProviderName, o.Cause = err, providerName, causeOf(err)
	return o
}

// describe maps validation errors to fixed, RFC 6750-safe descriptions.
func describe(err error) string {
	switch {
	case errors.Is(err, errUnknownIssuer):
		return "issuer not accepted"
	case errors.Is(err, jwks.ErrKeyNotFound):
		return "signing key not found"
	case errors.Is(err, jwks.ErrKeyMismatch), errors.Is(err, jwks.ErrAmbiguousKey):
		return "no unique signing key fits the token"
	}
	return jwt.Describe(err)
}

func (g *Guard) reply(reason string, e *Error) Outcome {
	return Outcome{Kind: Reply, Response: g.Respond(e), Reason: reason, Description: e.Description}
}

// forward passes a request that needs no token: client-sent copies of the
// identity headers (and the Authorization header) are still removed.
func (g *Guard) forward(reason string) Outcome {
	return Outcome{Kind: Forward, RemoveHeaders: g.stripHeaders, Reason: reason}
}

// identityHeaders renders claim_to_headers for a validated token, appended
// to out; the filter sets them after removing any client-sent copies.
func (g *Guard) identityHeaders(claims *jwt.Claims, out [][2]string) [][2]string {
	if len(g.claimHeaders) == 0 {
		return nil
	}
	for _, h := range g.claimHeaders {
		if v, ok := claims.Value(h.Claim); ok {
			out = append(out, [2]string{h.Header, v})
		}
	}
	return out
}

// UnavailableResponse is the 503 for a request that waited for keys in vain.
func (g *Guard) UnavailableResponse(retryAfter int) Outcome {
	return g.reply(ReasonUnavailable, Unavailable(retryAfter))
}

// InternalResponse is the 500 after a recovered panic.
func (g *Guard) InternalResponse() Outcome {
	return g.reply(ReasonInternalError, Internal())
}
