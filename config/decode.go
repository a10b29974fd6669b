package config

import (
	"bytes"
	"encoding/json"
)

// The document types mirror the JSON exactly, before validation: numbers
// stay as written (json.Number, "" when absent) so range errors can quote
// them, and nil slices or pointers mean "absent" so defaults can be told
// apart from explicit values.
type document struct {
	Resource             string
	ResourceName         string
	AuthorizationServers []string
	ScopesSupported      []string
	Providers            []providerDocument
	Rules                []ruleDocument
	ClaimToHeaders       []ClaimToHeader
	ForwardToken         bool
	MaxTokenBytes        json.Number
	TokenCache           tokenCacheDocument
	AuthMode             *string
	APIKeys              []apiKeyDocument // nil: absent
	APIKeyHeader         *string
	DeprecationDate      *string
	SunsetDate           *string
	DeprecationLink      *string
	LogLevel             *string
}

type apiKeyDocument struct {
	Name   string
	SHA256 string
	Scopes []string
}

type tokenCacheDocument struct {
	MaxEntries json.Number
	MaxBytes   json.Number
	MaxAge     json.Number
}

type providerDocument struct {
	Name                   string
	Issuer                 string
	Audiences              []string
	Algorithms             []string
	RemoteJWKS             *remoteJWKSDocument
	LocalJWKS              json.RawMessage
	ClockSkew              json.Number
	RequireAccessTokenType bool
	MaxTokenLifetime       json.Number
}

type remoteJWKSDocument struct {
	Cluster         string
	Authority       string
	Path            string
	Timeout         json.Number
	RefreshInterval json.Number
}

type ruleDocument struct {
	PathPrefix     *string
	Path           *string
	ExactPath      *string
	Methods        []string
	RequiredScopes []string
	AllowAnonymous bool
}

// decode reads a well-formed, duplicate-free document (see checkWellFormed)
// into a document, refusing unknown fields and values of the wrong JSON
// type. It is written against the Token API rather than json.Unmarshal
// because Unmarshal matches field names case-insensitively, keeps going
// past the first problem and reports type errors without array indices.
func decode(data []byte) (*document, error) {
	r := reader{dec: json.NewDecoder(bytes.NewReader(data))}
	r.dec.UseNumber()
	var doc document
	err := r.object("", func(name string, at location) error {
		switch name {
		case "resource":
			return r.str(at, &doc.Resource)
		case "resource_name":
			return r.str(at, &doc.ResourceName)
		case "authorization_servers":
			return r.strs(at, &doc.AuthorizationServers)
		case "scopes_supported":
			return r.strs(at, &doc.ScopesSupported)
		case "providers":
			return r.array(at, func(at location) error {
				doc.Providers = append(doc.Providers, providerDocument{})
				return r.provider(at, &doc.Providers[len(doc.Providers)-1])
			})
		case "rules":
			return r.array(at, func(at location) error {
				doc.Rules = append(doc.Rules, ruleDocument{})
				return r.rule(at, &doc.Rules[len(doc.Rules)-1])
			})
		case "claim_to_headers":
			return r.array(at, func(at location) error {
				doc.ClaimToHeaders = append(doc.ClaimToHeaders, ClaimToHeader{})
				return r.claimToHeader(at, &doc.ClaimToHeaders[len(doc.ClaimToHeaders)-1])
			})
		case "forward_token":
			return r.boolean(at, &doc.ForwardToken)
		case "max_token_bytes":
			return r.number(at, &doc.MaxTokenBytes)
		case "token_cache":
			return r.tokenCache(at, &doc.TokenCache)
		case "auth_mode":
			return r.optionalStr(at, &doc.AuthMode)
		case "api_keys":
			doc.APIKeys = []apiKeyDocument{}
			return r.array(at, func(at location) error {
				doc.APIKeys = append(doc.APIKeys, apiKeyDocument{})
				return r.apiKey(at, &doc.APIKeys[len(doc.APIKeys)-1])
			})
		case "api_key_header":
			return r.optionalStr(at, &doc.APIKeyHeader)
		case "deprecation_date":
			return r.optionalStr(at, &doc.DeprecationDate)
		case "sunset_date":
			return r.optionalStr(at, &doc.SunsetDate)
		case "deprecation_link":
			return r.optionalStr(at, &doc.DeprecationLink)
		case "log_level":
			return r.optionalStr(at, &doc.LogLevel)
		}
		return errUnknownField
	})
	if err != nil {
		return nil, err
	}
	return &doc, nil
}

func (r *reader) provider(at location, p *providerDocument) error {
	return r.object(at, func(name string, at location) error {
		switch name {
		case "name":
			return r.str(at, &p.Name)
		case "issuer":
			return r.str(at, &p.Issuer)
		case "audiences":
			return r.strs(at, &p.Audiences)
		case "algorithms":
			return r.strs(at, &p.Algorithms)
		case "remote_jwks":
			p.RemoteJWKS = &remoteJWKSDocument{}
			return r.remoteJWKS(at, p.RemoteJWKS)
		case "local_jwks":
			return r.rawObject(at, &p.LocalJWKS)
		case "clock_skew_s":
			return r.number(at, &p.ClockSkew)
		case "require_access_token_type":
			return r.boolean(at, &p.RequireAccessTokenType)
		case "max_token_lifetime_s":
			return r.number(at, &p.MaxTokenLifetime)
		}
		return errUnknownField
	})
}

func (r *reader) tokenCache(at location, c *tokenCacheDocument) error {
	return r.object(at, func(name string, at location) error {
		switch name {
		case "max_entries":
			return r.number(at, &c.MaxEntries)
		case "max_bytes":
			return r.number(at, &c.MaxBytes)
		case "max_age_s":
			return r.number(at, &c.MaxAge)
		}
		return errUnknownField
	})
}

func (r *reader) remoteJWKS(at location, j *remoteJWKSDocument) error {
	return r.object(at, func(name string, at location) error {
		switch name {
		case "cluster":
			return r.str(at, &j.Cluster)
		case "authority":
			return r.str(at, &j.Authority)
		case "path":
			return r.str(at, &j.Path)
		case "timeout_ms":
			return r.number(at, &j.Timeout)
		case "refresh_interval_s":
			return r.number(at, &j.RefreshInterval)
		}
		return errUnknownField
	})
}

func (r *reader) rule(at location, rule *ruleDocument) error {
	return r.object(at, func(name string, at location) error {
		switch name {
		case "path_prefix":
			return r.optionalStr(at, &rule.PathPrefix)
		case "path":
			return r.optionalStr(at, &rule.Path)
		case "exact_path":
			return r.optionalStr(at, &rule.ExactPath)
		case "methods":
			return r.strs(at, &rule.Methods)
		case "required_scopes":
			return r.strs(at, &rule.RequiredScopes)
		case "allow_anonymous":
			return r.boolean(at, &rule.AllowAnonymous)
		}
		return errUnknownField
	})
}

func (r *reader) claimToHeader(at location, c *ClaimToHeader) error {
	return r.object(at, func(name string, at location) error {
		switch name {
		case "claim":
			return r.str(at, &c.Claim)
		case "header":
			return r.str(at, &c.Header)
		}
		return errUnknownField
	})
}

func (r *reader) apiKey(at location, k *apiKeyDocument) error {
	return r.object(at, func(name string, at location) error {
		switch name {
		case "name":
			return r.str(at, &k.Name)
		case "sha256":
			return r.str(at, &k.SHA256)
		case "scopes":
			return r.strs(at, &k.Scopes)
		}
		return errUnknownField
	})
}
