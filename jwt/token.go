package jwt

import (
	"fmt"
	"strings"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/internal/memeq"
)

// Token is a compact JWS access token that passed Parse's structural checks.
// Nothing in it is trusted until Validator.Validate succeeds.
type Token struct {
	Raw    string
	Header Header

	// header is what Validate acts on: a caller editing the exported copy
	// must not change which algorithm verifies the signature.
	header       Header
	signingInput string      // the bytes the signature covers
	signature    []byte      // decoded signature
	claims       jsonMembers // decoded payload
	verified     Claims      // what Validate returns a pointer to
}

// Parse checks raw as a compact JWS (RFC 7515 §7.1) more strictly than
// golang-jwt does: exactly three segments of canonical unpadded base64url,
// header and payload each one UTF-8 JSON object without duplicate members,
// alg present and not "none", no crit, no cty, and a typ (when present)
// that marks a JWT access token. It does not verify anything.
func Parse(raw string) (*Token, error) { return (*Parser)(nil).Parse(raw) }

// Parser is Parse with a memory of the last protected headers it accepted.
// An issuer signs its tokens under a handful of headers (alg, kid, typ), so
// a header segment byte-identical to one accepted before is neither
// base64- nor JSON-decoded again: in wasm that was a third of Parse's
// time. Only accepted headers are remembered, keyed by their exact text,
// so a Parser answers exactly as Parse does.
//
// The Token a Parser returns is its own, and so are the Claims Validate
// returns for it: both are overwritten by the Parser's next Parse. (Their
// strings are not: each token is decoded into bytes of its own.)
//
// The zero value is ready; a nil *Parser remembers nothing and returns
// tokens of their own. A Parser is not safe for concurrent use: keep one
// per VM (or per goroutine).
type Parser struct {
	memo [headerMemoSize]rememberedHeader
	next int // the slot the next header goes into

	// The token Parse returns and the array its claims are decoded into:
	// in wasm each allocation costs about a microsecond, and as much
	// again in the collector, and these two were most of a token's.
	tok    Token
	claims [parserClaims]jsonMember
}

// parserClaims is how many payload members the Parser's own array holds;
// a payload with more gets an allocation. Access tokens carry about ten.
const parserClaims = 16

// headerMemoSize covers a few issuers each in the middle of a key rotation.
const headerMemoSize = 8

// maxRememberedHeader keeps a header carrying a certificate chain (x5c) from
// pinning its bytes: real headers without one are about 100 bytes.
const maxRememberedHeader = 512

type rememberedHeader struct {
	segment string // base64url text
	header  Header
}

// Parse is the package's Parse, skipping the header work for a header
// segment accepted before.
func (p *Parser) Parse(raw string) (*Token, error) {
	jws, err := splitCompact(raw, p)
	if err != nil {
		return nil, err
	}
	var h Header
	if jws.known != nil {
		h = *jws.known
	} else {
		if h, err = parseHeader(jws.header); err != nil {
			return nil, err
		}
		p.remember(jws.headerSegment, h)
	}
	claims, err := decodeObjectInto(jws.payload, p.claimSpace())
	if err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	t := p.token()
	*t = Token{Raw: raw, Header: h, header: h, signingInput: jws.signingInput, signature: jws.signature, claims: claims}
	return t, nil
}

// token is the Token Parse fills: the Parser's own, a new one without a
// Parser.
func (p *Parser) token() *Token {
	if p == nil {
		return new(Token)
	}
	return &p.tok
}

// claimSpace is where Parse decodes the payload's members: the Parser's
// array, nil (a new slice) without a Parser.
func (p *Parser) claimSpace() jsonMembers {
	if p == nil {
		return nil
	}
	return p.claims[:0]
}

// lookup returns the header of a segment accepted before, nil otherwise.
func (p *Parser) lookup(segment string) *Header {
	if p == nil {
		return nil
	}
	for i := range p.memo {
		if m := &p.memo[i]; segment != "" && memeq.Equal(m.segment, segment) {
			return &m.header
		}
	}
	return nil
}

// remember keeps an accepted header. Its strings are copied: the token's
// would keep the whole decoded token alive.
func (p *Parser) remember(segment string, h Header) {
	if p == nil || len(segment) > maxRememberedHeader {
		return
	}
	h.Algorithm, h.KeyID, h.Type = strings.Clone(h.Algorithm), strings.Clone(h.KeyID), strings.Clone(h.Type)
	p.memo[p.next] = rememberedHeader{segment: strings.Clone(segment), header: h}
	p.next = (p.next + 1) % len(p.memo)
}

// UnverifiedIssuer returns the payload's "iss" when it is a string, so the
// caller can pick the provider whose Validator and keys apply. It is only
// a routing hint: trust it after Validate.
func (t *Token) UnverifiedIssuer() (string, bool) {
	if t == nil {
		return "", false
	}
	iss, ok, _ := t.claims.str("iss")
	return iss, ok
}
