package jwks

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"
)

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

const (
	testProvider = "idp"
	testStateKey = "mcp-oauth-wasm/idp/state"
	testJWKSKey  = "mcp-oauth-wasm/idp/jwks"
)

// testPolicy: refresh every 300s, lease 5s + 2s, backoff 1s..60s, early refresh once per 30s.
var testPolicy = FetchPolicy{RefreshInterval: 300 * time.Second, Timeout: 5 * time.Second}

// fleet is several VMs of one proxy sharing one store, with the checks that
// must hold whatever the interleaving: never two fetches in flight.
type fleet struct {
	t         *testing.T
	store     *spyStore
	vms       []*simVM
	inFlight  int
	fetches   int
	published uint64 // latest version a FetchSucceeded returned
	body      []byte // and its body
}

type simVM struct {
	c       *Coordinator
	known   uint64 // version of the key set this VM uses
	body    []byte
	pending bool // took the lease; its fetch has not completed
}

func newFleet(t *testing.T, s Store, n int, p FetchPolicy) *fleet {
	t.Helper()
	f := &fleet{t: t, store: newSpyStore(s)}
	for i := range n {
		f.vms = append(f.vms, &simVM{c: NewCoordinator(testProvider, fmt.Sprintf("vm-%d", i), f.store, p)})
	}
	return f
}

func (f *fleet) dispatched(i int) {
	f.t.Helper()
	if f.inFlight != 0 {
		f.t.Fatalf("vm-%d dispatches while %d fetch(es) are in flight", i, f.inFlight)
	}
	f.inFlight++
	f.fetches++
	f.vms[i].pending = true
}

// tick runs vm i's Tick and records a dispatch.
func (f *fleet) tick(i int, now time.Time) bool {
	f.t.Helper()
	d := f.vms[i].c.Tick(now)
	if d {
		f.dispatched(i)
	}
	return d
}

// succeed completes vm i's fetch with a body unique to this fetch.
func (f *fleet) succeed(i int, now time.Time) uint64 {
	f.t.Helper()
	vm := f.vms[i]
	body := []byte(fmt.Sprintf(`{"keys":[],"fetch":%d}`, f.fetches))
	v, err := vm.c.FetchSucceeded(now, body)
	if err != nil {
		f.t.Fatalf("vm-%d FetchSucceeded: %v", i, err)
	}
	if v <= f.published {
		f.t.Fatalf("vm-%d published version %d, not above %d", i, v, f.published)
	}
	f.inFlight--
	vm.pending = false
	vm.known, vm.body = v, body
	f.published, f.body = v, body
	return v
}

func (f *fleet) fail(i int, now time.Time, reason string) {
	f.t.Helper()
	if err := f.vms[i].c.FetchFailed(now, reason); err != nil {
		f.t.Fatalf("vm-%d FetchFailed: %v", i, err)
	}
	f.inFlight--
	f.vms[i].pending = false
}

// sync is what a VM does after its tick: adopt a newer shared key set.
func (f *fleet) sync(i int) {
	f.t.Helper()
	vm := f.vms[i]
	v, body, changed, err := vm.c.Current(vm.known)
	if err != nil {
		f.t.Fatalf("vm-%d Current: %v", i, err)
	}
	if changed {
		vm.known, vm.body = v, body
	}
}

func (f *fleet) status(now time.Time) Status { return f.vms[0].c.Status(now) }

func TestSteadyStateFetchesOncePerRefreshInterval(t *testing.T) {
	for _, kind := range storeKinds {
		for _, n := range []int{1, 4, 8} {
			t.Run(fmt.Sprintf("%s/%d VMs", kind.name, n), func(t *testing.T) {
				f := newFleet(t, kind.new(), n, testPolicy)
				for sec := range 3600 {
					for i, vm := range f.vms {
						// VMs are threads: they do not tick at the same instant.
						now := t0.Add(time.Duration(sec)*time.Second + time.Duration(i)*37*time.Millisecond)
						if vm.pending { // the response arrives before the next tick
							f.succeed(i, now)
						}
						f.tick(i, now)
						f.sync(i)
						// Convergence: a VM ticking after a publish already uses it.
						if vm.known != f.published || !bytes.Equal(vm.body, f.body) {
							t.Fatalf("t=%ds vm-%d uses version %d, latest is %d", sec, i, vm.known, f.published)
						}
					}
				}
				// First fetch at 0s, then every 301s (response 1s later + 300s): 0, 301, ..., 3311.
				if f.fetches != 12 {
					t.Fatalf("fetches in one hour = %d, want 12", f.fetches)
				}
				// PITFALLS 14: the large value is read once per fetch by the
				// publisher (for its cas) and once by every other VM; ticks
				// read only the state.
				if got, want := f.store.gets[testJWKSKey], 12*n; got != want {
					t.Fatalf("key-set reads = %d, want %d", got, want)
				}
				st := f.status(t0.Add(time.Hour))
				if st.Generation != 12 || st.Failures != 0 || st.Version != f.published || st.InFlight || st.LastError != "" {
					t.Fatalf("status = %+v, want generation 12, version %d, no failures, nothing in flight", st, f.published)
				}
				if want := t0.Add(3312*time.Second + 300*time.Second); !st.NextAttempt.Equal(want) {
					t.Fatalf("next attempt = %v, want %v", st.NextAttempt, want)
				}
			})
		}
	}
}

