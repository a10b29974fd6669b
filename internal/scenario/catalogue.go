package scenario

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// The adversarial catalogue: every forged, malformed or misdirected
// credential we know of, each row naming the attack, where it comes from
// (RFC or CVE), and the exact refusal. It runs natively (filter
// package) and against build/plugin.wasm (e2e package), like All.
//
// Every row is a refusal: Exercise requires the judged request to get
// exactly Want (status, body "error", error_description, challenge or
// Retry-After), and every request the row sent to be answered locally:
// nothing reaches the upstream, and no dispatched call goes anywhere but the
// configured JWKS location. It also requires that no reply and no log line
// carries token material, and that descriptions stay within RFC 6750's
// charset.
//
// The full Wycheproof suites run below the filter, through the same
// verification path (jwt.VerifySignature after the compact-JWS decoder):
// jwt/wycheproof_test.go drives the JWS, ECDSA P-256/P-384 (IEEE P1363),
// RSA PKCS#1 v1.5, RSA-PSS and Ed25519 vectors, and
// jwks/jwk_wycheproof_test.go the JWK vectors. The signature rows here are
// representative cases of those suites at the filter level.

// Class is a family of attacks.
type Class string

// The catalogue's classes (issue "Trust").
const (
	ClassAlgorithm  Class = "algorithm"
	ClassSignature  Class = "signature"
	ClassHeader     Class = "header"
	ClassEncoding   Class = "encoding"
	ClassClaims     Class = "claims"
	ClassRequest    Class = "request"
	ClassJWKS       Class = "jwks"
	ClassDisclosure Class = "disclosure"
)

// Attack is one row of the catalogue.
type Attack struct {
	Class Class
	Name  string // the attack or malformed input
	Ref   string // the RFC section or CVE it comes from
	Want  Refusal
	// Run starts the plugin, performs the attack and returns the request
	// Want applies to. It may assert more on the way (e.g. that no fetch
	// was dispatched).
	Run func(e *Env) Stream
}

// Refusal is the exact answer a row expects.
type Refusal struct {
	Status      int
	Error       string // the body's "error"
	Description string // the body's "error_description"; "" when absent
}

// Fixed error descriptions the filter sends (guard and jwt packages).
const (
	descMalformed    = "malformed token"
	descJWE          = "encrypted tokens (JWE) are not supported"
	descAlgorithm    = "signing algorithm not accepted"
	descCritical     = "unsupported critical header parameter"
	descType         = "token type not accepted"
	descSignature    = "signature invalid"
	descExpired      = "token expired"
	descNotYetValid  = "token not yet valid"
	descFuture       = "token issued in the future"
	descIssuer       = "issuer not accepted"
	descAudience     = "audience not accepted"
	descLifetime     = "token lifetime too long"
	descMissingClaim = "required claim missing"
	descInvalidClaim = "invalid claim"
	descNoKey        = "signing key not found"
	descNoUniqueKey  = "no unique signing key fits the token"
	descUnavailable  = "signing keys are not available yet"
	descScope        = "token lacks the scopes this request needs"
	descPath         = "request path is not in normal form"
	descTwoHeaders   = "more than one Authorization header"
	descQueryToken   = "access tokens are accepted only in the Authorization header"
	descEmptyBearer  = "empty bearer token"
	descBadChars     = "bearer token has invalid characters"
	descTooLarge     = "bearer token too large"
)

func wantInvalidToken(desc string) Refusal { return Refusal{401, "invalid_token", desc} }
func wantInvalidRequest(desc string) Refusal {
	return Refusal{400, "invalid_request", desc}
}
func wantNoToken() Refusal     { return Refusal{401, "unauthorized", ""} }
func wantScope() Refusal       { return Refusal{403, "insufficient_scope", descScope} }
func wantUnavailable() Refusal { return Refusal{503, "temporarily_unavailable", descUnavailable} }

// Catalogue is the adversarial table plus its controls: for each kind of
// token, configuration and key set the rows build on, a scenario showing it
// is accepted untouched, so a row's refusal is caused by its attack alone.
type Catalogue struct {
	Attacks  []Attack
	Controls []Scenario
}

// NewCatalogue builds the catalogue. It generates the extra keys the rows
// need, hence the error.
func NewCatalogue() (*Catalogue, error) {
	k, err := newAttackKeys()
	if err != nil {
		return nil, fmt.Errorf("scenario: catalogue keys: %w", err)
	}
	c := &Catalogue{Controls: catalogueControls(k)}
	for _, class := range [][]Attack{
		algorithmAttacks(k), signatureAttacks(k), headerAttacks(), encodingAttacks(),
		claimAttacks(), requestAttacks(), jwksAttacks(k), disclosureAttacks(),
	} {
		c.Attacks = append(c.Attacks, class...)
	}
	return c, nil
}

