package config

import (
	"strings"
	"time"
)

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
