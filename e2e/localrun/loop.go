package localrun

import (
	"errors"
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/e2e/host"
)

// ErrStopped: the server is shutting down and takes no more work.
var ErrStopped = errors.New("server stopped")

// loop owns the host. The host is single-threaded like an Envoy worker, so
// every host and VM call runs on the loop's goroutine; other goroutines hand
// it work with post, which rides on host.Post and is run by host.Drain.
type loop struct {
	h       *host.Host
	workers []*host.VM
	next    int // round-robin cursor over workers
	tick    time.Duration
	log     *logWriter

	waiting []*pending // streams whose decision is not known yet
	last    time.Time  // real time the virtual clock was last moved to

	stop chan struct{}
	done chan struct{}
}

// pending is a request the plugin has not decided yet (paused in its
// request-headers callback, waiting for keys). It is checked after every
// piece of work the loop does, because the decision can come from a tick,
// from a JWKS response, or from another VM's fetch.
type pending struct {
	stream    *host.Stream
	decided   chan<- decision
	cancelled bool
}

// post queues f on the loop goroutine. It reports false when the loop has
// stopped (f will never run).
func (l *loop) post(f func()) bool {
	select {
	case <-l.done:
		return false
	default:
	}
	l.h.Post(f)
	return true
}

// run is the loop's goroutine: it moves the virtual clock with real time,
// ticks the VMs, runs posted work, and hands out decisions.
func (l *loop) run() {
	defer close(l.done)
	ticker := time.NewTicker(l.tick)
	defer ticker.Stop()
	for {
		ticked := false
		select {
		case <-l.stop:
			l.shutdown()
			return
		case <-l.h.Notify():
		case <-ticker.C:
			ticked = true
		}
		l.advance()
		if ticked {
			if err := l.h.Tick(); err != nil {
				l.log.logf(host.LogError, "tick: %v", err)
			}
		}
		l.h.Drain()
		l.settle()
	}
}

// advance keeps the virtual clock on real time, so tokens minted now are
// judged against now and timeouts last what they say.
func (l *loop) advance() {
	now := time.Now()
	l.h.Advance(now.Sub(l.last))
	l.last = now
}

// start runs a request through the next worker VM and returns its stream.
func (l *loop) start(o host.RequestOptions) *host.Stream {
	vm := l.workers[l.next%len(l.workers)]
	l.next++
	l.advance()
	return vm.RequestWith(o)
}

// await registers a stream whose decision is sent on ch once known.
func (l *loop) await(s *host.Stream, ch chan<- decision) *pending {
	p := &pending{stream: s, decided: ch}
	l.waiting = append(l.waiting, p)
	l.settle()
	return p
}

// settle hands out the decisions that are known and forgets cancelled waits.
func (l *loop) settle() {
	kept := l.waiting[:0]
	for _, p := range l.waiting {
		if p.cancelled {
			continue
		}
		if d, ok := decide(p.stream); ok {
			p.decided <- d // buffered, one send per pending
			continue
		}
		kept = append(kept, p)
	}
	clear(l.waiting[len(kept):])
	l.waiting = kept
}

// shutdown ends every VM (live streams get on_done, as when Envoy stops).
func (l *loop) shutdown() {
	l.h.Drain()
	for _, p := range l.waiting {
		p.decided <- decision{kind: decisionStopped}
	}
	l.waiting = nil
	if err := l.h.Close(); err != nil {
		l.log.logf(host.LogWarn, "closing the VMs: %v", err)
	}
}