// Counts returns the number of rows per class.
func (c *Catalogue) Counts() map[Class]int {
	n := map[Class]int{}
	for _, a := range c.Attacks {
		n[a.Class]++
	}
	return n
}

// Evidence is what one row sent and what the plugin logged during it.
type Evidence struct {
	Row      string
	Material []string // tokens and their payload and signature segments
	Logs     []string
}

// Exercise runs the row against e and asserts the refusal and everything
// the catalogue promises about it (see the package comment above).
func (a Attack) Exercise(e *Env) Evidence {
	e.T.Helper()
	rec := &recorder{Driver: e.D, calls: map[uint32]Call{}}
	env := *e
	env.D = rec
	judged := a.Run(&env)
	env.refused(judged, a.Want)

	material := rec.material()
	for i, s := range rec.streams {
		r := s.Result()
		if r.Forwarded || r.Upstream != nil {
			e.T.Fatalf("request %d of the row reached the upstream", i)
		}
		if r.Reply == nil {
			e.T.Fatalf("request %d of the row was not answered: %s", i, describe(r))
		}
		checkReply(e.T, i, r.Reply, material)
	}
	rec.Calls() // record the calls still pending
	for _, c := range rec.calls {
		checkCall(e.T, c, material)
	}
	logs := e.D.Logs()
	NoTokenMaterial(e.T, []Evidence{{Row: a.Name, Material: material, Logs: logs}})
	return Evidence{Row: string(a.Class) + "/" + a.Name, Material: material, Logs: logs}
}

// refused requires s to have been answered with exactly want.
func (e *Env) refused(s Stream, want Refusal) {
	e.T.Helper()
	rep := e.Replied(s, want.Status)
	body := e.errorBody(rep)
	desc, _ := body["error_description"].(string)
	if body["error"] != want.Error || desc != want.Description {
		e.T.Fatalf("body %s, want error %q, error_description %q", rep.Body, want.Error, want.Description)
	}
	if !isDescriptionText(desc) {
		e.T.Fatalf("error_description %q is outside RFC 6750's charset", desc)
	}
	challenge, hasChallenge := Header(rep.Headers, "www-authenticate")
	retry, hasRetry := Header(rep.Headers, "retry-after")
	switch want.Status {
	case 503:
		if hasChallenge {
			e.T.Fatalf("503 with www-authenticate %q", challenge)
		}
		if n, err := strconv.Atoi(retry); !hasRetry || err != nil || n < 1 {
			e.T.Fatalf("503 retry-after = %q, want whole seconds >= 1", retry)
		}
	default:
		e.checkChallenge(challenge, hasChallenge, want)
	}
}

// checkChallenge requires a Bearer challenge that agrees with the body.
func (e *Env) checkChallenge(challenge string, present bool, want Refusal) {
	e.T.Helper()
	if !present || !strings.HasPrefix(challenge, "Bearer ") ||
		!strings.HasSuffix(challenge, `resource_metadata="`+MetadataURL+`"`) {
		e.T.Fatalf("www-authenticate %q: want a Bearer challenge ending in resource_metadata", challenge)
	}
	for i := 0; i < len(challenge); i++ {
		if c := challenge[i]; c < 0x20 || c > 0x7e {
			e.T.Fatalf("www-authenticate has byte %#x", c)
		}
	}
	if want.Error == "unauthorized" {
		if strings.Contains(challenge, "error=") {
			e.T.Fatalf("challenge for a missing token carries an error: %q", challenge)
		}
		return
	}
	wantPart := `Bearer error="` + want.Error + `", error_description="` + want.Description + `", `
	if !strings.HasPrefix(challenge, wantPart) {
		e.T.Fatalf("www-authenticate %q, want it to start with %q", challenge, wantPart)
	}
}

