package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// HostRefusedError is returned for a request to a host the run does not allow: neither the
// base URL's host nor one listed in DBAPI_DOWNLOAD_HOSTS. The request never reaches the network.
type HostRefusedError struct {
	Method string
	Host   string // the refused host[:port]
	Base   string // the base URL's host[:port]
	// From is the operation whose answer held the link (getBackupArchive for a download_url),
	// "" when the request was refused in the transport.
	From string
}

// Error names the host, the operation whose link points there when known, and the setting that
// allows it.
func (e *HostRefusedError) Error() string {
	from := ""
	if e.From != "" {
		from = " (the link " + e.From + " gave)"
	}
	return fmt.Sprintf("refused %s to host %s%s before dialing: it is neither the base URL's host %s nor in %s; add it there if the API really sends downloads to it",
		e.Method, e.Host, from, e.Base, EnvDownloadHosts)
}

// HostGuard wraps next so that only requests to base's host, or to one of allowed (host[:port];
// a host without a port allows every port), pass. Any other host fails with a
// *HostRefusedError before next is called: a download_url pointing elsewhere gets no request,
// and so none of the suite's secrets.
func HostGuard(base string, allowed []string, next http.RoundTripper) http.RoundTripper {
	g := newHosts(base, allowed)
	g.next = next
	return g
}

// CheckLink returns a *HostRefusedError naming from, the operation whose answer held link, when
// link points at a host that HostGuard(base, allowed, ...) would refuse; nil otherwise.
func CheckLink(base string, allowed []string, from, link string) error {
	u, err := url.Parse(link)
	if err != nil {
		return err
	}
	g := newHosts(base, allowed)
	if g.allows(u) {
		return nil
	}
	return &HostRefusedError{Method: http.MethodGet, Host: strings.ToLower(u.Host), Base: g.base, From: from}
}

type hostGuard struct {
	base    string
	allowed []string
	next    http.RoundTripper
}

func newHosts(base string, allowed []string) hostGuard {
	g := hostGuard{base: hostOf(base)}
	for _, a := range allowed {
		g.allowed = append(g.allowed, strings.ToLower(a))
	}
	return g
}

// allows reports whether u's host is the base's or an allowed one.
func (g hostGuard) allows(u *url.URL) bool {
	host := strings.ToLower(u.Host)
	if host == g.base {
		return true
	}
	name := strings.ToLower(u.Hostname())
	for _, a := range g.allowed {
		if a == host || (!strings.Contains(strings.TrimPrefix(a, "["), ":") && a == name) || a == "["+name+"]" {
			return true
		}
	}
	return false
}

func (g hostGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if g.allows(req.URL) {
		return g.next.RoundTrip(req)
	}
	if req.Body != nil {
		_ = req.Body.Close()
	}
	return nil, &HostRefusedError{Method: req.Method, Host: strings.ToLower(req.URL.Host), Base: g.base}
}

// RewriteBasePath wraps next so that a request the suite addresses under the spec's /api on
// base's host goes out under basePath, for a target that serves the API elsewhere (Prism serves
// it at its root: basePath "/"). Requests to any other host (a download host) keep their paths.
// Placed under the validating transport, it lets the validator see the spec's paths while the
// target sees its own. With basePath "/api" it returns next unchanged.
func RewriteBasePath(base, basePath string, next http.RoundTripper) http.RoundTripper {
	basePath = "/" + strings.Trim(basePath, "/")
	if basePath == specBasePath {
		return next
	}
	return basePathRewriter{host: hostOf(base), base: strings.TrimRight(basePath, "/"), next: next}
}

type basePathRewriter struct {
	host string // the base URL's host[:port], lower case
	base string // "" for the root
	next http.RoundTripper
}

