package config

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
)

// validate checks a decoded document field by field, in the order of
// Config's fields, applies defaults and builds the Config.
func (d *document) validate() (*Config, error) {
	c := &Config{Resource: d.Resource, ResourceName: d.ResourceName, ForwardToken: d.ForwardToken}
	if err := checkResourceURL("resource", d.Resource); err != nil {
		return nil, err
	}
	if hasControl(d.ResourceName) {
		return nil, invalid("resource_name", "must not contain control characters")
	}
	if len(d.AuthorizationServers) == 0 {
		return nil, invalid("authorization_servers", "must list at least one authorization server (RFC 9728 metadata requires one)")
	}
	servers := uniqueValues{}
	for i, s := range d.AuthorizationServers {
		at := location("authorization_servers").index(i)
		if err := checkIdentifierURL(at, s); err != nil {
			return nil, err
		}
		if err := servers.add(at, s); err != nil {
			return nil, err
		}
	}
	c.AuthorizationServers = d.AuthorizationServers
	if err := checkScopes("scopes_supported", d.ScopesSupported); err != nil {
		return nil, err
	}
	c.ScopesSupported = d.ScopesSupported
	maxTokenBytes, err := intInRange("max_token_bytes", d.MaxTokenBytes, DefaultMaxTokenBytes, 512, 65536)
	if err != nil {
		return nil, err
	}
	c.MaxTokenBytes = int(maxTokenBytes)
	if c.Providers, err = d.providers(); err != nil {
		return nil, err
	}
	if c.Rules, err = d.rules(); err != nil {
		return nil, err
	}
	if c.ClaimToHeaders, err = d.claimToHeaders(); err != nil {
		return nil, err
	}
	return c, nil
}

func (d *document) providers() ([]Provider, error) {
	if len(d.Providers) == 0 {
		return nil, invalid("providers", "must list at least one token provider")
	}
	names, issuers := uniqueValues{}, uniqueValues{}
	providers := make([]Provider, 0, len(d.Providers))
	for i := range d.Providers {
		at := location("providers").index(i)
		p, err := d.Providers[i].validate(at, d.Resource)
		if err != nil {
			return nil, err
		}
		if err := names.add(at.member("name"), p.Name); err != nil {
			return nil, err
		}
		if err := issuers.add(at.member("issuer"), p.Issuer); err != nil {
			return nil, err
		}
		providers = append(providers, p)
	}
	return providers, nil
}

func (p *providerDocument) validate(at location, resource string) (Provider, error) {
	v := Provider{
		Name:                   p.Name,
		Issuer:                 p.Issuer,
		Audiences:              p.Audiences,
		Algorithms:             p.Algorithms,
		LocalJWKS:              p.LocalJWKS,
		RequireAccessTokenType: p.RequireAccessTokenType,
	}
	if p.Name == "" {
		return v, invalid(at.member("name"), "is required")
	}
	if !isProviderName(p.Name) {
		return v, invalid(at.member("name"), "%s must match ^[a-z0-9][a-z0-9_-]{0,62}$ (it becomes part of metric names and shared-data keys)", quote(p.Name))
	}
	if err := checkIdentifierURL(at.member("issuer"), p.Issuer); err != nil {
		return v, err
	}
	if v.Audiences == nil {
		v.Audiences = []string{resource}
	} else if err := checkAudiences(at.member("audiences"), p.Audiences); err != nil {
		return v, err
	}
	if v.Algorithms == nil {
		v.Algorithms = DefaultAlgorithms()
	} else if err := checkAlgorithms(at.member("algorithms"), p.Algorithms); err != nil {
		return v, err
	}
	switch {
	case p.RemoteJWKS != nil && p.LocalJWKS != nil:
		return v, invalid(at, "set only one of remote_jwks and local_jwks")
	case p.RemoteJWKS == nil && p.LocalJWKS == nil:
		return v, invalid(at, "set one of remote_jwks and local_jwks: the provider needs a source of signing keys")
	case p.RemoteJWKS != nil:
		remote, err := p.RemoteJWKS.validate(at.member("remote_jwks"))
		if err != nil {
			return v, err
		}
		v.RemoteJWKS = &remote
	}
	var err error
	if v.ClockSkew, err = seconds(at.member("clock_skew_s"), p.ClockSkew, DefaultClockSkew, 0, 60); err != nil {
		return v, err
	}
	if v.MaxTokenLifetime, err = seconds(at.member("max_token_lifetime_s"), p.MaxTokenLifetime, 0, 0, 86400); err != nil {
		return v, err
	}
	return v, nil
}

