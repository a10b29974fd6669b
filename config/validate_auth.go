package config

import (
	"encoding/hex"
	"net/url"
	"time"
)

// authentication validates auth_mode and everything that depends on it, in
// the order of Config's fields.
func (d *document) authentication(c *Config) error {
	mode, err := authMode(d.AuthMode)
	if err != nil {
		return err
	}
	c.AuthMode = mode
	if c.APIKeys, err = d.apiKeys(mode); err != nil {
		return err
	}
	if c.APIKeyHeader, err = d.apiKeyHeader(c); err != nil {
		return err
	}
	return d.deprecation(c)
}

func authMode(s *string) (AuthMode, error) {
	if s == nil {
		return AuthModeOAuth, nil
	}
	switch m := AuthMode(*s); m {
	case AuthModeOAuth, AuthModeAPIKey, AuthModeBoth:
		return m, nil
	}
	return "", invalid("auth_mode", `%s is not an authentication mode; use "oauth", "api_key" or "both"`, quote(*s))
}

func (d *document) apiKeys(mode AuthMode) ([]APIKey, error) {
	switch {
	case !mode.AcceptsAPIKeys() && d.APIKeys != nil:
		return nil, invalid("api_keys", `API keys are accepted only with auth_mode "api_key" or "both"; remove them, or set auth_mode`)
	case !mode.AcceptsAPIKeys():
		return nil, nil
	case len(d.APIKeys) == 0:
		return nil, invalid("api_keys", "auth_mode %s needs at least one API key", quote(string(mode)))
	case len(d.APIKeys) > MaxAPIKeys:
		return nil, invalid("api_keys", "at most %d API keys are allowed, got %d", MaxAPIKeys, len(d.APIKeys))
	}
	names, digests := uniqueValues{}, map[[32]byte]location{}
	keys := make([]APIKey, 0, len(d.APIKeys))
	for i, k := range d.APIKeys {
		at := location("api_keys").index(i)
		switch {
		case k.Name == "":
			return nil, invalid(at.member("name"), "is required")
		case !isProviderName(k.Name):
			return nil, invalid(at.member("name"), "%s must match ^[a-z0-9][a-z0-9_-]{0,62}$ (it becomes part of metric names and of the subject sent upstream)", quote(k.Name))
		}
		if err := names.add(at.member("name"), k.Name); err != nil {
			return nil, err
		}
		// The value is never quoted below: an operator who pasted the key
		// itself instead of its digest must not find it in a log line.
		digest, ok := sha256Hex(k.SHA256)
		switch {
		case k.SHA256 == "":
			return nil, invalid(at.member("sha256"), "is required: the hexadecimal SHA-256 of the key (the key itself never goes into the configuration)")
		case !ok:
			return nil, invalid(at.member("sha256"), "must be 64 lowercase hexadecimal digits, the SHA-256 of the key (the value is not repeated here: it might be the key itself)")
		}
		if first, dup := digests[digest]; dup {
			return nil, invalid(at.member("sha256"), "duplicates %s: one key under two names", first)
		}
		digests[digest] = at.member("sha256")
		if err := checkScopes(at.member("scopes"), k.Scopes); err != nil {
			return nil, err
		}
		keys = append(keys, APIKey{Name: k.Name, SHA256: digest, Scopes: k.Scopes})
	}
	return keys, nil
}

// sha256Hex decodes 64 lowercase hexadecimal digits. Uppercase is refused
// so that one digest has one spelling (uniqueness, grep in runbooks).
func sha256Hex(s string) ([32]byte, bool) {
	var digest [32]byte
	if len(s) != 64 {
		return digest, false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return digest, false
		}
	}
	_, err := hex.Decode(digest[:], []byte(s))
	return digest, err == nil
}