func TestDeadLeaseHolderIsReplacedRightAfterExpiry(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(kind.name, func(t *testing.T) {
			f := newFleet(t, kind.new(), 4, testPolicy)
			if !f.tick(0, t0) {
				t.Fatal("vm-0 did not take the first lease")
			}
			// vm-0 dies: it never reports, and its call dies with it.
			// Lease = Timeout 5s + margin 2s.
			f.inFlight--
			var takeover time.Time
			taker := -1
			for ms := 100; ms <= 10_000 && taker < 0; ms += 100 {
				now := t0.Add(time.Duration(ms) * time.Millisecond)
				for i := 1; i < 4; i++ {
					if f.vms[0].c.Status(now).InFlight != (ms < 7_000) {
						t.Fatalf("at +%dms InFlight = %v", ms, !(ms < 7_000))
					}
					if f.tick(i, now) {
						takeover, taker = now, i
						break
					}
				}
			}
			if want := t0.Add(7 * time.Second); !takeover.Equal(want) || taker != 1 {
				t.Fatalf("takeover by vm-%d at %v, want vm-1 at %v", taker, takeover, want)
			}
			// The dead holder's late answers are refused and change nothing.
			late := t0.Add(8 * time.Second)
			if _, err := f.vms[0].c.FetchSucceeded(late, []byte(`{"keys":[]}`)); !errors.Is(err, ErrLeaseLost) {
				t.Fatalf("late FetchSucceeded err = %v, want ErrLeaseLost", err)
			}
			if err := f.vms[0].c.FetchFailed(late, "timeout"); !errors.Is(err, ErrLeaseLost) {
				t.Fatalf("late FetchFailed err = %v, want ErrLeaseLost", err)
			}
			if st := f.status(late); st.Version != 0 || st.Generation != 0 || !st.InFlight {
				t.Fatalf("status after refused late answers = %+v, want untouched, lease held", st)
			}
			if v := f.succeed(1, late); v != 2 {
				t.Fatalf("version = %d, want 2 (the second lease)", v)
			}
			for i := range f.vms {
				f.sync(i)
				if f.vms[i].known != 2 {
					t.Fatalf("vm-%d known = %d, want 2", i, f.vms[i].known)
				}
			}
		})
	}
}

func TestLateHolderNobodyReplacedMayStillPublish(t *testing.T) {
	f := newFleet(t, NewMemStore(), 2, testPolicy)
	f.tick(0, t0)
	if v := f.succeed(0, t0.Add(20*time.Second)); v != 1 { // lease expired at +7s, no other VM ticked
		t.Fatalf("version = %d, want 1", v)
	}
}

