package bench

import (
	"errors"
	"fmt"
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/internal/scenario"
)

// MemoryOptions shapes the long run through one VM.
type MemoryOptions struct {
	Requests int    // total requests (the issue: 1,000,000)
	Tokens   int    // distinct valid tokens (the issue: 100,000)
	Active   int    // tokens in use at a time: clients sending concurrently
	Kid      string // signing key of the tokens: "rsa-1" or "ed-1"
	// Step is the virtual time between requests; the VM ticks once per
	// virtual second, as in Envoy.
	Step    time.Duration
	Samples int // memory samples taken, evenly spaced
	// Progress, if set, is called at every sample.
	Progress func(s MemorySample)
}

// DefaultMemoryOptions is the run: a million requests carrying
// 100,000 distinct tokens, 1,000 clients at a time, each token sent ten
// times (once a miss, then nine hits while the client is active), at
// 10,000 requests per virtual second.
func DefaultMemoryOptions(kid string) MemoryOptions {
	return MemoryOptions{Requests: 1_000_000, Tokens: 100_000, Active: 1_000, Kid: kid, Step: 100 * time.Microsecond, Samples: 20}
}

// MemorySample is the VM's linear memory after some requests.
type MemorySample struct {
	Requests int
	Bytes    uint64
}

// MemoryResult is what the long run measured.
type MemoryResult struct {
	Options              MemoryOptions
	Start, Half, End     uint64 // linear memory after start, after half the requests, at the end
	Samples              []MemorySample
	Growths              []MemorySample // each request after which linear memory had grown
	Forwarded            int            // requests that went upstream (all of them, when nothing failed)
	Elapsed, MintElapsed time.Duration
	Err                  error // the first failure: a trap or a refused request
	FailedAfter          int   // requests completed before Err
	TokenBytes           int   // length of the first token
}

// SecondHalfGrowth is End/Half - 1.
func (r *MemoryResult) SecondHalfGrowth() float64 {
	if r.Half == 0 {
		return 0
	}
	return float64(r.End)/float64(r.Half) - 1
}

// tokenFor spreads requests over tokens: o.Active clients at a time, each
// sending its token Requests/Tokens times, interleaved with the others.
func (o MemoryOptions) tokenFor(i int) int {
	perToken := o.Requests / o.Tokens
	block := i / (o.Active * perToken)
	return block*o.Active + i%o.Active
}

// MemoryRun sends o.Requests requests with o.Tokens distinct valid tokens
// through one VM and samples its linear memory.
func (f *Fixture) MemoryRun(o MemoryOptions) (*MemoryResult, error) {
	if o.Requests%o.Tokens != 0 || o.Tokens%o.Active != 0 {
		return nil, errors.New("bench: Requests must be a multiple of Tokens, Tokens of Active")
	}
	r := &MemoryResult{Options: o}
	t0 := time.Now()
	tokens := f.Tokens(o.Kid, o.Tokens)
	r.MintElapsed = time.Since(t0)
	r.TokenBytes = len(tokens[0])
	headers := make([][][2]string, len(tokens))
	for i, t := range tokens {
		headers[i] = scenario.BenchHeaders("POST", "/mcp", t)
	}
	p, err := f.newPluginProxy(1, scenario.BaseConfig, true)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	vm := p.VMs[0]
	r.Start = vm.MemoryBytes()
	last := r.Start
	every := o.Requests / o.Samples
	var sinceTick time.Duration
	t0 = time.Now()
	for i := 0; i < o.Requests; i++ {
		if err := send(vm, headers[o.tokenFor(i)], outcome{forwarded: true}); err != nil {
			r.Err, r.FailedAfter = fmt.Errorf("request %d: %w", i, err), i
			break
		}
		r.Forwarded++
		if m := vm.MemoryBytes(); m != last {
			r.Growths = append(r.Growths, MemorySample{Requests: i + 1, Bytes: m})
			last = m
		}
		p.H.Advance(o.Step)
		if sinceTick += o.Step; sinceTick >= time.Second {
			sinceTick = 0
			if err := p.H.Tick(); err != nil {
				r.Err, r.FailedAfter = fmt.Errorf("tick after request %d: %w", i, err), i+1
				break
			}
		}
		if n := i + 1; n%every == 0 {
			s := MemorySample{Requests: n, Bytes: vm.MemoryBytes()}
			r.Samples = append(r.Samples, s)
			if o.Progress != nil {
				o.Progress(s)
			}
			if n == o.Requests/2 {
				r.Half = vm.MemoryBytes()
			}
		}
	}
	r.Elapsed = time.Since(t0)
	r.End = vm.MemoryBytes()
	return r, nil
}
