package scalingodb

import "github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"

// Secret is a sensitive string, such as a database password or an API
// token, that prints as "[redacted]" under every fmt verb, in log/slog
// output and in JSON; Reveal returns the value, Equal compares two.
type Secret = httpx.Secret

// NewSecret returns a Secret holding s.
func NewSecret(s string) Secret { return httpx.NewSecret(s) }

// SignedURL is a URL that carries its own short-lived credential in its
// query string, such as the pre-signed link to a backup archive; it prints
// without its query, and URL reveals it.
type SignedURL = httpx.SignedURL

// newSignedURL returns the SignedURL of raw.
func newSignedURL(raw string) SignedURL { return httpx.NewSignedURL(raw) }

// checkDownloadURL refuses a link that is not an absolute http or https URL.
func checkDownloadURL(raw string) error { return httpx.CheckDownloadURL(raw) }
