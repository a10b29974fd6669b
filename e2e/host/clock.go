package host

import "time"

// clock is the host's virtual time: wall clock for realtime and a
// monotonic counter, both moved only by Advance (or by poll_oneoff in the
// PR #533 flavour).
type clock struct {
	now   time.Time
	mono0 time.Time
}

// monoBase makes monotonic time non-zero and unrelated to the wall clock,
// as CLOCK_MONOTONIC is.
const monoBase = 1_000_000 * time.Second

func (c *clock) monotonic() uint64 { return uint64(monoBase + c.now.Sub(c.mono0)) }

func (c *clock) advance(d time.Duration) {
	if d > 0 {
		c.now = c.now.Add(d)
	}
}
