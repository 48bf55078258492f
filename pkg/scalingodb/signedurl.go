package scalingodb

import "net/url"

// SignedURL is a URL that carries its own short-lived credential in its
// query string, such as the pre-signed link to a backup archive or the
// logs URL. Its token is a secret: String and GoString redact it, and URL
// reveals it.
type SignedURL struct {
	url string
}

// URL returns the full URL, token included. Keep it out of logs.
func (s SignedURL) URL() string { return s.url }

// String returns the URL without its query, where the token travels.
func (s SignedURL) String() string { return redactURL(s.url) }

// GoString redacts the token for %#v.
func (s SignedURL) GoString() string { return "scalingodb.SignedURL{" + s.String() + "}" }

// IsZero reports whether the URL is empty.
func (s SignedURL) IsZero() bool { return s.url == "" }

func checkDownloadURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &ValidationError{Field: "url", Reason: "must be an absolute http or https URL"}
	}
	return nil
}
