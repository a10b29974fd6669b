package jwt

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// validClaims signs and validates payload (which must otherwise pass) and
// returns its Claims.
func validClaims(t *testing.T, c claimSet) *Claims {
	t.Helper()
	got, err := parseAndValidate(newTestValidator(t), sign(t, "EdDSA", c), fixtureKeys(t).ed.Public())
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	return got
}

func TestScopesFromScopeAndScp(t *testing.T) {
	base := defaultClaims().with("scope", nil)
	tests := []struct {
		name  string
		scope any
		scp   any
		want  []string
	}{
		{"neither", nil, nil, nil},
		{"scope string", "read write", nil, []string{"read", "write"}},
		{"scope with repeated and extra spaces", "  read  write read ", nil, []string{"read", "write"}},
		{"scope empty string", "", nil, nil},
		{"scope is case-sensitive", "Read read", nil, []string{"Read", "read"}},
		{"scope keeps URI scopes whole", "https://graph.example/Mail.Read openid", nil, []string{"https://graph.example/Mail.Read", "openid"}},
		{"scp string (space-separated)", nil, "User.Read Mail.Send", []string{"User.Read", "Mail.Send"}},
		{"scp array", nil, []string{"tools:call", "tools:list"}, []string{"tools:call", "tools:list"}},
		{"scp empty array", nil, []string{}, nil},
		{"scp array element kept whole", nil, []string{"a b"}, []string{"a b"}},
		{"scp array skips empty elements", nil, []string{"", "a"}, []string{"a"}},
		{"union keeps scope order first", "read write", []string{"admin", "read"}, []string{"read", "write", "admin"}},
		{"union of strings", "b a", "a c", []string{"b", "a", "c"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := validClaims(t, base.with("scope", tc.scope).with("scp", tc.scp))
			if !slices.Equal(c.Scopes, tc.want) {
				t.Errorf("Scopes = %q, want %q", c.Scopes, tc.want)
			}
		})
	}
}

func TestHasScopes(t *testing.T) {
	c := validClaims(t, defaultClaims().with("scope", "read write").with("scp", []string{"admin"}))
	tests := []struct {
		required []string
		want     bool
	}{
		{nil, true},
		{[]string{}, true},
		{[]string{"read"}, true},
		{[]string{"admin", "read", "write"}, true},
		{[]string{"delete"}, false},
		{[]string{"read", "delete"}, false},
		{[]string{"READ"}, false},
		{[]string{"rea"}, false},
		{[]string{"read write"}, false},
		{[]string{""}, false},
	}
	for _, tc := range tests {
		if got := c.HasScopes(tc.required); got != tc.want {
			t.Errorf("HasScopes(%q) = %v, want %v", tc.required, got, tc.want)
		}
	}
	var none *Claims
	if none.HasScopes([]string{"read"}) {
		t.Error("nil Claims has scopes")
	}
}

func TestValue(t *testing.T) {
	c := validClaims(t, defaultClaims().
		with("email", "a@example.com").
		with("empty", "").
		with("unicode", "Zoë ✓").
		with("tabbed", "a\tb").
		with("int", raw("42")).
		with("neg", raw("-7")).
		with("float", raw("1.50")).
		with("exp_form", raw("1e3")).
		with("big", raw("123456789012345678901234567890")).
		with("yes", true).
		with("no", false).
		with("groups", []string{"eng", "ops"}).
		with("one_group", []string{"eng"}).
		with("no_groups", []string{}).
		with("mixed", []any{"a", 1}).
		with("nested_array", [][]string{{"a"}}).
		with("obj", map[string]string{"a": "b"}).
		with("nul", raw("null")).
		with("cr", "a\rb").
		with("lf", "a\nb").
		with("crlf_injection", "x\r\nX-Admin: true").
		with("nul_byte", "a\x00b").
		with("bell", "a\x07b").
		with("del", "a\x7fb").
		with("array_with_lf", []string{"a", "b\nc"}))

	tests := []struct {
		name   string
		want   string
		wantOK bool
	}{
		{"sub", "user-1", true},
		{"iss", testIssuer, true},
		{"email", "a@example.com", true},
		{"empty", "", true},
		{"unicode", "Zoë ✓", true},
		{"tabbed", "a\tb", true},
		{"exp", "1700003600", true},
		{"int", "42", true},
		{"neg", "-7", true},
		{"float", "1.50", true},
		{"exp_form", "1e3", true},
		{"big", "123456789012345678901234567890", true},
		{"yes", "true", true},
		{"no", "false", true},
		{"aud", testAudience, true},
		{"groups", "eng,ops", true},
		{"one_group", "eng", true},
		{"no_groups", "", true},
		{"mixed", "", false},
		{"nested_array", "", false},
		{"obj", "", false},
		{"nul", "", false},
		{"absent", "", false},
		{"cr", "", false},
		{"lf", "", false},
		{"crlf_injection", "", false},
		{"nul_byte", "", false},
		{"bell", "", false},
		{"del", "", false},
		{"array_with_lf", "", false},
	}
	for _, tc := range tests {
		got, ok := c.Value(tc.name)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("Value(%q) = %q, %v; want %q, %v", tc.name, got, ok, tc.want, tc.wantOK)
		}
	}
	var none *Claims
	if _, ok := none.Value("sub"); ok {
		t.Error("nil Claims has a value")
	}
}

func TestWholeSecondsMatchesParseFloat(t *testing.T) {
	for _, text := range []string{"0", "7", "1700000000", "253402300799", "253402300800", "999999999999", "1000000000000", "1.5", "1e3", "-1", ""} {
		sec, ok := wholeSeconds(text)
		f, err := strconv.ParseFloat(text, 64)
		switch {
		case ok && (err != nil || float64(sec) != f || sec > maxNumericDate):
			t.Errorf("wholeSeconds(%q) = %d, ParseFloat %v %v", text, sec, f, err)
		case !ok && err == nil && f == math.Trunc(f) && f >= 0 && f <= maxNumericDate && !strings.ContainsAny(text, ".e"):
			t.Errorf("wholeSeconds(%q) refused a plain date", text)
		}
	}
}