func checkAudiences(at location, audiences []string) error {
	if len(audiences) == 0 {
		return invalid(at, "must list at least one audience; leave it out to accept the resource")
	}
	seen := uniqueValues{}
	for i, aud := range audiences {
		if aud == "" {
			return invalid(at.index(i), "must not be empty")
		}
		if err := seen.add(at.index(i), aud); err != nil {
			return err
		}
	}
	return nil
}

func checkAlgorithms(at location, algorithms []string) error {
	if len(algorithms) == 0 {
		return invalid(at, "must list at least one algorithm; leave it out to accept the defaults")
	}
	supported := DefaultAlgorithms()
	seen := uniqueValues{}
	for i, alg := range algorithms {
		switch {
		case alg == "none":
			return invalid(at.index(i), `"none" means an unsigned token and is never allowed`)
		case alg == "HS256" || alg == "HS384" || alg == "HS512":
			return invalid(at.index(i), "%s is a symmetric algorithm; only asymmetric JWS algorithms are allowed", quote(alg))
		case !contains(supported, alg):
			return invalid(at.index(i), "%s is not a supported algorithm; use any of %s", quote(alg), strings.Join(supported, ", "))
		}
		if err := seen.add(at.index(i), alg); err != nil {
			return err
		}
	}
	return nil
}

func (j *remoteJWKSDocument) validate(at location) (RemoteJWKS, error) {
	v := RemoteJWKS{Cluster: j.Cluster, Authority: j.Authority, Path: j.Path}
	switch {
	case j.Cluster == "":
		return v, invalid(at.member("cluster"), "is required (the Envoy cluster that serves the JWK Set)")
	case hasControlOrSpace(j.Cluster):
		return v, invalid(at.member("cluster"), "%s must not contain whitespace or control characters", quote(j.Cluster))
	}
	if problem := authorityProblem(j.Authority); problem != "" {
		return v, invalid(at.member("authority"), "%s", problem)
	}
	if err := checkRequestPath(at.member("path"), j.Path); err != nil {
		return v, err
	}
	timeout, err := intInRange(at.member("timeout_ms"), j.Timeout, DefaultJWKSTimeout.Milliseconds(), 100, 60000)
	if err != nil {
		return v, err
	}
	v.Timeout = time.Duration(timeout) * time.Millisecond
	if v.RefreshInterval, err = seconds(at.member("refresh_interval_s"), j.RefreshInterval, DefaultRefreshInterval, 10, 86400); err != nil {
		return v, err
	}
	return v, nil
}

// checkRequestPath checks a :path sent to Envoy: it starts with "/", may
// carry a query, and has no fragment, whitespace or control characters.
func checkRequestPath(at location, path string) error {
	switch {
	case !strings.HasPrefix(path, "/"):
		return invalid(at, `must start with "/"`)
	case hasControlOrSpace(path):
		return invalid(at, "%s must not contain whitespace or control characters", quote(path))
	case strings.Contains(path, "#"):
		return invalid(at, "%s must not contain a fragment", quote(path))
	}
	return nil
}

// authorityProblem checks host[:port] as sent in :authority, or returns "".
func authorityProblem(authority string) string {
	switch {
	case authority == "":
		return "is required (host[:port] sent as :authority)"
	case strings.Contains(authority, "://"):
		return quote(authority) + " must be host[:port] without a scheme"
	case strings.ContainsAny(authority, "/?#"):
		return quote(authority) + " must be host[:port] without a path"
	case strings.Contains(authority, "@"):
		return quote(authority) + " must be host[:port] without userinfo"
	}
	host, port := authority, ""
	if strings.HasPrefix(authority, "[") {
		end := strings.IndexByte(authority, ']')
		if end < 0 || !isIPv6Literal(authority[1:end]) {
			return quote(authority) + " has an invalid IPv6 address"
		}
		host, port = authority[:end+1], authority[end+1:]
		if port != "" && port[0] != ':' {
			return quote(authority) + " must be host[:port]"
		}
	} else if i := strings.LastIndexByte(authority, ':'); i >= 0 {
		host, port = authority[:i], authority[i:]
	}
	if !strings.HasPrefix(host, "[") && !isHostName(host) {
		return quote(authority) + " must be host[:port] with a DNS name or IP address as host"
	}
	if port != "" && !isPort(port[1:]) {
		return quote(authority) + " has an invalid port; use 1 to 65535"
	}
	return ""
}