func TestFailureBackoffKeepsTheLastGoodKeySet(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(kind.name, func(t *testing.T) {
			f := newFleet(t, kind.new(), 2, testPolicy)
			f.tick(0, t0)
			good := f.succeed(0, t0)
			goodBody := f.body
			now := t0.Add(300 * time.Second)
			delays := []time.Duration{1, 2, 4, 8, 16, 32, 60, 60} // seconds
			for n, d := range delays {
				d *= time.Second
				if !f.tick(1, now) {
					t.Fatalf("attempt %d: not dispatched at %v", n+1, now)
				}
				f.fail(1, now, fmt.Sprintf("status 503 #%d", n+1))
				st := f.status(now)
				want := Status{Version: good, Generation: uint64(n + 2), Failures: n + 1, LastSuccess: t0,
					NextAttempt: now.Add(d), LastError: fmt.Sprintf("status 503 #%d", n+1)}
				if !st.LastSuccess.Equal(want.LastSuccess) || !st.NextAttempt.Equal(want.NextAttempt) ||
					st.Version != want.Version || st.Generation != want.Generation || st.Failures != want.Failures ||
					st.LastError != want.LastError || st.InFlight {
					t.Fatalf("after failure %d: status = %+v, want %+v", n+1, st, want)
				}
				// The last good key set is what every VM still gets.
				v, body, changed, err := f.vms[1].c.Current(0)
				if err != nil || !changed || v != good || !bytes.Equal(body, goodBody) {
					t.Fatalf("after failure %d: Current(0) = %d, %q, %v, %v; want %d, %q", n+1, v, body, changed, err, good, goodBody)
				}
				// Not one millisecond early, by any VM.
				for i := range f.vms {
					if f.tick(i, now.Add(d-time.Millisecond)) {
						t.Fatalf("after failure %d: vm-%d retried %v early", n+1, i, time.Millisecond)
					}
				}
				now = now.Add(d)
			}
			if !f.tick(0, now) {
				t.Fatal("recovery attempt not dispatched")
			}
			v := f.succeed(0, now)
			st := f.status(now)
			if st.Version != v || st.Failures != 0 || st.Generation != uint64(len(delays)+2) || st.LastError != "" ||
				!st.NextAttempt.Equal(now.Add(300*time.Second)) || !st.LastSuccess.Equal(now) {
				t.Fatalf("after recovery: status = %+v", st)
			}
			f.sync(1)
			if f.vms[1].known != v || !bytes.Equal(f.vms[1].body, f.body) {
				t.Fatalf("vm-1 did not adopt the recovered key set: known %d, want %d", f.vms[1].known, v)
			}
		})
	}
}

func TestFirstFetchFailureBacksOffWithoutAKeySet(t *testing.T) {
	f := newFleet(t, NewMemStore(), 1, testPolicy)
	f.tick(0, t0)
	f.fail(0, t0, "no response")
	if f.tick(0, t0.Add(999*time.Millisecond)) {
		t.Fatal("retried before MinBackoff although no key set exists")
	}
	if !f.tick(0, t0.Add(time.Second)) {
		t.Fatal("no retry after MinBackoff")
	}
	if v, body, changed, err := f.vms[0].c.Current(0); v != 0 || body != nil || changed || err != nil {
		t.Fatalf("Current(0) without a key set = %d, %q, %v, %v; want 0, nil, false, nil", v, body, changed, err)
	}
}

func TestRequestRefreshStormStartsOneEarlyFetch(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(kind.name, func(t *testing.T) {
			f := newFleet(t, kind.new(), 8, testPolicy)
			f.tick(0, t0)
			f.succeed(0, t0)
			start := t0.Add(100 * time.Second) // well before the regular refresh
			var holder, early, waiting, limited int
			for n := range 10_000 {
				i := n % 8
				now := start.Add(time.Duration(n) * 100 * time.Microsecond) // all within one second
				if n == 5_000 {
					f.succeed(holder, now)
				}
				dispatch, accepted := f.vms[i].c.RequestRefresh(now)
				switch {
				case dispatch && accepted:
					f.dispatched(i)
					holder = i
					early++
					if n != 0 {
						t.Fatalf("call %d dispatched; only the first may", n)
					}
				case dispatch:
					t.Fatalf("call %d: dispatch without accepted", n)
				case accepted:
					waiting++
					if n >= 5_000 {
						t.Fatalf("call %d accepted after the early fetch completed", n)
					}
				default:
					limited++
					if n < 5_000 {
						t.Fatalf("call %d refused while the early fetch was in flight", n)
					}
				}
				if f.tick(i, now) {
					t.Fatalf("call %d: a tick dispatched during the storm", n)
				}
			}
			if early != 1 || waiting != 4_999 || limited != 5_000 {
				t.Fatalf("early=%d waiting=%d limited=%d, want 1, 4999, 5000", early, waiting, limited)
			}
			// The limit is per provider across VMs and lifts after exactly 30s.
			if d, a := f.vms[3].c.RequestRefresh(start.Add(30*time.Second - time.Millisecond)); d || a {
				t.Fatalf("at +29.999s: dispatch=%v accepted=%v, want false, false", d, a)
			}
			if d, a := f.vms[3].c.RequestRefresh(start.Add(30 * time.Second)); !d || !a {
				t.Fatalf("at +30s: dispatch=%v accepted=%v, want true, true", d, a)
			}
			f.dispatched(3)
		})
	}
}

