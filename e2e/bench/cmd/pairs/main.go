// Command pairs runs two benchmark cases of package bench alternately,
// -pairs times, and prints each pair's ratio and their median: a ratio
// read this way is not skewed by the machine slowing down between the two
// cases, which on a shared machine moves single runs by ±10 %.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"testing"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/bench"
)

func main() {
	testing.Init()
	a := flag.String("a", bench.CaseMissRS256, "numerator case")
	b := flag.String("b", bench.CaseVerifyRS256, "denominator case")
	pairs := flag.Int("pairs", 9, "pairs to run")
	flag.Parse()
	ctx := context.Background()
	f, err := bench.Open(ctx)
	if err != nil {
		fail(err)
	}
	defer f.Close(ctx)
	ca, cb := f.Case(*a), f.Case(*b)
	if ca == nil || cb == nil {
		fail(fmt.Errorf("unknown case %q or %q", *a, *b))
	}
	var ratios []float64
	for i := 0; i < *pairs; i++ {
		ra, rb := testing.Benchmark(ca.Run), testing.Benchmark(cb.Run)
		r := float64(ra.NsPerOp()) / float64(rb.NsPerOp())
		ratios = append(ratios, r)
		fmt.Printf("pair %d: %s %d ns/op, %s %d ns/op, ratio %.3f\n", i+1, *a, ra.NsPerOp(), *b, rb.NsPerOp(), r)
	}
	sort.Float64s(ratios)
	fmt.Printf("median ratio %.3f (min %.3f, max %.3f)\n", ratios[len(ratios)/2], ratios[0], ratios[len(ratios)-1])
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "pairs:", err)
	os.Exit(1)
}
