package scalingodb

import (
	"fmt"
)

// redacted is what a Secret prints instead of its value.
const redacted = "[redacted]"

// Secret is a sensitive string, such as a database password, that prints
// as "[redacted]" with every fmt verb (%v, %s, %q, %#v, %x), in log/slog
// output (through its text and JSON marshalers) and in JSON, so that
// logging a DatabaseUser cannot leak its password.
// Reveal returns the real value; a Secret can also be converted with
// string(s) when the value is needed on purpose.
type Secret string

// Reveal returns the secret value.
func (s Secret) Reveal() string { return string(s) }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s == "" }

// String returns "[redacted]", or "" for an empty secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString returns the redacted form for %#v.
func (s Secret) GoString() string {
	if s == "" {
		return `scalingodb.Secret("")`
	}
	return `scalingodb.Secret("` + redacted + `")`
}

// Format prints the redacted form whatever the verb.
func (s Secret) Format(f fmt.State, verb rune) {
	switch verb {
	case 'v':
		if f.Flag('#') {
			_, _ = f.Write([]byte(s.GoString()))
			return
		}
	case 'q':
		_, _ = fmt.Fprintf(f, "%q", s.String())
		return
	}
	_, _ = f.Write([]byte(s.String()))
}

// MarshalJSON encodes the redacted form: a Secret never leaves the process
// through JSON by accident. Marshal s.Reveal() to store the real value.
func (s Secret) MarshalJSON() ([]byte, error) {
	if s == "" {
		return []byte(`""`), nil
	}
	return []byte(`"` + redacted + `"`), nil
}

// MarshalText encodes the redacted form, for encoders that use it.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
