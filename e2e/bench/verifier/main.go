// Command verifier is a proxy-wasm module that does nothing per request but
// check a token's signature with jwt.VerifySignature, the function the
// plugin's token validation calls. The benchmark program builds it with
// the plugin's toolchain and flags and runs it in the same wazero host as
// build/plugin.wasm, so "bare signature verification inside wasm" is
// measured with the same compiler, runtime and crypto code.
//
// Plugin configuration (JSON):
//
//	{"jwks": {...public JWK Set...}, "tokens": ["<compact JWS>", ...], "verify": true,
//	 "remove": ["authorization"], "set": [["x-mcp-subject", "user-123"]]}
//
// Request i verifies tokens[i mod len(tokens)], so the bare verification
// checks the same distinct tokens the miss benchmark sends, not one token
// over and over (measured: the same time, within noise).
// The tokens are split, their signatures decoded and their keys selected
// once, at configure time; with "verify": false a request does no work at
// all, which measures the host's per-request overhead for this module.
// "remove" and "set" are request header edits made on every request, after
// the verification, one host call each (proxy_remove_header_map_value,
// proxy_replace_header_map_value): with the edits a cache hit makes, they
// measure what those host calls cost.
package main

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/jwks"
	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/jwt"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

func main() {}

func init() { proxywasm.SetVMContext(&vmContext{}) }

type vmContext struct{ types.DefaultVMContext }

func (*vmContext) NewPluginContext(uint32) types.PluginContext { return &pluginContext{} }

// fixedToken is the pre-split token: exactly what jwt.VerifySignature takes.
type fixedToken struct {
	alg          string
	signingInput string
	signature    []byte
	key          crypto.PublicKey
}

type pluginContext struct {
	types.DefaultPluginContext
	verify bool
	tokens []fixedToken
	next   int
	remove []string
	set    [][2]string
}

type benchConfig struct {
	JWKS   json.RawMessage `json:"jwks"`
	Tokens []string        `json:"tokens"`
	Verify bool            `json:"verify"`
	Remove []string        `json:"remove"`
	Set    [][2]string     `json:"set"`
}

func (p *pluginContext) OnPluginStart(int) types.OnPluginStartStatus {
	data, err := proxywasm.GetPluginConfiguration()
	if err == nil {
		err = p.configure(data)
	}
	if err != nil {
		proxywasm.LogCriticalf("verifier: %v", err)
		return types.OnPluginStartStatusFailed
	}
	return types.OnPluginStartStatusOK
}

func (p *pluginContext) configure(data []byte) error {
	var c benchConfig
	if err := json.Unmarshal(data, &c); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	set, err := jwks.Parse(c.JWKS)
	if err != nil {
		return fmt.Errorf("jwks: %w", err)
	}
	if len(c.Tokens) == 0 {
		return errors.New("no tokens configured")
	}
	for i, raw := range c.Tokens {
		tok, err := split(raw, set)
		if err != nil {
			return fmt.Errorf("tokens[%d]: %w", i, err)
		}
		// A token that does not verify would benchmark the failure path.
		if err := jwt.VerifySignature(tok.alg, tok.signingInput, tok.signature, tok.key); err != nil {
			return fmt.Errorf("tokens[%d] does not verify: %w", i, err)
		}
		p.tokens = append(p.tokens, tok)
	}
	p.verify, p.remove, p.set = c.Verify, c.Remove, c.Set
	return nil
}

var errNotCompact = errors.New("token is not a compact JWS")

func split(raw string, set *jwks.Set) (fixedToken, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return fixedToken{}, errNotCompact
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return fixedToken{}, fmt.Errorf("header: %w", err)
	}
	var h struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(hb, &h); err != nil {
		return fixedToken{}, fmt.Errorf("header: %w", err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return fixedToken{}, fmt.Errorf("signature: %w", err)
	}
	key, err := set.Select(h.Kid, true, h.Alg)
	if err != nil {
		return fixedToken{}, fmt.Errorf("key: %w", err)
	}
	return fixedToken{alg: h.Alg, signingInput: parts[0] + "." + parts[1], signature: sig, key: key.Public}, nil
}

func (p *pluginContext) NewHttpContext(uint32) types.HttpContext { return &httpContext{p: p} }

type httpContext struct {
	types.DefaultHttpContext
	p *pluginContext
}

// OnHttpRequestHeaders verifies the next token, makes the configured header
// edits and lets the request pass; a failure (which configure ruled out
// for the verification) is a 500 the benchmark notices.
func (h *httpContext) OnHttpRequestHeaders(int, bool) types.Action {
	if h.p.verify {
		t := &h.p.tokens[h.p.next]
		h.p.next = (h.p.next + 1) % len(h.p.tokens)
		if err := jwt.VerifySignature(t.alg, t.signingInput, t.signature, t.key); err != nil {
			return h.fail("verification failed")
		}
	}
	for _, name := range h.p.remove {
		if proxywasm.RemoveHttpRequestHeader(name) != nil {
			return h.fail("cannot remove a header")
		}
	}
	for _, kv := range h.p.set {
		if proxywasm.ReplaceHttpRequestHeader(kv[0], kv[1]) != nil {
			return h.fail("cannot set a header")
		}
	}
	return types.ActionContinue
}

func (h *httpContext) fail(msg string) types.Action {
	_ = proxywasm.SendHttpResponse(500, nil, []byte(msg), -1)
	return types.ActionPause
}
