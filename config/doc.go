// Package config reads and validates the plugin configuration: the JSON
// document Envoy hands to the filter at plugin start.
//
// Parse is strict on purpose. A proxy that starts half-configured protects
// less than its operator believes, so every problem — malformed JSON, an
// unknown or duplicated field, a value of the wrong JSON type, a value out
// of range — fails Parse with one line naming the JSON location, for example
//
//	config: providers[0].remote_jwks.path: must start with "/"
//
// Parse works in three passes over the document: wellformed.go (syntax,
// duplicate members, trailing data), decode.go with reader.go (known fields
// and JSON types) and validate.go (values, defaults and the conversion into
// Config). Within a pass the first problem in document or
// field order is reported, so the same input always gives the same error.
//
// The package has no dependencies beyond the standard library and reads no
// clock, so it builds and runs unchanged inside the wasm filter.
package config
