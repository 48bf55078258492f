package httpx

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Redacted is what a Secret prints instead of its value.
const Redacted = "[redacted]"

// Secret is a sensitive string, such as a database password or an API
// token, that prints as "[redacted]" under every fmt verb, flag and width,
// in log/slog output (through its text and JSON marshalers) and in JSON,
// so that logging a DatabaseUser cannot leak its password.
//
// The value is kept behind an unexported pointer, so that even the paths
// where fmt calls no method (%p, a bad verb such as %!d, a field reached
// through an unexported one) print an address, never the bytes. NewSecret
// makes one, Reveal returns the value, Equal compares two. The zero Secret
// is the empty secret. Two Secrets are compared with Equal, not ==.
type Secret struct {
	v *string
}

// NewSecret returns a Secret holding s.
func NewSecret(s string) Secret {
	if s == "" {
		return Secret{}
	}
	v := new(string) // allocated here only, not for the empty secret
	*v = s
	return Secret{v: v}
}

// Reveal returns the secret value.
func (s Secret) Reveal() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.v == nil || *s.v == "" }

// Equal reports whether s and o hold the same value, in time that does
// not depend on where they differ. go-cmp uses it too.
func (s Secret) Equal(o Secret) bool {
	return subtle.ConstantTimeCompare([]byte(s.Reveal()), []byte(o.Reveal())) == 1
}

// String returns "[redacted]", or "" for an empty secret.
func (s Secret) String() string {
	if s.IsZero() {
		return ""
	}
	return Redacted
}

// GoString returns the redacted form for %#v.
func (s Secret) GoString() string {
	if s.IsZero() {
		return `scalingodb.Secret("")`
	}
	return `scalingodb.Secret("` + Redacted + `")`
}

// Format prints the redacted form whatever the verb: %#v gives GoString,
// %q the quoted String form, every other verb the String form.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, s.GoString())
		return
	}
	FormatRedacted(f, verb, s.String())
}

// MarshalJSON encodes the redacted form: a Secret never leaves the process
// through JSON by accident. Marshal s.Reveal() to store the real value.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// MarshalText encodes the redacted form, for encoders that use it.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// errRedactedRead is the error of decoding "[redacted]", the form a Secret
// marshals to: the value it stood for was lost.
var errRedactedRead = errors.New(`scalingodb: a Secret cannot be read from "` + Redacted +
	`", the form it marshals to: the value was lost (save Reveal() to keep it)`)

// UnmarshalJSON reads a JSON string (or null, the empty secret), so that
// a configuration file can hold a Secret. "[redacted]" is refused: it is
// what a Secret marshals to, and a configuration saved with encoding/json
// and read again would otherwise hold it as its token.
func (s *Secret) UnmarshalJSON(data []byte) error {
	var v *string
	if err := json.Unmarshal(data, &v); err != nil {
		// The error names the JSON type only, never the value.
		return fmt.Errorf("scalingodb: a Secret is a JSON string: %w", err)
	}
	if v == nil {
		*s = Secret{}
		return nil
	}
	return s.UnmarshalText([]byte(*v))
}

// UnmarshalText reads the value as is, for flags and environment decoders;
// "[redacted]" (white space around it included) is refused, as by
// UnmarshalJSON.
func (s *Secret) UnmarshalText(text []byte) error {
	if string(bytes.TrimSpace(text)) == Redacted {
		return errRedactedRead
	}
	*s = NewSecret(string(text))
	return nil
}

// FormatRedacted prints desc, the description of a value that holds a
// secret, whatever the verb: %q quotes it, every other verb writes it as
// is, so that a verb meant for numbers cannot reach the value's fields.
func FormatRedacted(f fmt.State, verb rune, desc string) {
	if verb == 'q' {
		_, _ = fmt.Fprintf(f, "%q", desc)
		return
	}
	_, _ = io.WriteString(f, desc)
}