// apiKeyHeader validates api_key_header in every mode: even in oauth mode
// the header is removed before requests go upstream.
func (d *document) apiKeyHeader(c *Config) (string, error) {
	name := DefaultAPIKeyHeader
	if d.APIKeyHeader != nil {
		name = *d.APIKeyHeader
		if problem := apiKeyHeaderProblem(name); problem != "" {
			return "", invalid("api_key_header", "%s", problem)
		}
	}
	for i, h := range c.ClaimToHeaders {
		if h.Header == name {
			return "", invalid("api_key_header", "%s duplicates %s", quote(name), location("claim_to_headers").index(i).member("header"))
		}
	}
	if !c.AuthMode.AcceptsAPIKeys() {
		return name, nil
	}
	subject := c.SubjectHeader()
	if name == subject {
		return "", invalid("api_key_header", "%s is where the filter sends the API key's subject upstream", quote(name))
	}
	for i, h := range c.ClaimToHeaders {
		if h.Header == subject && h.Claim != "sub" {
			return "", invalid(location("claim_to_headers").index(i).member("header"),
				`%s carries claim %s, but API-key requests send their subject in it; map "sub" to a header, or use another one`, quote(h.Header), quote(h.Claim))
		}
	}
	return name, nil
}

// deprecation validates the headers that mark API-key requests deprecated.
func (d *document) deprecation(c *Config) error {
	for _, m := range []struct {
		at    location
		value *string
	}{{"deprecation_date", d.DeprecationDate}, {"sunset_date", d.SunsetDate}, {"deprecation_link", d.DeprecationLink}} {
		if m.value != nil && c.AuthMode != AuthModeBoth {
			return invalid(m.at, `is only used with auth_mode "both", where API keys are accepted as deprecated`)
		}
	}
	var err error
	if c.DeprecationDate, err = utcTime("deprecation_date", d.DeprecationDate); err != nil {
		return err
	}
	if c.SunsetDate, err = utcTime("sunset_date", d.SunsetDate); err != nil {
		return err
	}
	if !c.SunsetDate.IsZero() && c.SunsetDate.Before(c.DeprecationDate) {
		return invalid("sunset_date", "%s is earlier than deprecation_date %s; RFC 9745 §4 forbids a Sunset before the Deprecation",
			quote(*d.SunsetDate), quote(*d.DeprecationDate))
	}
	if d.DeprecationLink != nil {
		if err := checkLinkURL("deprecation_link", *d.DeprecationLink); err != nil {
			return err
		}
		c.DeprecationLink = *d.DeprecationLink
	}
	return nil
}

// rfc3339UTC is the one spelling accepted for dates: whole seconds in UTC,
// so the value in the file is the value sent, without time-zone surprises.
const rfc3339UTC = "2006-01-02T15:04:05Z"

func utcTime(at location, s *string) (time.Time, error) {
	if s == nil {
		return time.Time{}, nil
	}
	t, err := time.Parse(rfc3339UTC, *s)
	if err != nil || t.Format(rfc3339UTC) != *s || t.Unix() <= 0 {
		return time.Time{}, invalid(at, `must be an RFC 3339 UTC time after 1970 such as "2026-07-01T00:00:00Z", got %s`, quote(*s))
	}
	return t, nil
}

// checkLinkURL checks a URL sent inside a Link header's <...>: absolute,
// https (http only on loopback hosts), plain printable ASCII without the
// characters that would end the reference or the header.
func checkLinkURL(at location, raw string) error {
	if raw == "" {
		return invalid(at, "is required")
	}
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == '\\' {
			return invalid(at, `%s must be printable ASCII without spaces, '<', '>', '"' or '\' (percent-encode them): it is sent in a Link header`, quote(raw))
		}
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return invalid(at, "%s is not a valid URL", quote(raw))
	case u.Scheme == "" || u.Hostname() == "":
		return invalid(at, "%s must be an absolute URL with a scheme and a host", quote(raw))
	case u.User != nil:
		return invalid(at, "%s must not contain userinfo", quote(raw))
	case !validPort(u):
		return invalid(at, "%s has an invalid port; use 1 to 65535 or leave it out", quote(raw))
	case u.Scheme == "https", u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	}
	return invalid(at, "%s must use https (http only for a loopback host during local development)", quote(raw))
}

func logLevel(s *string) (LogLevel, error) {
	if s == nil {
		return LogInfo, nil
	}
	for l := LogDebug; l <= LogError; l++ {
		if l.String() == *s {
			return l, nil
		}
	}
	return LogInfo, invalid("log_level", `%s is not a log level; use "debug", "info", "warn" or "error"`, quote(*s))
}
