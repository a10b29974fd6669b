package scenario

import "testing"

// NewIssuers creates the table's two issuers: IssuerURL, the configured
// provider, and OtherIssuer, used for forgeries and a second provider.
func NewIssuers(t testing.TB) (issuer, other *Issuer) {
	t.Helper()
	issuer, err := NewIssuer(IssuerURL)
	if err != nil {
		t.Fatal(err)
	}
	other, err = NewIssuer(OtherIssuer)
	if err != nil {
		t.Fatal(err)
	}
	return issuer, other
}

// Run runs each scenario as a subtest with a fresh driver from newDriver.
// check, when not nil, runs after each scenario for driver-specific checks.
func Run(t *testing.T, scenarios []Scenario, newDriver func(t *testing.T) Driver, check func(t *testing.T, d Driver)) {
	issuer, other := NewIssuers(t)
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			d := newDriver(t)
			sc.Run(&Env{T: t, D: d, Issuer: issuer, Other: other})
			if check != nil {
				check(t, d)
			}
		})
	}
}
