package bench

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/internal/scenario"
)

// tokenPool holds distinct valid tokens of one kind, minted on demand (in
// parallel, outside any timer) and reused across benchmark rounds: every
// round starts a fresh VM with an empty cache, so within a round each token
// is one the VM has not seen.
type tokenPool struct {
	mint   func(i int) string
	tokens []string
}

// Tokens returns n distinct valid tokens signed with kid, minted at epoch.
func (f *Fixture) Tokens(kid string, n int) []string {
	p := f.pools[kid]
	if p == nil {
		is := f.Issuer
		p = &tokenPool{mint: func(i int) string {
			c := is.Standard(epoch, scenario.Resource, "mcp:tools:read")
			c["jti"] = fmt.Sprintf("bench-%s-%d", kid, i)
			c["sub"] = fmt.Sprintf("user-%d", i)
			return is.Mint(kid, c, nil)
		}}
		f.pools[kid] = p
	}
	p.grow(n)
	return p.tokens[:n]
}

func (p *tokenPool) grow(n int) {
	have := len(p.tokens)
	if n <= have {
		return
	}
	p.tokens = append(p.tokens, make([]string, n-have)...)
	mintParallel(have, n, func(i int) { p.tokens[i] = p.mint(i) })
}

// mintParallel runs mint(i) for i in [from, to) on every CPU.
func mintParallel(from, to int, mint func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := from + w; i < to; i += workers {
				mint(i)
			}
		}(w)
	}
	wg.Wait()
}
