package peers

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// jwksRelay stands where the plugin's auth_server cluster points and
// passes each request on to the AS, recording what the plugin fetched: the
// tests observe the plugin's JWKS refreshes here instead of parsing its log
// lines. When the AS cannot be reached the relay drops the connection
// without an answer, so the plugin sees the AS unreachable.
type jwksRelay struct {
	srv    *httptest.Server
	target func() string // the AS origin (it keeps its port across restarts)

	mu       sync.Mutex
	fetches  []jwksFetch
	changed  chan struct{}
	upstream *http.Client
}

// jwksFetch is one request the plugin made to the AS.
type jwksFetch struct {
	At   time.Time
	OK   bool     // the AS answered 200
	Kids []string // the kids of the JWK Set it answered
}

func startJWKSRelay(t *testing.T, target func() string) *jwksRelay {
	t.Helper()
	r := &jwksRelay{target: target, changed: make(chan struct{}),
		upstream: &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(func() {
		r.srv.CloseClientConnections()
		r.srv.Close()
	})
	return r
}

func (r *jwksRelay) serve(w http.ResponseWriter, req *http.Request) {
	resp, err := r.upstream.Get(r.target() + req.URL.RequestURI())
	if err != nil {
		r.record(jwksFetch{At: time.Now()})
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		http.Error(w, "unreachable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	f := jwksFetch{At: time.Now(), OK: resp.StatusCode == http.StatusOK}
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if json.Unmarshal(body, &set) == nil {
		for _, k := range set.Keys {
			f.Kids = append(f.Kids, k.Kid)
		}
		slices.Sort(f.Kids)
	}
	for _, h := range []string{"Content-Type", "Cache-Control"} {
		if v := resp.Header.Get(h); v != "" {
			w.Header().Set(h, v)
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
	r.record(f)
}

func (r *jwksRelay) record(f jwksFetch) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fetches = append(r.fetches, f)
	close(r.changed)
	r.changed = make(chan struct{})
}

// URL is the relay's origin, mapped to the auth_server cluster.
func (r *jwksRelay) URL() string { return r.srv.URL }

// mark is the number of fetches so far.
func (r *jwksRelay) mark() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.fetches)
}

// waitFetch waits for a fetch after since that match accepts.
func (r *jwksRelay) waitFetch(since int, timeout time.Duration, match func(jwksFetch) bool) (jwksFetch, bool) {
	deadline := time.After(timeout)
	for {
		r.mu.Lock()
		for _, f := range r.fetches[min(since, len(r.fetches)):] {
			if match(f) {
				r.mu.Unlock()
				return f, true
			}
		}
		changed := r.changed
		r.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			return jwksFetch{}, false
		}
	}
}

// failedFetch and fetchedKids are waitFetch matchers.
func failedFetch(f jwksFetch) bool { return !f.OK }

func fetchedKids(kids ...string) func(jwksFetch) bool {
	want := slices.Sorted(slices.Values(kids))
	return func(f jwksFetch) bool { return f.OK && slices.Equal(f.Kids, want) }
}
