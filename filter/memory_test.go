package filter

import (
	"runtime/debug"
	"testing"
)

func TestConfigureGCSetsTheCollectorTarget(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	configureGC()
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Fatalf("GC percent after configureGC = %d, want %d", got, gcPercent)
	}
}