func (b basePathRewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	p := req.URL.Path
	if !strings.EqualFold(req.URL.Host, b.host) || (p != specBasePath && !strings.HasPrefix(p, specBasePath+"/")) {
		return b.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.URL.Path = b.base + strings.TrimPrefix(p, specBasePath)
	r.URL.RawPath = ""
	return b.next.RoundTrip(r)
}

// hostOf returns the lower-case host[:port] of a URL, "" when it does not parse.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

// SpecURL maps a URL the target gave (a download_url) on base's host from basePath back under
// the spec's /api, so that the suite can follow it through RewriteBasePath and the validator can
// route it. A URL already under /api, not under basePath, or on another host comes back
// unchanged.
func SpecURL(base, raw, basePath string) string {
	basePath = "/" + strings.Trim(basePath, "/")
	if basePath == specBasePath {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil || strings.HasPrefix(u.Path, specBasePath+"/") || !strings.EqualFold(u.Host, hostOf(base)) {
		return raw
	}
	prefix := strings.TrimRight(basePath, "/")
	if prefix != "" && u.Path != prefix && !strings.HasPrefix(u.Path, prefix+"/") {
		return raw
	}
	u.Path = specBasePath + strings.TrimPrefix(u.Path, prefix)
	u.RawPath = ""
	return u.String()
}

// UnreachableError says that a request got no answer: nothing listens, the connection broke,
// or the target did not answer in time.
type UnreachableError struct {
	Operation string // the operation ID, or "" when the request matches none
	Method    string
	URL       string // without its query
	Cause     string // one line
}

// Error renders the failure on one line: operation, request and cause.
func (e *UnreachableError) Error() string {
	op := e.Operation
	if op != "" {
		op += " "
	}
	return fmt.Sprintf("%s%s %s: %s", op, e.Method, e.URL, e.Cause)
}

// RequestFailure turns an error of the suite's HTTP client (or of reading a body) into a
// one-line *UnreachableError when the target did not answer (refused connection, broken
// connection, timeout: timeout is the per-request timeout it names), naming the operation that v
// routes the request to. An answer cut short (a *conformance.TruncatedBodyError: fewer bytes than
// its Content-Length, or a chunked body without its last chunk) is a broken connection: "the
// connection broke: response body cut short: ...", never a contract violation. An error that is
// no failure to reach the target (a URL that does not parse, a JSON error) comes back as it is.
// Any other error the suite knows (a contract violation, a refused write or host) is returned
// unwrapped from the *url.Error that carried it, and nil stays nil. No URL query, where
// pre-signed tokens travel, is kept.
func RequestFailure(v *conformance.Validator, err error, timeout time.Duration) error {
	if err == nil {
		return nil
	}
	// The errors the suite has words of its own for come back as they are: a contract
	// violation, a refused write or host, a request already rendered.
	for _, as := range []func(error) error{
		carried[*conformance.ViolationError], carried[*WriteRefusedError], carried[*HostRefusedError], carried[*UnreachableError],
	} {
		if known := as(err); known != nil {
			return known
		}
	}
	var uerr *url.Error
	var ne net.Error
	isURL := errors.As(err, &uerr)
	if isURL && uerr.Op == "parse" {
		return err // a URL that does not parse: nothing was sent
	}
	if !isURL && !errors.As(err, &ne) && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) &&
		!errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, syscall.ECONNRESET) {
		return err // not a failure to reach the target
	}
	out := &UnreachableError{Cause: cause(err, timeout)}
	var te *conformance.TruncatedBodyError
	if isURL {
		out.Method = strings.ToUpper(uerr.Op)
		if u, perr := url.Parse(uerr.URL); perr == nil {
			if v != nil {
				if route, rerr := v.Route(&http.Request{Method: out.Method, URL: u}); rerr == nil {
					out.Operation = route.Operation.ID
				}
			}
			u.RawQuery, u.Fragment, u.User = "", "", nil
			out.URL = u.String()
		}
	} else if errors.As(err, &te) && te.Method != "" {
		out.Operation, out.Method, out.URL = te.OperationID, te.Method, te.Path
	} else {
		out.Method, out.URL = "reading", "the answer's body"
	}
	return out
}

// carried returns the first error of type E in err's chain, or nil.
func carried[E error](err error) error {
	var e E
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// cause renders why a request got no answer, on one line.
func cause(err error, timeout time.Duration) string {
	var ne net.Error
	var te *conformance.TruncatedBodyError
	switch {
	case errors.As(err, &te):
		return "the connection broke: " + te.Problem()
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout(),
		strings.Contains(err.Error(), "Client.Timeout"):
		return fmt.Sprintf("no answer after %s (the per-request timeout, %s)", timeout, EnvTimeout)
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused: nothing listens there"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return "the connection closed before the whole answer came"
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return "host " + dns.Name + " not found"
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Op + ": " + firstLine(oe.Err.Error())
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return firstLine(uerr.Err.Error())
	}
	return firstLine(err.Error())
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// TimeoutError is the error of a request that waited longer than the per-request timeout for
// its answer, or for the next bytes of its body. It is a net.Error whose Timeout is true.
type TimeoutError struct {
	After time.Duration
}

// Error says how long the request waited.
func (e *TimeoutError) Error() string { return fmt.Sprintf("no answer after %s", e.After) }

// Timeout reports true: the request timed out.
func (e *TimeoutError) Timeout() bool { return true }

// Temporary reports false.
func (e *TimeoutError) Temporary() bool { return false }

// IdleTimeout wraps next so that a request fails with a *TimeoutError when its answer does not
// start within d, or when its body then stays silent for d. Unlike a deadline on the whole
// exchange, it lets a large archive download take as long as its bytes keep coming.
func IdleTimeout(d time.Duration, next http.RoundTripper) http.RoundTripper {
	return idleTimeout{d: d, next: next}
}

type idleTimeout struct {
	d    time.Duration
	next http.RoundTripper
}

func (t idleTimeout) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.d <= 0 {
		return t.next.RoundTrip(req)
	}
	ctx, cancel := context.WithCancelCause(req.Context())
	timer := time.AfterFunc(t.d, func() { cancel(&TimeoutError{After: t.d}) })
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		timer.Stop()
		if te := timedOut(ctx); te != nil {
			err = te
		}
		cancel(nil)
		return nil, err
	}
	resp.Body = &idleBody{ReadCloser: resp.Body, ctx: ctx, cancel: cancel, timer: timer, d: t.d}
	return resp, nil
}

// timedOut returns the *TimeoutError that cancelled ctx, or nil.
func timedOut(ctx context.Context) error {
	var te *TimeoutError
	if errors.As(context.Cause(ctx), &te) {
		return te
	}
	return nil
}

// idleBody restarts the timer of its request at every read.
type idleBody struct {
	io.ReadCloser
	ctx    context.Context
	cancel context.CancelCauseFunc
	timer  *time.Timer
	d      time.Duration
}

func (b *idleBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		if te := timedOut(b.ctx); te != nil {
			return n, te
		}
	}
	if err == io.EOF {
		b.timer.Stop()
	} else {
		b.timer.Reset(b.d)
	}
	return n, err
}

func (b *idleBody) Close() error {
	b.timer.Stop()
	err := b.ReadCloser.Close()
	b.cancel(nil)
	return err
}
