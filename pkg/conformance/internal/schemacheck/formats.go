package schemacheck

import (
	"errors"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// Formats holds the format validators of one validator: strict RFC 3339 date-times, absolute URIs,
// and the ranges of int32 and int64. They are passed to kin-openapi per validation call
// (openapi3.WithStringFormatValidators), so nothing global is changed.
type Formats struct {
	Strings  map[string]openapi3.StringFormatValidator
	Integers map[string]openapi3.IntegerFormatValidator
}

// NewFormats returns the format validators that match what the generated Go types decode.
func NewFormats() Formats {
	return Formats{
		Strings: map[string]openapi3.StringFormatValidator{
			"date-time": openapi3.NewCallbackValidator(validateDateTime),
			"uri":       openapi3.NewCallbackValidator(validateURI),
		},
		Integers: map[string]openapi3.IntegerFormatValidator{
			"int32": openapi3.NewRangeFormatValidator(int64(math.MinInt32), int64(math.MaxInt32)),
			"int64": openapi3.NewRangeFormatValidator(int64(math.MinInt64), int64(math.MaxInt64)),
		},
	}
}

var (
	errDateTime = errors.New("not an RFC 3339 date-time with an offset or Z")
	errFraction = errors.New("a fraction of a second of more than 9 digits, which time.Time cuts to nanoseconds")
	errURI      = errors.New("not an absolute URI with a scheme and a host")
)

// decodedFormats are the string formats that the generated types decode with a parser of their own
// rather than as a Go string: oapi-codegen makes a date-time a time.Time. Such a parser reads the
// bytes between the quotes, escapes and all (time.Time does: golang/go#47353), so a value of one of
// these formats must be written without escapes to decode as it validates.
var decodedFormats = map[string]bool{"date-time": true}

// maxFractionDigits is the longest fraction of a second that time.Time holds exactly.
const maxFractionDigits = 9

// validateDateTime accepts the RFC 3339 date-times that time.Time decodes to the same instant:
// exactly "YYYY-MM-DDTHH:MM:SS", an optional fraction after a dot, and "Z" or "±HH:MM", with an
// upper-case T and Z, a real calendar day, hours below 24, no leap second, an offset below 24:00
// and at most 9 digits of fraction (time.Time would cut the others silently, even zeros, so that
// it does not encode back to the same text). time.Parse alone would also take a comma before the
// fraction, a one-digit hour and a 24:00 offset.
func validateDateTime(s string) error {
	const shape = "dddd-dd-ddTdd:dd:dd"
	if len(s) < len(shape)+1 {
		return errDateTime
	}
	for i := 0; i < len(shape); i++ {
		if shape[i] == 'd' {
			if s[i] < '0' || s[i] > '9' {
				return errDateTime
			}
		} else if s[i] != shape[i] {
			return errDateTime
		}
	}
	rest := s[len(shape):]
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 1 {
			return errDateTime
		}
		if n-1 > maxFractionDigits {
			return errFraction
		}
		rest = rest[n:]
	}
	switch {
	case rest == "Z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' &&
		twoDigits(rest[1:3], 23) && twoDigits(rest[4:6], 59):
	default:
		return errDateTime
	}
	var t time.Time
	if err := t.UnmarshalText([]byte(s)); err != nil {
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
