// Package jwks parses JSON Web Key Sets (RFC 7517/7518) into validated public verification keys, selects the key for a token, and coordinates JWKS fetching across proxy VMs.
package jwks
