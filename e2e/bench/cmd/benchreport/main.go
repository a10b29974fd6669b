// Command benchreport runs every wasm measurement of package bench once,
// joins them with the native benchmark output, checks the targets
// and writes BENCHMARKS.md. It exits 1 when a target fails. `make bench`
// runs it; see the Makefile for the native half.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/bench"
)

func main() {
	testing.Init()
	var (
		nativePath = flag.String("native", "", "file with `go test -bench -benchmem` output of ./filter (optional)")
		nativeGo   = flag.String("native-go", "", "Go version that ran the native benchmarks")
		nativeCmd  = flag.String("native-command", "", "command that produced -native, for the report")
		out        = flag.String("out", "", "write the Markdown report here (default: stdout only)")
		command    = flag.String("command", "make bench", "command recorded in the report")
		benchtime  = flag.String("benchtime", "1s", "time per wasm benchmark run")
		rounds     = flag.Int("rounds", 3, "runs of each wasm benchmark; the median is reported")
		requests   = flag.Int("memory-requests", 1_000_000, "requests of the memory run")
		tokens     = flag.Int("memory-tokens", 100_000, "distinct tokens of the memory run")
		startRuns  = flag.Int("start-runs", 10, "VM starts to time")
	)
	flag.Parse()
	if err := flag.Set("test.benchtime", *benchtime); err != nil {
		fail(err)
	}
	ctx := context.Background()
	began := time.Now()
	pluginPath, verifierPath, err := bench.Paths(ctx)
	if err != nil {
		fail(err)
	}
	pluginWasm, err := os.ReadFile(pluginPath)
	if err != nil {
		fail(err)
	}
	verifierWasm, err := os.ReadFile(verifierPath)
	if err != nil {
		fail(err)
	}
	f, err := bench.Load(ctx, pluginPath, verifierPath)
	if err != nil {
		fail(err)
	}
	defer f.Close(ctx)

	r := &bench.Report{Machine: machine(*command, *nativeGo, *nativeCmd, pluginWasm, verifierWasm)}
	r.Machine.PluginPath = bench.DisplayPath(pluginPath)
	if *nativePath != "" {
		b, err := os.ReadFile(*nativePath)
		if err != nil {
			fail(err)
		}
		byName, err := bench.ParseGoBench(bytes.NewReader(b))
		if err != nil {
			fail(err)
		}
		r.Native, r.Decision = map[string]bench.Result{}, map[string]bench.Result{}
		for name, res := range byName {
			if c, ok := strings.CutPrefix(name, "Request/"); ok {
				r.Native[c] = res
			}
			if c, ok := strings.CutPrefix(name, "Decision/"); ok {
				r.Decision[c] = res
			}
		}
	}

	// One round runs every plugin and verifier case once, the two cases of
	// each ratio target back to back (bench.RoundOrder).
	requestCases, verifierCases := f.RequestCases(), f.VerifierCases()
	byName := map[string]bench.Result{}
	for _, res := range runCases(bench.RoundOrder(append(append([]*bench.Case(nil), requestCases...), verifierCases...)), *rounds) {
		byName[res.Name] = res
	}
	for _, c := range requestCases {
		r.Wasm = append(r.Wasm, byName[c.Name])
	}
	for _, c := range verifierCases {
		r.Verify = append(r.Verify, byName[c.Name])
	}

	kid := cheaperKid(r.Verify)
	progress("memory run: %d requests, %d tokens (%s)", *requests, *tokens, kid)
	o := bench.DefaultMemoryOptions(kid)
	o.Requests, o.Tokens = *requests, *tokens
	o.Active = min(o.Active, o.Tokens)
	o.Progress = func(s bench.MemorySample) {
		progress("memory run: %d requests, linear memory %d bytes, %v", s.Requests, s.Bytes, time.Since(began).Round(time.Second))
	}
	if r.Memory, err = f.MemoryRun(o); err != nil {
		fail(err)
	}
	progress("memory run: %v, end %d bytes, err %v", r.Memory.Elapsed.Round(time.Second), r.Memory.End, r.Memory.Err)

	progress("JWKS fetches: 8 VMs, one simulated hour")
	r.Fetch = f.FetchRun(8, time.Hour, 2*time.Second)
	progress("unknown kid storm: 10,000 requests, 8 VMs")
	r.Storm = f.UnknownKidStorm(8, 10_000)
	progress("size and start")
	r.Startup = f.Startup(ctx, pluginWasm, *startRuns)

	r.Duration = time.Since(began)
	r.Evaluate()
	var md bytes.Buffer
	if err := r.WriteMarkdown(&md); err != nil {
		fail(err)
	}
	if *out != "" {
		if err := os.WriteFile(*out, md.Bytes(), 0o644); err != nil {
			fail(err)
		}
	}
	os.Stdout.Write(md.Bytes())
	if !r.Passed() {
		fmt.Fprintln(os.Stderr, "benchreport: some targets FAIL (see the Targets table)")
		os.Exit(1)
	}
}

