// Package filter is the proxy-wasm adapter: it reads requests from the host,
// asks the guard package what to do, applies the answer, and runs JWKS
// fetching through dispatched HTTP calls and shared data. The decisions live
// in guard, jwt and jwks; this package only talks to the host.
package filter
