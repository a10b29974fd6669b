package jwks

import (
	"testing"
	"time"
)

// Policy used by the predicate tables: lease 7s, refresh 300s, backoff cap 60s.
var leaseTestPolicy = FetchPolicy{RefreshInterval: 300 * time.Second, Timeout: 5 * time.Second}.withDefaults()

const leaseTestNow int64 = 1_735_689_600_000

func TestLeaseHeld(t *testing.T) {
	tests := []struct {
		name    string
		untilMs int64
		want    bool
	}{
		{"no lease", 0, false},
		{"expired long ago", leaseTestNow - 60_000, false},
		{"ends exactly now", leaseTestNow, false},
		{"one ms left", leaseTestNow + 1, true},
		{"full lease left", leaseTestNow + 7_000, true},
		{"longer than any lease this policy grants", leaseTestNow + 7_001, false},
		{"absurdly far ahead", 9_000_000_000_000_000_000, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sharedState{LeaseOwner: "vm", LeaseID: 1, LeaseUntilMs: tt.untilMs}
			if got := leaseTestPolicy.leaseHeld(s, leaseTestNow); got != tt.want {
				t.Fatalf("leaseHeld = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDue(t *testing.T) {
	held := leaseTestNow + 3_000
	tests := []struct {
		name string
		s    sharedState
		want bool
	}{
		{"never fetched", sharedState{}, true},
		{"never fetched but a lease is held", sharedState{LeaseUntilMs: held}, false},
		{"refresh not yet due", sharedState{Version: 1, NextAttemptMs: leaseTestNow + 1}, false},
		{"refresh due exactly now", sharedState{Version: 1, NextAttemptMs: leaseTestNow}, true},
		{"refresh overdue", sharedState{Version: 1, NextAttemptMs: leaseTestNow - 5_000}, true},
		{"refresh due but a lease is held", sharedState{Version: 1, NextAttemptMs: leaseTestNow - 5_000, LeaseUntilMs: held}, false},
		{"refresh requested", sharedState{Version: 1, NextAttemptMs: leaseTestNow + 100_000, RefreshRequested: true}, true},
		{"refresh requested but a lease is held", sharedState{RefreshRequested: true, LeaseUntilMs: held}, false},
		{"retry waits for its backoff", sharedState{Failures: 2, NextAttemptMs: leaseTestNow + 2_000}, false},
		{"schedule at the longest plausible delay", sharedState{Version: 1, NextAttemptMs: leaseTestNow + 300_000}, false},
		{"schedule beyond any plausible delay", sharedState{Version: 1, NextAttemptMs: leaseTestNow + 300_001}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := leaseTestPolicy.due(tt.s, leaseTestNow); got != tt.want {
				t.Fatalf("due = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEarlyRateLimited(t *testing.T) {
	tests := []struct {
		name    string
		earlyMs int64
		want    bool
	}{
		{"never", 0, false},
		{"just now", leaseTestNow, true},
		{"one ms short of the interval", leaseTestNow - 29_999, true},
		{"exactly the interval ago", leaseTestNow - 30_000, false},
		{"in the future (damage)", leaseTestNow + 1_000, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := leaseTestPolicy.earlyRateLimited(sharedState{LastEarlyMs: tt.earlyMs}, leaseTestNow); got != tt.want {
				t.Fatalf("earlyRateLimited = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestStateTransitions(t *testing.T) {
	p := leaseTestPolicy
	start := sharedState{Version: 4, Generation: 10, Failures: 2, NextAttemptMs: 1, LeaseID: 6, LastEarlyMs: 5,
		LastSuccessMs: 3, LastError: "status 503", RefreshRequested: true}
	leased := start.leased("vm-1", leaseTestNow+7_000)
	if want := (sharedState{Version: 4, Generation: 10, Failures: 2, NextAttemptMs: 1, LeaseID: 7, LeaseOwner: "vm-1",
		LeaseUntilMs: leaseTestNow + 7_000, LastEarlyMs: 5, LastSuccessMs: 3, LastError: "status 503", RefreshRequested: true}); leased != want {
		t.Fatalf("leased = %+v, want %+v", leased, want)
	}
	if !leased.heldBy("vm-1", 7) || leased.heldBy("vm-1", 6) || leased.heldBy("vm-2", 7) || (sharedState{}).heldBy("", 0) {
		t.Fatal("heldBy must match both owner and lease id, and never a zero lease")
	}
	if got, want := leased.succeeded(7, leaseTestNow, p), (sharedState{Version: 7, Generation: 11, NextAttemptMs: leaseTestNow + 300_000,
		LeaseID: 7, LastEarlyMs: 5, LastSuccessMs: leaseTestNow}); got != want {
		t.Fatalf("succeeded = %+v, want %+v", got, want)
	}
	if got, want := leased.failed(leaseTestNow, "timeout", p), (sharedState{Version: 4, Generation: 11, Failures: 3,
		NextAttemptMs: leaseTestNow + 4_000, LeaseID: 7, LastEarlyMs: 5, LastSuccessMs: 3, LastError: "timeout"}); got != want {
		t.Fatalf("failed = %+v, want %+v", got, want)
	}
	capped := sharedState{Failures: maxRecordedFailures}.failed(leaseTestNow, "x", p)
	if capped.Failures != maxRecordedFailures || capped.NextAttemptMs != leaseTestNow+60_000 {
		t.Fatalf("failure count must stop at %d with the capped backoff, got %d, next %d", maxRecordedFailures, capped.Failures, capped.NextAttemptMs)
	}
}
