// Package guard decides what happens to one request at an OAuth 2.1 protected
// resource: extract the credential, pick the rule, validate the access token,
// authorize its scopes, and either forward the request or answer it with the
// exact OAuth error (RFC 6750, RFC 9728). It knows nothing of proxy-wasm: the
// filter package feeds it requests and applies its outcomes.
package guard
