package jwt

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// sameParse fails unless p.Parse(raw) answers exactly as Parse(raw).
func sameParse(t *testing.T, p *Parser, raw string) {
	t.Helper()
	want, wantErr := Parse(raw)
	got, gotErr := p.Parse(raw)
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Fatalf("Parser error %v, Parse error %v", gotErr, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Parser token %+v, Parse token %+v", got, want)
	}
}

func TestParserAnswersAsParse(t *testing.T) {
	good := b64(`{"alg":"RS256","kid":"k1"}`)
	inputs := []string{
		compact(good, b64(okPayload), "c2lnbmF0dXJl"),
		// The header is remembered from the first input; the rest of each
		// token is wrong in another way.
		compact(good, b64(`{"iss":`), "c2lnbmF0dXJl"),
		compact(good, b64(okPayload), "c2ln!"),
		compact(good, b64(okPayload)+"\n", "c2ln"),
		compact(good, b64(okPayload), "c2lnbmF0dXJ"), // non-canonical trailing bits
		compact(good, "", "c2ln"),
		good + "." + b64(okPayload),
		compact(good, b64(okPayload), "c2ln") + ".x.y",
	}
	for _, tc := range parseRejections() {
		inputs = append(inputs, tc.raw)
	}
	for _, s := range fuzzSeeds() {
		inputs = append(inputs, s)
	}
	var p Parser
	// Twice through one Parser: the second round finds every accepted
	// header remembered.
	for round := range 2 {
		for i, raw := range inputs {
			t.Run(fmt.Sprintf("round %d input %d", round, i), func(t *testing.T) { sameParse(t, &p, raw) })
		}
	}
	if p.lookup(good) == nil {
		t.Fatal("an accepted header was not remembered")
	}
}

func TestParserRemembersOnlyAcceptedHeaders(t *testing.T) {
	var p Parser
	refused := b64(`{"alg":"none"}`)
	if _, err := p.Parse(compact(refused, b64(okPayload), "c2ln")); err == nil {
		t.Fatal("alg none accepted")
	}
	if p.lookup(refused) != nil {
		t.Fatal("a refused header was remembered")
	}
	// A header accepted with a bad payload is still a good header.
	good := b64(`{"alg":"ES256","kid":"k2","typ":"at+jwt"}`)
	if _, err := p.Parse(compact(good, b64(`[]`), "c2ln")); err == nil {
		t.Fatal("array payload accepted")
	}
	if h := p.lookup(good); h == nil || *h != (Header{Algorithm: "ES256", KeyID: "k2", HasKeyID: true, Type: "at+jwt"}) {
		t.Fatalf("remembered %+v", h)
	}
	big := b64(`{"alg":"RS256","x5c":["` + strings.Repeat("A", maxRememberedHeader) + `"]}`)
	if _, err := p.Parse(compact(big, b64(okPayload), "c2ln")); err != nil {
		t.Fatal(err)
	}
	if p.lookup(big) != nil {
		t.Fatal("a header longer than maxRememberedHeader was remembered")
	}
	// headerMemoSize newer headers push the oldest out.
	for i := range headerMemoSize {
		h := b64(fmt.Sprintf(`{"alg":"RS256","kid":"k%d"}`, 100+i))
		if _, err := p.Parse(compact(h, b64(okPayload), "c2ln")); err != nil {
			t.Fatal(err)
		}
	}
	if p.lookup(good) != nil {
		t.Fatal("the memo holds more than headerMemoSize headers")
	}
}

// FuzzParserAgreesWithParse parses each input with a Parser that has seen
// every seed, so inputs that keep a seed's header take the remembered path.
func FuzzParserAgreesWithParse(f *testing.F) {
	var p Parser
	for _, s := range fuzzSeeds() {
		f.Add(s)
		_, _ = p.Parse(s)
	}
	f.Fuzz(func(t *testing.T, raw string) { sameParse(t, &p, raw) })
}

// TestParserOwnsItsToken: a Parser decodes every token into the same Token
// and claims array (fewer allocations in wasm), so its next Parse replaces
// the last token; Parse returns tokens of their own. Payloads with more
// members than the Parser's array holds are decoded as Parse does.
func TestParserOwnsItsToken(t *testing.T) {
	h := b64(`{"alg":"RS256","kid":"k1"}`)
	a := compact(h, b64(`{"iss":"a"}`), "c2ln")
	b := compact(h, b64(`{"iss":"b"}`), "c2ln")
	var p Parser
	ta, err := p.Parse(a)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := p.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if ta != tb {
		t.Fatal("the Parser allocated a second token")
	}
	if iss, _ := tb.UnverifiedIssuer(); iss != "b" || tb.Raw != b {
		t.Fatalf("token after the second Parse: iss %q", iss)
	}
	if x, _ := Parse(a); x == ta {
		t.Fatal("Parse returned the Parser's token")
	}
	if x, y := mustParse(t, a), mustParse(t, a); x == y {
		t.Fatal("Parse returned the same token twice")
	}
	for _, n := range []int{parserClaims - 1, parserClaims, parserClaims + 1, 3 * parserClaims} {
		members := make([]string, n)
		for i := range members {
			members[i] = fmt.Sprintf(`"c%d":%d`, i, i)
		}
		sameParse(t, &p, compact(h, b64("{"+strings.Join(members, ",")+"}"), "c2ln"))
	}
}

func mustParse(t *testing.T, raw string) *Token {
	t.Helper()
	tok, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
