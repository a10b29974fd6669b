package filter

import (
	"testing"
	"time"
)

// TestSinceReadsTheClockItWasGiven: a start without a monotonic reading
// (a test clock's) is measured against p.now; one from time.Now against
// the monotonic clock.
func TestSinceReadsTheClockItWasGiven(t *testing.T) {
	fixed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := &pluginContext{now: func() time.Time { return fixed.Add(3 * time.Second) }}
	if d := p.since(fixed); d != 3*time.Second {
		t.Fatalf("test clock: %v, want 3s", d)
	}
	start := time.Now()
	time.Sleep(2 * time.Millisecond)
	if d := p.since(start); d < 2*time.Millisecond || d > time.Minute {
		t.Fatalf("monotonic start: %v, want the real elapsed time (at least 2ms)", d)
	}
}
