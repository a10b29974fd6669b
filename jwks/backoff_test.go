package jwks

import (
	"testing"
	"time"
)

func TestFetchPolicyDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   FetchPolicy
		want FetchPolicy
	}{
		{
			name: "zero policy gets every default",
			in:   FetchPolicy{},
			want: FetchPolicy{RefreshInterval: 5 * time.Minute, Timeout: 5 * time.Second, LeaseMargin: 2 * time.Second,
				MinBackoff: time.Second, MaxBackoff: time.Minute, UnknownKeyInterval: 30 * time.Second},
		},
		{
			name: "max backoff defaults to a shorter refresh interval",
			in:   FetchPolicy{RefreshInterval: 20 * time.Second, Timeout: time.Second},
			want: FetchPolicy{RefreshInterval: 20 * time.Second, Timeout: time.Second, LeaseMargin: 2 * time.Second,
				MinBackoff: time.Second, MaxBackoff: 20 * time.Second, UnknownKeyInterval: 30 * time.Second},
		},
		{
			name: "explicit values are kept",
			in: FetchPolicy{RefreshInterval: time.Hour, Timeout: 3 * time.Second, LeaseMargin: time.Second,
				MinBackoff: 2 * time.Second, MaxBackoff: 10 * time.Second, UnknownKeyInterval: time.Minute},
			want: FetchPolicy{RefreshInterval: time.Hour, Timeout: 3 * time.Second, LeaseMargin: time.Second,
				MinBackoff: 2 * time.Second, MaxBackoff: 10 * time.Second, UnknownKeyInterval: time.Minute},
		},
		{
			name: "min backoff above the cap is lowered to it",
			in:   FetchPolicy{RefreshInterval: time.Minute, MinBackoff: 5 * time.Minute, MaxBackoff: 30 * time.Second},
			want: FetchPolicy{RefreshInterval: time.Minute, Timeout: 5 * time.Second, LeaseMargin: 2 * time.Second,
				MinBackoff: 30 * time.Second, MaxBackoff: 30 * time.Second, UnknownKeyInterval: 30 * time.Second},
		},
		{
			name: "negative durations count as unset",
			in:   FetchPolicy{RefreshInterval: -1, Timeout: -1, LeaseMargin: -1, MinBackoff: -1, MaxBackoff: -1, UnknownKeyInterval: -1},
			want: FetchPolicy{RefreshInterval: 5 * time.Minute, Timeout: 5 * time.Second, LeaseMargin: 2 * time.Second,
				MinBackoff: time.Second, MaxBackoff: time.Minute, UnknownKeyInterval: 30 * time.Second},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.withDefaults(); got != tt.want {
				t.Fatalf("withDefaults() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestBackoffDoublesUpToTheCap(t *testing.T) {
	s := time.Second
	tests := []struct {
		name   string
		policy FetchPolicy
		want   []time.Duration // for failures 1, 2, 3, ...
	}{
		{"defaults", FetchPolicy{RefreshInterval: 300 * s}, []time.Duration{1 * s, 2 * s, 4 * s, 8 * s, 16 * s, 32 * s, 60 * s, 60 * s}},
		{"cap not a power of two", FetchPolicy{MinBackoff: s, MaxBackoff: 45 * s}, []time.Duration{1 * s, 2 * s, 4 * s, 8 * s, 16 * s, 32 * s, 45 * s, 45 * s}},
		{"min equals max", FetchPolicy{MinBackoff: 7 * s, MaxBackoff: 7 * s}, []time.Duration{7 * s, 7 * s, 7 * s}},
		{"sub-second start", FetchPolicy{MinBackoff: 250 * time.Millisecond, MaxBackoff: s}, []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, s, s}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.policy.withDefaults()
			for i, want := range tt.want {
				if got := p.backoff(i + 1); got != want {
					t.Fatalf("backoff(%d) = %v, want %v", i+1, got, want)
				}
			}
		})
	}
}

func TestBackoffNeverOverflows(t *testing.T) {
	p := FetchPolicy{MinBackoff: time.Second, MaxBackoff: time.Duration(1<<63 - 1)}.withDefaults()
	for _, f := range []int{62, 63, 64, 100, maxRecordedFailures} {
		if got := p.backoff(f); got <= 0 || got > p.MaxBackoff {
			t.Fatalf("backoff(%d) = %v, want within (0, %v]", f, got, p.MaxBackoff)
		}
	}
}
