package bench

import (
	"bufio"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Result is one benchmark's figures; several runs of a benchmark are
// reduced to the run with the median ns/op.
type Result struct {
	Name        string
	Runs        int
	N           int
	NsPerOp     float64
	BytesPerOp  int64 // -1 when not reported
	AllocsPerOp int64 // -1 when not reported
	// MemoryBefore and MemoryAfter are a wasm VM's linear memory around the
	// timed loop (0 natively).
	MemoryBefore, MemoryAfter uint64
	// PerRound is ns/op of each wasm round, in round order; rounds run
	// every case once before the next round starts, so ratios can be taken
	// within a round, where the machine's load is the same for both sides.
	PerRound []float64
	Err      string
}

var benchLine = regexp.MustCompile(`^Benchmark(\S+?)(?:-\d+)?\s+(\d+)\s+([0-9.]+) ns/op(?:\s+(\d+) B/op)?(?:\s+(\d+) allocs/op)?`)

// ParseGoBench reads `go test -bench -benchmem` output and returns, per
// benchmark name without the "Benchmark" prefix and GOMAXPROCS suffix
// (e.g. "Request/anonymous"), the median of its runs.
func ParseGoBench(r io.Reader) (map[string]Result, error) {
	runs := map[string][]Result{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		ns, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			return nil, err
		}
		res := Result{Name: m[1], N: n, NsPerOp: ns, BytesPerOp: -1, AllocsPerOp: -1}
		if m[4] != "" {
			res.BytesPerOp, _ = strconv.ParseInt(m[4], 10, 64)
		}
		if m[5] != "" {
			res.AllocsPerOp, _ = strconv.ParseInt(m[5], 10, 64)
		}
		runs[m[1]] = append(runs[m[1]], res)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	out := make(map[string]Result, len(runs))
	for name, rs := range runs {
		out[name] = MedianResult(rs)
	}
	return out, nil
}

// MedianResult returns the run with the median ns/op, with Runs set.
func MedianResult(rs []Result) Result {
	if len(rs) == 0 {
		return Result{}
	}
	s := append([]Result(nil), rs...)
	sort.SliceStable(s, func(i, j int) bool { return s[i].NsPerOp < s[j].NsPerOp })
	m := s[len(s)/2]
	m.Runs = len(rs)
	return m
}
