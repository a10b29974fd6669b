package config

import "strings"

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