func TestRequestRefreshDuringFailureBackoffWaitsForTheRetry(t *testing.T) {
	f := newFleet(t, NewMemStore(), 2, testPolicy)
	f.tick(0, t0)
	f.succeed(0, t0)
	now := t0.Add(300 * time.Second)
	f.tick(1, now)
	f.fail(1, now, "status 500")
	if d, a := f.vms[0].c.RequestRefresh(now.Add(500 * time.Millisecond)); d || !a {
		t.Fatalf("during backoff: dispatch=%v accepted=%v, want false, true", d, a)
	}
	if st := f.status(now); !st.NextAttempt.Equal(now.Add(time.Second)) {
		t.Fatalf("the request moved the retry to %v", st.NextAttempt)
	}
	// Once the retry is due, the request starts it (and counts as early).
	if d, a := f.vms[0].c.RequestRefresh(now.Add(time.Second)); !d || !a {
		t.Fatalf("retry due: dispatch=%v accepted=%v, want true, true", d, a)
	}
}

func TestRequestRefreshBeforeAnyStateStartsTheFirstFetch(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(kind.name, func(t *testing.T) {
			f := newFleet(t, kind.new(), 2, testPolicy)
			if d, a := f.vms[0].c.RequestRefresh(t0); !d || !a {
				t.Fatalf("dispatch=%v accepted=%v, want true, true", d, a)
			}
			f.dispatched(0)
			if d, a := f.vms[1].c.RequestRefresh(t0); d || !a {
				t.Fatalf("second VM: dispatch=%v accepted=%v, want false, true", d, a)
			}
			f.succeed(0, t0)
			// The first fetch is not an early one: the budget is untouched.
			if d, a := f.vms[1].c.RequestRefresh(t0.Add(time.Second)); !d || !a {
				t.Fatalf("early refresh after the first fetch: dispatch=%v accepted=%v, want true, true", d, a)
			}
		})
	}
}

func TestCreationRaceYieldsOneLease(t *testing.T) {
	interleavings := []struct {
		name string
		hook func(a *spyStore, b func())
	}{
		// A: Get→absent; B: Get→absent, Set(create) wins; A: Set(create) must lose.
		{"both read absent, B creates first", func(a *spyStore, b func()) {
			a.beforeSet = func(key string) {
				if key == testStateKey {
					a.beforeSet = nil
					b()
				}
			}
		}},
		// B's whole tick lands just before A's first read (no race; the baseline).
		{"B creates just before A reads", func(a *spyStore, b func()) {
			a.beforeGet = func(key string) {
				if key == testStateKey {
					a.beforeGet = nil
					b()
				}
			}
		}},
	}
	for _, kind := range storeKinds {
		for _, il := range interleavings {
			t.Run(kind.name+"/"+il.name, func(t *testing.T) {
				base := kind.new()
				spyA := newSpyStore(base)
				a := NewCoordinator(testProvider, "vm-a", spyA, testPolicy)
				b := NewCoordinator(testProvider, "vm-b", base, testPolicy)
				var bDispatched bool
				il.hook(spyA, func() { bDispatched = b.Tick(t0) })
				aDispatched := a.Tick(t0)
				if aDispatched == bDispatched {
					t.Fatalf("A dispatched %v, B dispatched %v: want exactly one", aDispatched, bDispatched)
				}
				holder, other := b, a
				if aDispatched {
					holder, other = a, b
				}
				if other.Tick(t0.Add(time.Second)) || holder.Tick(t0.Add(time.Second)) {
					t.Fatal("a second lease was handed out while the first is held")
				}
				if _, err := other.FetchSucceeded(t0, []byte(`{}`)); !errors.Is(err, ErrLeaseLost) {
					t.Fatalf("loser's FetchSucceeded err = %v, want ErrLeaseLost", err)
				}
				v, err := holder.FetchSucceeded(t0.Add(time.Second), []byte(`{"keys":[]}`))
				if err != nil || v != 1 {
					t.Fatalf("winner's FetchSucceeded = %d, %v; want 1, nil", v, err)
				}
				// Steady state afterwards: one fetch per refresh, never two leases.
				dispatches := 0
				for sec := 2; sec < 1200; sec++ {
					now := t0.Add(time.Duration(sec) * time.Second)
					da, db := a.Tick(now), b.Tick(now.Add(time.Millisecond))
					if da && db {
						t.Fatalf("t=%ds both VMs dispatched", sec)
					}
					if da || db {
						dispatches++
						c := a
						if db {
							c = b
						}
						if _, err := c.FetchSucceeded(now.Add(time.Millisecond), []byte(`{"keys":[]}`)); err != nil {
							t.Fatal(err)
						}
					}
				}
				if dispatches != 3 { // about 301s, 601s and 902s after the first fetch
					t.Fatalf("dispatches in steady state = %d, want 3", dispatches)
				}
			})
		}
	}
}

