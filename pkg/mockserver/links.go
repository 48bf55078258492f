package mockserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/hostcheck"
)

// WithPublicURL makes the links the answers carry (the download_url of getBackupArchive, the Location
// of an upgrade) start with base instead of the scheme and Host of each request: base is the API's
// base URL as clients reach it through a proxy or a TLS terminator, "/api" included when the proxy
// keeps it (https://proxy.example/api), left out when it serves the API at its root
// (http://127.0.0.1:4010 for Prism). A link is base followed by the operation's path below /api, such
// as /databases/{database_id}/backups/{backup_id}/download; a trailing slash of base is dropped.
//
// base must be an absolute http or https URL with a host a client can reach (a name or an IP literal,
// a port in 1..65535), without userinfo, query or fragment; otherwise New fails with a
// *PublicURLError.
//
// Without it, links are built from the request: its scheme and its Host, which must then name such a
// host. A request whose Host does not is refused with 400 and the spec's Error body (RFC 9112 §3.2),
// before anything starts.
func WithPublicURL(base string) Option {
	return func(c *config) {
		b, err := parsePublicURL(base)
		if err != nil {
			c.errs = append(c.errs, err)
			return
		}
		c.publicURL = b
	}
}

// PublicURLError tells why the base URL given to WithPublicURL cannot start the mock's links.
type PublicURLError struct {
	// URL is the URL as given, its userinfo, if any, left out: it may hold credentials.
	URL string
	// Reason says what is wrong with it.
	Reason string
}

// Error returns the error message.
func (e *PublicURLError) Error() string {
	return fmt.Sprintf("mockserver: WithPublicURL: %q: %s", e.URL, e.Reason)
}

// parsePublicURL checks the base URL of WithPublicURL and returns it as links start with it:
// scheme://host followed by the escaped path, without a trailing slash.
func parsePublicURL(raw string) (string, error) {
	fail := func(reason string) error { return &PublicURLError{URL: withoutUserinfo(raw), Reason: reason} }
	if raw == "" {
		return "", fail("empty URL")
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the url.Error repeats the URL, userinfo included
		}
		return "", fail(err.Error())
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fail("the scheme must be http or https (an absolute URL such as https://proxy.example/api)")
	case u.Opaque != "" || u.Host == "":
		return "", fail("no host: an absolute URL such as https://proxy.example/api is needed")
	case u.User != nil:
		return "", fail("userinfo is not allowed: the links would hand out credentials")
	case u.RawQuery != "" || u.ForceQuery:
		return "", fail("a query is not allowed: the links add their own")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return "", fail("a fragment is not allowed")
	}
	if err := hostcheck.Check(u.Host); err != nil {
		return "", fail(err.Error())
	}
	return u.Scheme + "://" + u.Host + strings.TrimRight(u.EscapedPath(), "/"), nil
}

// withoutUserinfo returns raw with what stands before an "@" of its authority cut out, so that an
// error never repeats credentials, even of a URL that does not parse.
func withoutUserinfo(raw string) string {
	i := strings.Index(raw, "://")
	if i < 0 {
		return raw
	}
	rest := raw[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndexByte(rest[:end], '@'); at >= 0 {
		return raw[:i+3] + rest[at+1:]
	}
	return raw
}

// linkBase is what the links of an answer start with, up to the operation's path below /api: the
// base of WithPublicURL, or scheme://Host/api of the request being served, whose Host must name a
// host a client can reach.
func (s *Server) linkBase(ctx context.Context) (string, error) {
	if s.cfg.publicURL != "" {
		return s.cfg.publicURL, nil
	}
	r, _ := ctx.Value(requestKey{}).(*http.Request)
	if r == nil {
		return "", errors.New("mockserver: the operation was served without its request") // keepRequest
	}
	if err := hostcheck.Check(r.Host); err != nil {
		return "", fmt.Errorf("the Host %s cannot make a link to the mock: %w; send the host and port the mock is reached at, or start the mock with a public URL (-public-url, WithPublicURL)", hostcheck.Quote(r.Host), err)
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + apiBase, nil
}
