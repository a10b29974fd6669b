package bench

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseGoBenchTakesTheMedianRun(t *testing.T) {
	out := `goos: linux
BenchmarkRequest/anonymous-2         	  300000	      4000 ns/op	    1200 B/op	      20 allocs/op
BenchmarkRequest/anonymous-2         	  300000	      3000 ns/op	    1100 B/op	      19 allocs/op
BenchmarkRequest/anonymous-2         	  300000	      5000 ns/op	    1300 B/op	      21 allocs/op
BenchmarkRequest/miss_rs256          	    2000	     61000.5 ns/op
--- FAIL: BenchmarkRequest/cache_hit-2
PASS`
	got, err := ParseGoBench(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("parsed %d benchmarks, want 2: %v", len(got), got)
	}
	want := Result{Name: "Request/anonymous", Runs: 3, N: 300000, NsPerOp: 4000, BytesPerOp: 1200, AllocsPerOp: 20}
	if a := got["Request/anonymous"]; !reflect.DeepEqual(a, want) {
		t.Fatalf("anonymous = %+v, want %+v", a, want)
	}
	miss := got["Request/miss_rs256"]
	if miss.NsPerOp != 61000.5 || miss.AllocsPerOp != -1 || miss.BytesPerOp != -1 || miss.Runs != 1 {
		t.Fatalf("miss_rs256 = %+v", miss)
	}
}

func TestTokenScheduleUsesEveryTokenTheSameNumberOfTimes(t *testing.T) {
	o := MemoryOptions{Requests: 1000, Tokens: 100, Active: 10}
	uses := map[int]int{}
	first := map[int]int{}
	for i := 0; i < o.Requests; i++ {
		k := o.tokenFor(i)
		if _, ok := first[k]; !ok {
			first[k] = i
		}
		uses[k]++
	}
	if len(uses) != 100 {
		t.Fatalf("%d distinct tokens, want 100", len(uses))
	}
	for k, n := range uses {
		if n != 10 {
			t.Fatalf("token %d used %d times, want 10", k, n)
		}
	}
	// Ten clients at a time: token 10 first appears after tokens 0-9 were
	// each used ten times.
	if first[9] != 9 || first[10] != 100 {
		t.Fatalf("first uses: token 9 at %d, token 10 at %d; want 9 and 100", first[9], first[10])
	}
}

func TestRoundRatioIsTheMedianOfPerRoundRatios(t *testing.T) {
	hit := Result{NsPerOp: 150, PerRound: []float64{100, 300, 150}}
	anon := Result{NsPerOp: 100, PerRound: []float64{100, 100, 50}}
	got, detail := roundRatio(hit, anon)
	if got != 3 {
		t.Fatalf("ratio = %v, want 3 (rounds 1, 3, 3)", got)
	}
	if !strings.Contains(detail, "rounds 1.00, 3.00, 3.00") {
		t.Fatalf("detail %q does not list the rounds", detail)
	}
}

func TestEvaluateFailsATargetWhoseBenchmarkFailed(t *testing.T) {
	r := &Report{
		Wasm: []Result{{Name: CaseAnonymous, Err: "VM trapped"}, {Name: CaseCacheHit, NsPerOp: 10, PerRound: []float64{10}}},
	}
	r.Evaluate()
	if r.Passed() {
		t.Fatal("report passed with a failed benchmark")
	}
	if got := r.Targets[0].Got; !strings.Contains(got, "VM trapped") {
		t.Fatalf("target shows %q, want the failure", got)
	}
}

// TestRoundOrderPutsEachRatioBackToBack: each target's two cases, and
// verify_none with header_edits, run one right after the other, and every
// case runs once.
func TestRoundOrderPutsEachRatioBackToBack(t *testing.T) {
	var cases []*Case
	for _, n := range []string{CaseAnonymous, CaseAnonymousBearer, CaseCacheHit, CaseMissRS256, CaseMissES256, CaseMissEdDSA,
		CaseInvalidSignature, CaseMissingToken, CaseMetadata, CaseVerifyRS256, CaseVerifyES256, CaseVerifyEdDSA, CaseVerifyNone, CaseHeaderEdits} {
		cases = append(cases, &Case{Name: n})
	}
	order := RoundOrder(cases)
	at := map[string]int{}
	for i, c := range order {
		if _, dup := at[c.Name]; dup {
			t.Fatalf("%s runs twice", c.Name)
		}
		at[c.Name] = i
	}
	if len(order) != len(cases) {
		t.Fatalf("%d cases ordered, want %d", len(order), len(cases))
	}
	for _, p := range [][2]string{{CaseAnonymous, CaseCacheHit}, {CaseMissRS256, CaseVerifyRS256}, {CaseMissES256, CaseVerifyES256}, {CaseMissEdDSA, CaseVerifyEdDSA}, {CaseVerifyNone, CaseHeaderEdits}} {
		if d := at[p[1]] - at[p[0]]; d != 1 && d != -1 {
			t.Errorf("%s and %s run %d cases apart", p[0], p[1], d)
		}
	}
}