func TestCorruptStateIsReplaced(t *testing.T) {
	garbage := []struct{ name, raw string }{
		{"empty", ""},
		{"binary", "\x00\xff\xfe\x01"},
		{"truncated JSON", `{"version":3,"lease_`},
		{"JSON array", `[1,2]`},
		{"JSON null", `null`},
		{"negative counter", `{"failures":-1}`},
		{"wrong type", `{"version":"seven"}`},
	}
	for _, kind := range storeKinds {
		for _, withKeySet := range []bool{false, true} {
			for _, g := range garbage {
				t.Run(fmt.Sprintf("%s/key set stored %v/%s", kind.name, withKeySet, g.name), func(t *testing.T) {
					s := kind.new()
					if withKeySet {
						if err := s.Set(testJWKSKey, encodeSharedKeySet(7, []byte(`{"keys":[]}`)), casCreate); err != nil {
							t.Fatal(err)
						}
					}
					if err := s.Set(testStateKey, []byte(g.raw), casCreate); err != nil {
						t.Fatal(err)
					}
					f := newFleet(t, s, 3, testPolicy)
					// Read-only calls report the damage without panicking.
					if _, _, _, err := f.vms[1].c.Current(0); !errors.Is(err, ErrSharedStateCorrupt) {
						t.Fatalf("Current err = %v, want ErrSharedStateCorrupt", err)
					}
					if st := f.vms[1].c.Status(t0); st.LastError == "" || st.Version != 0 {
						t.Fatalf("Status on damage = %+v, want an error and no version", st)
					}
					// The next tick replaces it by compare-and-swap and fetches.
					if !f.tick(0, t0) {
						t.Fatal("tick did not recover from the corrupt state")
					}
					if f.tick(1, t0) || f.tick(2, t0) {
						t.Fatal("a second lease after recovery")
					}
					wantVersion := uint64(0)
					if withKeySet {
						wantVersion = 7 // kept, so VMs holding version 7 read nothing
					}
					if st := f.status(t0); st.Version != wantVersion || !st.InFlight {
						t.Fatalf("status after recovery = %+v, want version %d, in flight", st, wantVersion)
					}
					if v := f.succeed(0, t0); v != wantVersion+1 {
						t.Fatalf("first version after recovery = %d, want %d", v, wantVersion+1)
					}
				})
			}
		}
	}
}

func TestImplausibleLeaseDoesNotBlockForever(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(kind.name, func(t *testing.T) {
			s := kind.new()
			hostile := fmt.Sprintf(`{"version":1,"lease_id":3,"lease_owner":"ghost","lease_until_ms":%d,"next_attempt_ms":%d}`,
				int64(9_000_000_000_000_000_000), int64(9_000_000_000_000_000_000))
			if err := s.Set(testStateKey, []byte(hostile), casCreate); err != nil {
				t.Fatal(err)
			}
			f := newFleet(t, s, 2, testPolicy)
			if !f.tick(0, t0) {
				t.Fatal("a lease ending in the far future blocked the fetch")
			}
			if v := f.succeed(0, t0); v != 4 {
				t.Fatalf("version = %d, want 4", v)
			}
		})
	}
}

func TestCurrentReadsOnlyTheStateWhenNothingChanged(t *testing.T) {
	f := newFleet(t, NewMemStore(), 2, testPolicy)
	f.tick(0, t0)
	v := f.succeed(0, t0)
	before := f.store.gets[testJWKSKey]
	for range 100 {
		f.sync(0)
	}
	if got := f.store.gets[testJWKSKey]; got != before {
		t.Fatalf("the publisher re-read the key set %d times", got-before)
	}
	f.sync(1) // vm-1 adopts it: one read
	for range 100 {
		f.sync(1)
	}
	if got := f.store.gets[testJWKSKey] - before; got != 1 {
		t.Fatalf("key-set reads by vm-1 = %d, want 1", got)
	}
	if f.vms[1].known != v {
		t.Fatalf("vm-1 known = %d, want %d", f.vms[1].known, v)
	}
}

