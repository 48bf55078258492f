package httpx

import (
	"fmt"
	"net/url"
)

// SignedURL is a URL that carries its own short-lived credential in its
// query string, such as the pre-signed link to a backup archive or the
// logs URL. Its token is a secret: it prints without its query under every
// fmt verb (%v, %s, %q, %d, %x…, inside structs, slices and maps too), in
// log/slog output and in JSON; URL reveals it. The URL is kept in a
// Secret, so that the paths where fmt calls no method (%p, a field reached
// through an unexported one) print an address only.
type SignedURL struct {
	url Secret
}

// NewSignedURL returns the SignedURL of raw.
func NewSignedURL(raw string) SignedURL { return SignedURL{url: NewSecret(raw)} }

// URL returns the full URL, token included. Keep it out of logs.
func (s SignedURL) URL() string { return s.url.Reveal() }

// String returns the URL without its query, where the token travels.
func (s SignedURL) String() string { return RedactURL(s.URL()) }

// GoString redacts the token for %#v.
func (s SignedURL) GoString() string { return "scalingodb.SignedURL{" + s.String() + "}" }

// Format prints the redacted form whatever the verb: %q quotes it, %#v
// gives GoString, every other verb the String form.
func (s SignedURL) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(s.GoString()))
		return
	}
	FormatRedacted(f, verb, s.String())
}

// MarshalJSON encodes the redacted form; marshal URL() to keep the token.
func (s SignedURL) MarshalJSON() ([]byte, error) { return []byte(fmt.Sprintf("%q", s.String())), nil }

// MarshalText encodes the redacted form, for encoders that use it.
func (s SignedURL) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// IsZero reports whether the URL is empty.
func (s SignedURL) IsZero() bool { return s.URL() == "" }

// CheckDownloadURL returns an *InvalidInputError unless raw is an absolute
// http or https URL, as a download link must be.
func CheckDownloadURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &InvalidInputError{Field: "url", Reason: "must be an absolute http or https URL"}
	}
	return nil
}
