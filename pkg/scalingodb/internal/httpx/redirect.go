package httpx

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// RedirectError is a redirect the client refused to follow: from https to
// plain http, where the request and its answer would travel unencrypted;
// a 307 or 308 to another origin, which would send the request's body (a
// password, a user to create) where the bearer token is not sent; or a
// redirect of a request that changes something (any method but GET and
// HEAD) to another origin, or one that turns it into a GET, where the
// change would not reach the API and the answer would read as its
// success. It is never retried.
type RedirectError struct {
	// From and To are the two URLs, without their query strings.
	From, To string
	// what says what the redirect would have done.
	what string
}

// Error names the refused redirect.
func (e *RedirectError) Error() string {
	what := e.what
	if what == "" {
		what = "go from https to http"
	}
	return "scalingodb: refused a redirect that would " + what + " (" + e.From + " to " + e.To + ")"
}

// Permanent reports that a retry cannot fix the error.
func (e *RedirectError) Permanent() bool { return true }

// SafeRedirects wraps a CheckRedirect (nil: Go's default, at most 10
// redirects). Go's own rule forwards Authorization to the same host name on
// any port or scheme; this one keeps it only for the exact origin (scheme,
// host, port) of the first request, refuses any redirect from https to
// http, refuses a redirect to another origin that would send the body
// again (a 307 or 308 of a request with a body): the body may hold a
// secret, as Authorization does; and refuses to let a request that
// changes something be answered by another origin, or be turned into a
// GET (Go's rule on a 301, 302 or 303).
func SafeRedirects(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		refuse := func(what string) error {
			return &RedirectError{From: RedactURL(via[len(via)-1].URL.String()), To: RedactURL(req.URL.String()), what: what}
		}
		for _, v := range via {
			if strings.EqualFold(v.URL.Scheme, "https") && !strings.EqualFold(req.URL.Scheme, "https") {
				return refuse("")
			}
		}
		changes := via[0].Method != http.MethodGet && via[0].Method != http.MethodHead
		if changes && req.Method != via[0].Method {
			return refuse("turn a " + via[0].Method + " into a " + req.Method)
		}
		if !sameOrigin(req.URL, via[0].URL) {
			if req.GetBody != nil || req.Body != nil && req.Body != http.NoBody {
				return refuse("send the request's body to another origin")
			}
			if changes {
				return refuse("have another origin answer a " + via[0].Method)
			}
			req.Header.Del("Authorization")
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
}

// sameOrigin reports whether a and b have the same scheme, host and port.
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

// port is the URL's port, or its scheme's default.
func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return "443"
	case "http":
		return "80"
	}
	return ""
}

// WithSafeRedirects returns a shallow copy of hc whose redirects follow SafeRedirects.
func WithSafeRedirects(hc *http.Client) *http.Client {
	c := *hc
	c.CheckRedirect = SafeRedirects(hc.CheckRedirect)
	return &c
}