// The documented two-in-flight case: a stalled holder passes its ownership
// check, then the new holder publishes, then the stale one writes the key
// set. The state is the new holder's, the key set the stale one's; readers
// take the envelope's version and do not copy it again for the same state.
func TestStaleHolderOverwritingTheKeySetStaysHarmless(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(kind.name, func(t *testing.T) {
			base := kind.new()
			spyX := newSpyStore(base)
			x := NewCoordinator(testProvider, "vm-x", spyX, testPolicy)
			y := NewCoordinator(testProvider, "vm-y", base, testPolicy)
			readerStore := newSpyStore(base)
			z := NewCoordinator(testProvider, "vm-z", readerStore, testPolicy)
			if !x.Tick(t0) {
				t.Fatal("x did not take the lease")
			}
			late := t0.Add(8 * time.Second) // x's lease (7s) has expired
			spyX.beforeGet = func(key string) {
				if key == testJWKSKey { // x is past its ownership check, about to write
					spyX.beforeGet = nil
					if !y.Tick(late) {
						t.Fatal("y did not take over")
					}
					if v, err := y.FetchSucceeded(late, []byte(`{"by":"y"}`)); err != nil || v != 2 {
						t.Fatalf("y FetchSucceeded = %d, %v", v, err)
					}
				}
			}
			if _, err := x.FetchSucceeded(late, []byte(`{"by":"x"}`)); !errors.Is(err, ErrLeaseLost) {
				t.Fatalf("x FetchSucceeded err = %v, want ErrLeaseLost", err)
			}
			if st := y.Status(late); st.Version != 2 || st.InFlight || st.Generation != 1 {
				t.Fatalf("state = %+v, want y's version 2, released", st)
			}
			// y keeps its own version without reading anything.
			if _, _, changed, err := y.Current(2); changed || err != nil {
				t.Fatalf("y Current(2) changed=%v err=%v", changed, err)
			}
			// A fresh reader gets x's (valid, one lease older) body with x's version.
			v, body, changed, err := z.Current(0)
			if err != nil || !changed || v != 1 || string(body) != `{"by":"x"}` {
				t.Fatalf("z Current(0) = %d, %q, %v, %v; want 1, x's body", v, body, changed, err)
			}
			reads := readerStore.gets[testJWKSKey]
			for range 10 {
				if _, _, changed, err := z.Current(1); changed || err != nil {
					t.Fatalf("z Current(1) changed=%v err=%v", changed, err)
				}
			}
			if got := readerStore.gets[testJWKSKey]; got != reads {
				t.Fatalf("z re-read the lagging key set %d times", got-reads)
			}
			// The next refresh brings everyone together.
			next := late.Add(300 * time.Second)
			if !z.Tick(next) {
				t.Fatal("refresh not due")
			}
			v3, err := z.FetchSucceeded(next, []byte(`{"by":"z"}`))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []*Coordinator{x, y} {
				if v, body, changed, err := c.Current(2); !changed || err != nil || v != v3 || string(body) != `{"by":"z"}` {
					t.Fatalf("Current(2) = %d, %q, %v, %v; want %d, z's body", v, body, changed, err, v3)
				}
			}
		})
	}
}

func TestCorruptKeySetRequestsARefresh(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(kind.name, func(t *testing.T) {
			f := newFleet(t, kind.new(), 2, testPolicy)
			f.tick(0, t0)
			f.succeed(0, t0)
			var cas uint32
			if _, c, err := f.store.Get(testJWKSKey); err == nil {
				cas = c
			}
			if err := f.store.Set(testJWKSKey, []byte("garbage"), cas); err != nil {
				t.Fatal(err)
			}
			reads := f.store.gets[testJWKSKey]
			for range 3 {
				if _, _, changed, err := f.vms[1].c.Current(0); changed || !errors.Is(err, ErrSharedKeySetCorrupt) {
					t.Fatalf("Current(0) changed=%v err=%v, want ErrSharedKeySetCorrupt", changed, err)
				}
			}
			// One read finds the damage; repeats for the same state copy nothing.
			if got := f.store.gets[testJWKSKey] - reads; got != 1 {
				t.Fatalf("key-set reads = %d, want 1", got)
			}
			if st := f.status(t0); !st.NextAttempt.Equal(t0.Add(300*time.Second)) || st.InFlight {
				t.Fatalf("status = %+v, want the regular schedule kept", st)
			}
			now := t0.Add(time.Second) // long before the regular refresh
			if !f.tick(1, now) {
				t.Fatal("the repair refresh was not dispatched")
			}
			v := f.succeed(1, now)
			f.sync(0)
			if f.vms[0].known != v {
				t.Fatalf("vm-0 known = %d, want %d", f.vms[0].known, v)
			}
		})
	}
}

