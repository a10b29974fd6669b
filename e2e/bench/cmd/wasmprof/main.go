// Command wasmprof times the plugin's own functions inside wasm: it runs one
// per-request benchmark case of package bench with a wazero function
// listener on the guest functions whose names match -only, and prints
// calls, self and inclusive time per request for each. Every timed call
// costs a host round trip, so time only a few functions at once (entry
// points, then what they call) and read the numbers as proportions.
// The module needs its name section: build without -ldflags='-s -w' (and
// pass --debuginfo to wasm-opt), for example
//
//	GOOS=wasip1 GOARCH=wasm GOTOOLCHAIN=go1.24.13 go build -buildmode=c-shared -trimpath -o /tmp/plugin-names.wasm .
//	cd e2e && PLUGIN_WASM=/tmp/plugin-names.wasm VERIFIER_WASM=../build/bench-verifier.wasm \
//	  go run ./bench/cmd/wasmprof -case miss_rs256 -only 'jwt\.Parse$|Validate$|authorize$'
//
// Run it with TMPDIR set to a fresh directory: modules compiled with
// listeners must not share the tests' compilation cache.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"
	"testing"
	"time"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/bench"
)

func main() {
	testing.Init()
	caseName := flag.String("case", bench.CaseCacheHit, "per-request case to run (see bench.RequestCases and bench.VerifierCases)")
	only := flag.String("only", `^\.proxy_on_`, "regexp of the guest function names to time")
	top := flag.Int("top", 40, "functions to print")
	flag.Parse()
	re, err := regexp.Compile(*only)
	if err != nil {
		fail(err)
	}
	p := &profile{only: re, stats: map[string]*stat{}}
	ctx := experimental.WithFunctionListenerFactory(context.Background(), p)
	f, err := bench.Open(ctx)
	if err != nil {
		fail(err)
	}
	defer f.Close(ctx)
	c := f.Case(*caseName)
	if c == nil {
		fail(fmt.Errorf("no case %q", *caseName))
	}
	requests := 0
	fmt.Println(testing.Benchmark(func(b *testing.B) { requests += b.N; c.Run(b) }))
	if requests == 0 {
		fail(fmt.Errorf("case %s ran no request: %v", *caseName, c.Err))
	}
	p.print(requests, *top)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "wasmprof:", err)
	os.Exit(1)
}

type stat struct {
	name       string
	calls      int
	incl, self time.Duration
}

type frame struct {
	s     *stat
	start time.Time
	child time.Duration
}

// profile is the listener factory and the call stack of timed functions
// (a VM runs one call at a time, so one stack serves).
type profile struct {
	only  *regexp.Regexp
	stats map[string]*stat
	stack []frame
}

func (p *profile) NewFunctionListener(def api.FunctionDefinition) experimental.FunctionListener {
	name := def.DebugName()
	if !p.only.MatchString(name) {
		return nil
	}
	s := p.stats[name]
	if s == nil {
		s = &stat{name: name}
		p.stats[name] = s
	}
	return listener{p, s}
}

type listener struct {
	p *profile
	s *stat
}

func (l listener) Before(context.Context, api.Module, api.FunctionDefinition, []uint64, experimental.StackIterator) {
	l.p.stack = append(l.p.stack, frame{s: l.s, start: time.Now()})
}

func (l listener) After(context.Context, api.Module, api.FunctionDefinition, []uint64) { l.p.pop() }

func (l listener) Abort(context.Context, api.Module, api.FunctionDefinition, error) { l.p.pop() }

func (p *profile) pop() {
	f := p.stack[len(p.stack)-1]
	p.stack = p.stack[:len(p.stack)-1]
	d := time.Since(f.start)
	f.s.calls++
	f.s.incl += d
	f.s.self += d - f.child
	if len(p.stack) > 0 {
		p.stack[len(p.stack)-1].child += d
	}
}

func (p *profile) print(requests, top int) {
	var all []*stat
	for _, s := range p.stats {
		if s.calls > 0 {
			all = append(all, s)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].self > all[j].self })
	per := func(d time.Duration) float64 { return d.Seconds() * 1e6 / float64(requests) }
	fmt.Printf("%d requests\n%-72s %9s %11s %11s\n", requests, "function", "calls/req", "self µs/req", "incl µs/req")
	for i, s := range all {
		if i == top {
			break
		}
		name := s.name
		if len(name) > 72 {
			name = "…" + name[len(name)-71:]
		}
		fmt.Printf("%-72s %9.2f %11.2f %11.2f\n", name, float64(s.calls)/float64(requests), per(s.self), per(s.incl))
	}
}
