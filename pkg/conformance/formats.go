package conformance

import (
	"errors"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// formats holds the format validators of one Validator. They are passed to kin-openapi per
// validation call, so nothing global is changed.
type formats struct {
	strings  map[string]openapi3.StringFormatValidator
	integers map[string]openapi3.IntegerFormatValidator
}

func newFormats() formats {
	return formats{
		strings: map[string]openapi3.StringFormatValidator{
			"date-time": openapi3.NewCallbackValidator(validateDateTime),
			"uri":       openapi3.NewCallbackValidator(validateURI),
		},
		integers: map[string]openapi3.IntegerFormatValidator{
			"int32": openapi3.NewRangeFormatValidator(int64(math.MinInt32), int64(math.MaxInt32)),
			"int64": openapi3.NewRangeFormatValidator(int64(math.MinInt64), int64(math.MaxInt64)),
		},
	}
}

var (
	errDateTime = errors.New("not an RFC 3339 date-time with an offset or Z")
	errURI      = errors.New("not an absolute URI with a scheme and a host")
)

// validateDateTime accepts RFC 3339 date-times only: a date, a 'T', a time with optional fraction,
// and an offset ("Z" or "±hh:mm"). A missing offset fails.
func validateDateTime(s string) error {
	// time.Parse's RFC 3339 path requires the offset, but accepts offsets beyond 23:59: check the
	// shape first.
	if len(s) < len("2006-01-02T15:04:05Z") || s[10] != 'T' {
		return errDateTime
	}
	last := s[len(s)-1]
	if last != 'Z' {
		if len(s) < len("2006-01-02T15:04:05+00:00") {
			return errDateTime
		}
		off := s[len(s)-6:]
		if (off[0] != '+' && off[0] != '-') || off[3] != ':' ||
			!twoDigits(off[1:3], 23) || !twoDigits(off[4:6], 59) {
			return errDateTime
		}
	}
	if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
		return errDateTime
	}
	return nil
}

// validateURI accepts absolute URIs with a scheme and a host, and no spaces.
func validateURI(s string) error {
	if s == "" || strings.ContainsAny(s, " \t\r\n") {
		return errURI
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		return errURI
	}
	return nil
}

// twoDigits reports whether s is two ASCII digits worth at most limit.
func twoDigits(s string, limit int) bool {
	return len(s) == 2 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' &&
		int(s[0]-'0')*10+int(s[1]-'0') <= limit
}
