// Package jwt validates OAuth 2.0 JWT access tokens (RFC 9068) presented to a
// resource server.
//
// It works in two steps. Parse performs the strict structural checks that
// golang-jwt leaves to its caller (segment count, canonical unpadded
// base64url, UTF-8 JSON objects without duplicate members, header
// parameters alg/kid/crit/cty/typ). The caller then uses UnverifiedIssuer and
// Header.KeyID to choose the provider and key, and Validator.Validate checks
// the signature with that key and the claims against the provider's policy.
//
// The package is pure: no I/O, no clock (time is passed in), no goroutines,
// so it runs unchanged inside a proxy-wasm VM.
package jwt
