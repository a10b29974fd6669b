package config

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// ErrInvalid is wrapped by every error Parse returns; compare with errors.Is.
var ErrInvalid = errors.New("invalid plugin configuration")

// invalidError is one line of the form "config: <location>: <problem>".
// The line is the whole message: callers log it as is when the plugin
// refuses to start.
type invalidError struct{ line string }

func (e *invalidError) Error() string { return e.line }
func (e *invalidError) Unwrap() error { return ErrInvalid }

// invalid reports a problem with the value at a location; at the top level
// the location is left out.
func invalid(at location, format string, args ...any) error {
	problem := fmt.Sprintf(format, args...)
	if at == "" {
		return &invalidError{"config: " + problem}
	}
	return &invalidError{"config: " + string(at) + ": " + problem}
}

// invalidMember reports a problem with a member name inside an object, such
// as an unknown or duplicated field, where the object itself is the location.
func invalidMember(problem, name string, in location) error {
	return &invalidError{fmt.Sprintf("config: %s %s at %s", problem, quote(name), in.describe())}
}

// location is a JSON path such as providers[1].algorithms[2]; "" is the
// document itself.
type location string

func (l location) member(name string) location {
	if !isPlainName(name) {
		// Names from free-form objects (local_jwks) may contain dots or
		// brackets; quoting keeps the path unambiguous and on one line.
		return location(string(l) + "[" + quote(name) + "]")
	}
	if l == "" {
		return location(name)
	}
	return location(string(l) + "." + name)
}

func (l location) index(i int) location {
	return location(string(l) + "[" + strconv.Itoa(i) + "]")
}

func (l location) describe() string {
	if l == "" {
		return "top level"
	}
	return string(l)
}

func isPlainName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// maxQuoted bounds how much of a configured value an error line repeats, so
// a pasted blob cannot turn one log line into kilobytes.
const maxQuoted = 80

// quote renders a configured value for an error line: Go-quoted (so control
// characters cannot break the line) and shortened to maxQuoted bytes on a
// rune boundary.
func quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "..."
}