// isDescriptionText reports whether s uses only the characters RFC 6750
// §3 allows in error_description: %x20-21 / %x23-5B / %x5D-7E.
func isDescriptionText(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// checkReply requires a local reply to carry no token material.
func checkReply(t testing.TB, i int, rep *Reply, material []string) {
	t.Helper()
	for _, m := range material {
		if strings.Contains(string(rep.Body), m) {
			t.Fatalf("reply %d's body carries token material", i)
		}
		for _, h := range rep.Headers {
			if strings.Contains(h[1], m) {
				t.Fatalf("reply %d's header %s carries token material", i, h[0])
			}
		}
	}
}

// checkCall requires a dispatched call to be the configured JWKS fetch and
// to carry no token material: keys never come from where a token points.
func checkCall(t testing.TB, c Call, material []string) {
	t.Helper()
	path, _ := Header(c.Headers, ":path")
	authority, _ := Header(c.Headers, ":authority")
	if c.Cluster != Cluster || path != JWKSPath || authority != Authority {
		t.Fatalf("dispatched call to cluster %q %s%s, want only the configured JWKS fetch", c.Cluster, authority, path)
	}
	for _, m := range material {
		for _, h := range c.Headers {
			if strings.Contains(h[1], m) {
				t.Fatalf("dispatched call's header %s carries token material", h[0])
			}
		}
	}
}

// NoTokenMaterial requires that no log line of any row carries any token
// material of any row.
func NoTokenMaterial(t testing.TB, rows []Evidence) {
	t.Helper()
	var material []string
	for _, ev := range rows {
		material = append(material, ev.Material...)
	}
	for _, ev := range rows {
		for _, line := range ev.Logs {
			for _, m := range material {
				if strings.Contains(line, m) {
					t.Fatalf("row %q logged token material: %q", ev.Row, line)
				}
			}
		}
	}
}

// recorder is a Driver that remembers what a row sent and dispatched.
type recorder struct {
	Driver
	sent    [][][2]string
	streams []Stream
	calls   map[uint32]Call
}

func (r *recorder) Send(headers [][2]string) Stream {
	r.sent = append(r.sent, headers)
	s := r.Driver.Send(headers)
	r.streams = append(r.streams, s)
	r.Calls() // a request may dispatch an early refresh
	return s
}

func (r *recorder) Tick() {
	r.Driver.Tick()
	r.Calls() // a tick may dispatch a fetch (and, in wasm, time one out)
}

func (r *recorder) Calls() []Call {
	calls := r.Driver.Calls()
	for _, c := range calls {
		r.calls[c.ID] = c
	}
	return calls
}

func (r *recorder) Respond(c Call, status int, body []byte) {
	r.calls[c.ID] = c
	r.Driver.Respond(c, status, body)
}

// minMaterial is the shortest string counted as token material: shorter
// ones (a forged "e30" payload) would match unrelated text by chance.
const minMaterial = 16

// material lists the credentials the row sent: every Authorization value
// without its scheme, every access_token query value, and the payload and
// signature segments of each.
func (r *recorder) material() []string {
	var out []string
	add := func(cred string) {
		for _, m := range append([]string{cred}, credentialSegments(cred)...) {
			if len(m) >= minMaterial {
				out = append(out, m)
			}
		}
	}
	for _, headers := range r.sent {
		for _, kv := range headers {
			switch kv[0] {
			case "authorization":
				_, cred, _ := strings.Cut(kv[1], " ")
				add(strings.TrimSpace(cred))
			case ":path":
				_, query, _ := strings.Cut(kv[1], "?")
				for _, pair := range strings.Split(query, "&") {
					if _, v, ok := strings.Cut(pair, "="); ok {
						add(v)
					}
				}
			}
		}
	}
	return out
}

// credentialSegments returns the payload and signature segments of a
// compact JWS-shaped credential.
func credentialSegments(cred string) []string {
	parts := strings.Split(cred, ".")
	if len(parts) < 3 {
		return nil
	}
	return []string{parts[1], parts[len(parts)-1]}
}

// RequireLogScan is the catalogue-wide log check: it scans every log line
// the rows produced for the token material of every row, and requires that
// there was something to scan (an empty log would pass vacuously). Rows
// that failed before returning their evidence are reported by their own
// subtests; they are only counted here.
func RequireLogScan(t testing.TB, rows []Evidence, want int) {
	t.Helper()
	lines, material := 0, 0
	for _, ev := range rows {
		lines += len(ev.Logs)
		material += len(ev.Material)
	}
	if len(rows) == 0 || lines < len(rows) || material < len(rows) {
		t.Fatalf("nothing to scan: %d rows, %d log lines, %d token strings", len(rows), lines, material)
	}
	NoTokenMaterial(t, rows)
	t.Logf("scanned %d log lines of %d rows (of %d) for %d token strings", lines, len(rows), want, material)
}

// RunCatalogue runs the catalogue like Run runs All: the controls, then
// every attack as a subtest with a fresh driver, then the catalogue-wide
// log scan. check, when not nil, runs after each control and attack.
func RunCatalogue(t *testing.T, newDriver func(t *testing.T) Driver, check func(t *testing.T, d Driver)) {
	cat, err := NewCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	Run(t, cat.Controls, newDriver, check)
	issuer, other := NewIssuers(t)
	var evidence []Evidence
	for _, a := range cat.Attacks {
		t.Run(string(a.Class)+"/"+a.Name, func(t *testing.T) {
			d := newDriver(t)
			evidence = append(evidence, a.Exercise(&Env{T: t, D: d, Issuer: issuer, Other: other}))
			if check != nil {
				check(t, d)
			}
		})
	}
	t.Run("no log line of the catalogue carries token material", func(t *testing.T) {
		RequireLogScan(t, evidence, len(cat.Attacks))
	})
	t.Logf("catalogue: %d rows per class %v, %d controls", len(cat.Attacks), cat.Counts(), len(cat.Controls))
}
