package config

import (
	"errors"
	"net/netip"
	"net/url"
	"strings"
)

// WellKnownMetadataPath is where RFC 9728 §3 places protected resource
// metadata; for a resource with a path, the path is appended (§3.1).
const WellKnownMetadataPath = "/.well-known/oauth-protected-resource"

// MetadataPath returns the path of this resource's protected resource
// metadata document: WellKnownMetadataPath followed by the resource's path
// (RFC 9728 §3.1 path insertion). A resource without a path, or with the
// path "/", has the document at WellKnownMetadataPath itself.
func (c *Config) MetadataPath() string {
	_, path := splitOrigin(c.Resource)
	if path == "/" {
		path = ""
	}
	return WellKnownMetadataPath + path
}

// MetadataURL returns the absolute URL of the metadata document, for the
// resource_metadata parameter of challenges. It is built from the
// configured resource's origin, never from a request's Host header, which
// differs behind TLS termination.
func (c *Config) MetadataURL() string {
	origin, _ := splitOrigin(c.Resource)
	return origin + c.MetadataPath()
}

// splitOrigin splits an absolute URL after its authority:
// "https://h:8443/a?q" → "https://h:8443", "/a?q".
func splitOrigin(raw string) (origin, rest string) {
	i := strings.Index(raw, "://")
	if i < 0 {
		return raw, ""
	}
	j := strings.IndexAny(raw[i+3:], "/?#")
	if j < 0 {
		return raw, ""
	}
	return raw[:i+3+j], raw[i+3+j:]
}

// checkIdentifierURL checks an identifier URL: the resource, an
// authorization server or an issuer. Such identifiers are compared as
// strings and have no query or fragment (RFC 8707 §2, RFC 8414 §2); they
// use https, with http allowed only on loopback hosts for local development.
func checkIdentifierURL(at location, raw string) error {
	if raw == "" {
		return invalid(at, "is required")
	}
	u, err := url.Parse(raw)
	if err != nil {
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err
		}
		return invalid(at, "%s is not a valid URL: %v", quote(raw), err)
	}
	authority, _ := splitOrigin(raw)
	if _, after, found := strings.Cut(authority, "://"); found {
		authority = after
	}
	switch {
	case u.Scheme == "" || u.Host == "":
		return invalid(at, "%s must be an absolute URL with a scheme and a host", quote(raw))
	case u.User != nil:
		return invalid(at, "%s must not contain userinfo", quote(raw))
	case strings.Contains(authority, "%"):
		return invalid(at, "%s must not percent-encode its host", quote(raw))
	case u.Hostname() == "":
		return invalid(at, "%s must be an absolute URL with a scheme and a host", quote(raw))
	case u.RawQuery != "" || u.ForceQuery:
		return invalid(at, "%s must not contain a query", quote(raw))
	case strings.Contains(raw, "#"):
		return invalid(at, "%s must not contain a fragment", quote(raw))
	case !validPort(u):
		return invalid(at, "%s has an invalid port; use 1 to 65535 or leave it out", quote(raw))
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	case u.Scheme == "http":
		return invalid(at, "%s must use https; http is allowed only for a loopback host (localhost, 127.0.0.0/8, [::1]) during local development", quote(raw))
	}
	return invalid(at, "%s must use https", quote(raw))
}

// checkResourceURL adds to checkIdentifierURL that the scheme and host are
// lowercase: audiences are compared byte for byte, and RFC 8707 §2 asks for
// the canonical URI, which clients derive with a lowercase scheme and host.
func checkResourceURL(at location, raw string) error {
	if err := checkIdentifierURL(at, raw); err != nil {
		return err
	}
	origin, rest := splitOrigin(raw)
	if lower := strings.ToLower(origin); lower != origin {
		return invalid(at, "%s must have a lowercase scheme and host: audiences are compared as canonical URIs (RFC 8707), so write %s", quote(raw), quote(lower+rest))
	}
	return nil
}

func validPort(u *url.URL) bool {
	if strings.HasSuffix(u.Host, ":") {
		return false // "host:" parses, but no client would write it that way
	}
	port := u.Port()
	return port == "" || isPort(port)
}

// isPort accepts a decimal port number 1..65535, digits only.
func isPort(s string) bool {
	if s == "" || len(s) > 5 {
		return false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n >= 1 && n <= 65535
}

// isIPv6Literal accepts the inside of an IPv6 authority literal; zones are
// refused because they only make sense on the proxy's own host.
func isIPv6Literal(s string) bool {
	addr, err := netip.ParseAddr(s)
	return err == nil && addr.Is6() && addr.Zone() == ""
}

// isLoopback reports whether host names this machine: "localhost" or a
// loopback address (127.0.0.0/8, ::1).
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.IsLoopback()
}