// isHostName accepts DNS names and IPv4 addresses: letters, digits, '-',
// '.' and '_' (used by service discovery names).
func isHostName(host string) bool {
	if host == "" {
		return false
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

func (d *document) rules() ([]Rule, error) {
	var rules []Rule
	for i, r := range d.Rules {
		rule, err := r.validate(location("rules").index(i))
		if err != nil {
			return nil, err
		}
		rules = append(rules, rule)
	}
	return rules, nil
}

func (r *ruleDocument) validate(at location) (Rule, error) {
	v := Rule{Methods: r.Methods, RequiredScopes: r.RequiredScopes, AllowAnonymous: r.AllowAnonymous}
	named := 0
	for _, p := range []struct {
		member string
		value  *string
		dst    *string
		query  bool
	}{
		{"path_prefix", r.PathPrefix, &v.PathPrefix, false},
		{"path", r.Path, &v.Path, false},
		{"exact_path", r.ExactPath, &v.ExactPath, true},
	} {
		if p.value == nil {
			continue
		}
		if named++; named > 1 {
			return v, invalid(at, "a rule must name only one of path_prefix, path or exact_path")
		}
		if err := checkRequestPath(at.member(p.member), *p.value); err != nil {
			return v, err
		}
		if !p.query && strings.Contains(*p.value, "?") {
			return v, invalid(at.member(p.member), "%s must not contain a query; use exact_path to match one", quote(*p.value))
		}
		*p.dst = *p.value
	}
	if named == 0 {
		return v, invalid(at, "a rule must name one of path_prefix, path or exact_path")
	}
	if r.Methods != nil {
		if err := checkMethods(at.member("methods"), r.Methods); err != nil {
			return v, err
		}
	}
	if err := checkScopes(at.member("required_scopes"), r.RequiredScopes); err != nil {
		return v, err
	}
	if r.AllowAnonymous && len(r.RequiredScopes) > 0 {
		return v, invalid(at, "allow_anonymous cannot be combined with required_scopes: a request without a token has no scopes")
	}
	return v, nil
}

func checkMethods(at location, methods []string) error {
	if len(methods) == 0 {
		return invalid(at, "must list at least one method; leave it out to match every method")
	}
	seen := uniqueValues{}
	for i, m := range methods {
		switch {
		case !isToken(m):
			return invalid(at.index(i), "%s is not a valid HTTP method (RFC 9110 token)", quote(m))
		case strings.ToUpper(m) != m:
			return invalid(at.index(i), "%s must be uppercase: methods are case-sensitive and standard ones are uppercase", quote(m))
		}
		if err := seen.add(at.index(i), m); err != nil {
			return err
		}
	}
	return nil
}

func checkScopes(at location, scopes []string) error {
	seen := uniqueValues{}
	for i, s := range scopes {
		if !isScopeToken(s) {
			return invalid(at.index(i), `%s is not a valid scope: RFC 6749 §3.3 allows printable ASCII except space, '"' and '\'`, quote(s))
		}
		if err := seen.add(at.index(i), s); err != nil {
			return err
		}
	}
	return nil
}

func (d *document) claimToHeaders() ([]ClaimToHeader, error) {
	headers := uniqueValues{}
	for i, c := range d.ClaimToHeaders {
		at := location("claim_to_headers").index(i)
		if c.Claim == "" {
			return nil, invalid(at.member("claim"), "is required")
		}
		if hasControl(c.Claim) {
			return nil, invalid(at.member("claim"), "%s must not contain control characters", quote(c.Claim))
		}
		if problem := headerProblem(c.Header); problem != "" {
			return nil, invalid(at.member("header"), "%s", problem)
		}
		if err := headers.add(at.member("header"), c.Header); err != nil {
			return nil, err
		}
	}
	return d.ClaimToHeaders, nil
}

// uniqueValues refuses a value seen before, naming where it was first seen.
type uniqueValues map[string]location

func (u uniqueValues) add(at location, value string) error {
	if first, dup := u[value]; dup {
		return invalid(at, "%s duplicates %s", quote(value), first)
	}
	u[value] = at
	return nil
}

// intInRange converts an integer member, def when absent. Fractions and
// exponents are refused rather than rounded.
func intInRange(at location, n json.Number, def, min, max int64) (int64, error) {
	if n == "" {
		return def, nil
	}
	got := string(n)
	if len(got) > 24 {
		got = got[:24] + "..." // a number literal is ASCII; keep the line short
	}
	v, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, invalid(at, "must be an integer, got %s", got)
	}
	if err != nil || v < min || v > max {
		return 0, invalid(at, "must be between %d and %d, got %s", min, max, got)
	}
	return v, nil
}

func seconds(at location, n json.Number, def time.Duration, min, max int64) (time.Duration, error) {
	v, err := intInRange(at, n, int64(def/time.Second), min, max)
	return time.Duration(v) * time.Second, err
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
