package guard

import (
	"strconv"
	"time"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/config"
)

// httpDate is the IMF-fixdate form of an HTTP-date (RFC 9110 §5.6.7),
// which Sunset uses (RFC 8594 §3).
const httpDate = "Mon, 02 Jan 2006 15:04:05 GMT"

// deprecationHeaders renders, once, the response headers that tell API-key
// clients in auth_mode both that keys are deprecated:
//
//	Deprecation: @<unix seconds>                   RFC 9745 §2 (a Structured Field Date)
//	Sunset: <IMF-fixdate>                          RFC 8594, when configured
//	Link: <deprecation_link>; rel="deprecation"    RFC 9745 §3, when configured
//
// Without deprecation_date the date is when the plugin started, the moment
// this configuration began to mark keys deprecated; it is moved back to the
// sunset if that is earlier, since RFC 9745 §4 forbids a Sunset before the
// Deprecation.
func deprecationHeaders(c *config.Config, started time.Time) [][2]string {
	if c.AuthMode != config.AuthModeBoth {
		return nil
	}
	date := c.DeprecationDate
	if date.IsZero() {
		date = time.Unix(started.Unix(), 0)
		if !c.SunsetDate.IsZero() && c.SunsetDate.Before(date) {
			date = c.SunsetDate
		}
	}
	headers := [][2]string{{"deprecation", "@" + strconv.FormatInt(date.Unix(), 10)}}
	if !c.SunsetDate.IsZero() {
		headers = append(headers, [2]string{"sunset", c.SunsetDate.UTC().Format(httpDate)})
	}
	if c.DeprecationLink != "" {
		headers = append(headers, [2]string{"link", "<" + c.DeprecationLink + `>; rel="deprecation"`})
	}
	return headers
}