func TestFetchResultWithoutLeaseIsRefused(t *testing.T) {
	c := NewCoordinator(testProvider, "vm-0", NewMemStore(), testPolicy)
	if _, err := c.FetchSucceeded(t0, []byte(`{}`)); !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("FetchSucceeded err = %v, want ErrLeaseLost", err)
	}
	if err := c.FetchFailed(t0, "x"); !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("FetchFailed err = %v, want ErrLeaseLost", err)
	}
	if !c.Tick(t0) {
		t.Fatal("no lease")
	}
	if _, err := c.FetchSucceeded(t0, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.FetchSucceeded(t0, []byte(`{}`)); !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("second FetchSucceeded for one lease: err = %v, want ErrLeaseLost", err)
	}
}

// failingStore refuses writes to one key with a host error (not a mismatch).
type failingStore struct {
	Store
	key string
}

var errHostRefused = errors.New("host refused")

func (s failingStore) Set(key string, value []byte, cas uint32) error {
	if key == s.key {
		return errHostRefused
	}
	return s.Store.Set(key, value, cas)
}

func TestKeySetWriteFailureReleasesTheLease(t *testing.T) {
	s := failingStore{Store: NewMemStore(), key: testJWKSKey}
	c := NewCoordinator(testProvider, "vm-0", s, testPolicy)
	c.Tick(t0)
	if _, err := c.FetchSucceeded(t0, []byte(`{}`)); !errors.Is(err, errHostRefused) {
		t.Fatalf("err = %v, want the host's error", err)
	}
	st := c.Status(t0)
	if st.InFlight || st.Failures != 1 || st.Version != 0 || !st.NextAttempt.Equal(t0.Add(time.Second)) {
		t.Fatalf("status = %+v, want the attempt recorded as failed", st)
	}
}

func TestStoreErrorsAreNotFatal(t *testing.T) {
	s := failingStore{Store: NewMemStore(), key: testStateKey}
	c := NewCoordinator(testProvider, "vm-0", s, testPolicy)
	if c.Tick(t0) {
		t.Fatal("dispatch without a lease")
	}
	if d, a := c.RequestRefresh(t0); d || a {
		t.Fatalf("RequestRefresh = %v, %v; want false, false", d, a)
	}
}

func TestTickSteadyStateAllocatesOnlyTheHostCopy(t *testing.T) {
	s := NewMemStore()
	c := NewCoordinator(testProvider, "vm-0", s, testPolicy)
	c.Tick(t0)
	if _, err := c.FetchSucceeded(t0, []byte(`{"keys":[]}`)); err != nil {
		t.Fatal(err)
	}
	now := t0.Add(time.Second)
	allocs := testing.AllocsPerRun(1000, func() {
		if c.Tick(now) {
			t.Fatal("dispatched")
		}
	})
	if allocs > 1 { // MemStore.Get's copy, as the host's
		t.Fatalf("Tick allocates %.1f times, want at most 1 (no decode when the state is unchanged)", allocs)
	}
}

func BenchmarkTickSteadyState(b *testing.B) {
	s := NewMemStore()
	vms := make([]*Coordinator, 8)
	for i := range vms {
		vms[i] = NewCoordinator(testProvider, fmt.Sprintf("vm-%d", i), s, testPolicy)
	}
	vms[0].Tick(t0)
	if _, err := vms[0].FetchSucceeded(t0, bytes.Repeat([]byte("k"), 4096)); err != nil {
		b.Fatal(err)
	}
	now := t0.Add(time.Second)
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if vms[n%8].Tick(now) {
			b.Fatal("dispatched")
		}
	}
}