// runCases runs every case once per round, rounds times, and keeps for
// each case the median round (and every round's ns/op, for ratios taken
// within a round). A case that fails is not run again.
func runCases(cases []*bench.Case, rounds int) []bench.Result {
	runs := make([][]bench.Result, len(cases))
	failures := make([]string, len(cases))
	for round := 0; round < rounds; round++ {
		for i, c := range cases {
			if failures[i] != "" {
				continue
			}
			c.Err = nil
			br := testing.Benchmark(c.Run)
			if c.Err != nil || br.N == 0 {
				failures[i] = "benchmark failed"
				if c.Err != nil {
					failures[i] = c.Err.Error()
				}
				continue
			}
			runs[i] = append(runs[i], bench.Result{Name: c.Name, N: br.N, NsPerOp: float64(br.T.Nanoseconds()) / float64(br.N),
				BytesPerOp: -1, AllocsPerOp: -1, MemoryBefore: c.MemoryBefore, MemoryAfter: c.MemoryAfter})
		}
	}
	out := make([]bench.Result, len(cases))
	for i, c := range cases {
		res := bench.MedianResult(runs[i])
		res.Name, res.Err = c.Name, failures[i]
		for _, r := range runs[i] {
			res.PerRound = append(res.PerRound, r.NsPerOp)
		}
		progress("wasm %s: %.0f ns/op, rounds %.0f %s", c.Name, res.NsPerOp, res.PerRound, firstLine(res.Err))
		out[i] = res
	}
	return out
}

// cheaperKid picks RS256 or EdDSA for the memory run, whichever verifies
// faster in wasm in this run (the issue: "whichever is cheaper"), judged on
// the bare verification, which measures the signature alone.
func cheaperKid(rs []bench.Result) string {
	var rsa, ed float64
	for _, r := range rs {
		if r.Err != "" {
			continue
		}
		switch r.Name {
		case bench.CaseVerifyRS256:
			rsa = r.NsPerOp
		case bench.CaseVerifyEdDSA:
			ed = r.NsPerOp
		}
	}
	if rsa > 0 && (ed == 0 || rsa < ed) {
		return "rsa-1"
	}
	return "ed-1"
}

func machine(command, nativeGo, nativeCmd string, plugin, verifier []byte) bench.Machine {
	m := bench.Machine{
		CPUs: runtime.NumCPU(), Date: time.Now(), Command: command, HostGo: runtime.Version(),
		PluginGo: bench.ToolchainOf(plugin), VerifierGo: bench.ToolchainOf(verifier),
		NativeGo: nativeGo, NativeCommand: nativeCmd, WASI: "released Envoy (cpp-host PR #427)",
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		m.LoadAverage = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/tetratelabs/wazero" {
				m.Wazero = d.Version
			}
		}
	}
	return m
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchreport: "+format+"\n", args...)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "benchreport:", err)
	os.Exit(2)
}
