package config

import (
	"encoding/json"
	"errors"
	"strconv"
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
	if c.TokenCache, err = d.TokenCache.validate(); err != nil {
		return nil, err
	}
	if c.Providers, err = d.providers(); err != nil {
		return nil, err
	}
	if c.Rules, err = d.rules(); err != nil {
		return nil, err
	}
	if c.ClaimToHeaders, err = d.claimToHeaders(); err != nil {
		return nil, err
	}
	if err := d.authentication(c); err != nil {
		return nil, err
	}
	if c.LogLevel, err = logLevel(d.LogLevel); err != nil {
		return nil, err
	}
	return c, nil
}

func (t *tokenCacheDocument) validate() (TokenCache, error) {
	var c TokenCache
	entries, err := intInRange("token_cache.max_entries", t.MaxEntries, DefaultCacheEntries, 0, 1_000_000)
	if err != nil {
		return c, err
	}
	bytes, err := intInRange("token_cache.max_bytes", t.MaxBytes, DefaultCacheBytes, 0, 256<<20)
	if err != nil {
		return c, err
	}
	c.MaxAge, err = seconds("token_cache.max_age_s", t.MaxAge, DefaultCacheMaxAge, 1, 86400)
	c.MaxEntries, c.MaxBytes = int(entries), int(bytes)
	return c, err
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
