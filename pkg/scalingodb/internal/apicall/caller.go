package apicall

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"
)

// TokenSource supplies the bearer token of each request (auth.TokenSource).
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// Config is what New needs of the client's options.
type Config struct {
	// BaseURL is the API's base URL, ending in "/api".
	BaseURL string
	// Tokens supplies the bearer token, or is nil (no Authorization).
	Tokens TokenSource
	// HTTPClient is the caller's client, or nil for one with a 60s timeout.
	HTTPClient *http.Client
	// UserAgent is the User-Agent header of every request.
	UserAgent string
	// Retry is the retry policy of the requests that may be repeated.
	Retry httpx.RetryPolicy
	// Logger receives the logs, or is nil.
	Logger httpx.Logger
	// Wrap are the wrappers of the API transport, in order.
	Wrap []func(http.RoundTripper) (http.RoundTripper, error)
	// Missing returns the required fields missing from a decoded answer,
	// or "" (see FetchAnswer); nil checks nothing.
	Missing func(v any) string
}

// Caller sends the requests of one client. It is safe for concurrent use.
type Caller struct {
	// API is the generated client whose methods the requests bind.
	API *dbapi.Client
	// Download sends the requests of downloads: the same transport, no
	// timeout (the context bounds them), no bearer token, and redirects
	// keep no Authorization.
	Download *http.Client
	// Logger is the client's logger, or nil.
	Logger httpx.Logger
	// OwnAPI and OwnDownload are the transports New made, which Close
	// releases: nil when the caller gave one (Config.HTTPClient).
	OwnAPI, OwnDownload *http.Transport

	tokens    TokenSource
	userAgent string
	lastAuth  atomic.Pointer[authCache]
	missing   func(any) string
	// timeout bounds each call, its retries included (the http.Client's
	// Timeout, 60s by default).
	timeout time.Duration
}

// New builds the transports and the generated client of cfg; it does no
// I/O. Without a transport of the caller's, it makes two (see
// httpx.NewTransport): one for API calls and one for downloads, which
// reads the network in 64 KiB slices.
func New(cfg Config) (*Caller, error) {
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	transport := hc.Transport
	downloads := transport
	var ownAPI, ownDownload *http.Transport
	if transport == nil {
		transport, downloads = http.DefaultTransport, http.DefaultTransport
		if ownAPI = httpx.NewTransport(0); ownAPI != nil {
			ownDownload = httpx.NewTransport(64 << 10)
			transport, downloads = ownAPI, ownDownload
		}
	}
	apiHTTP := *hc
	apiHTTP.CheckRedirect = httpx.SafeRedirects(hc.CheckRedirect)
	// The timeout bounds each call through its context (see Call), not
	// through http.Client: on a transport net/http does not know
	// (httpx.KeepIdle below), a Client.Timeout costs a goroutine, a timer
	// and a dozen allocations per request.
	apiHTTP.Timeout = 0
	rt, err := WrapTransport(cfg.Wrap, transport)
	if err != nil {
		return nil, err
	}
	apiHTTP.Transport = httpx.KeepIdle{RT: rt}
	c := &Caller{
		Download:    &http.Client{Transport: downloads, Jar: nil, CheckRedirect: httpx.SafeRedirects(nil)},
		Logger:      cfg.Logger,
		OwnAPI:      ownAPI,
		OwnDownload: ownDownload,
		tokens:      cfg.Tokens,
		userAgent:   cfg.UserAgent,
		missing:     cfg.Missing,
		timeout:     hc.Timeout,
	}
	c.API, err = dbapi.NewClient(cfg.BaseURL,
		dbapi.WithHTTPClient(httpx.RetryDoer{RC: httpx.NewRetryClient(&apiHTTP, cfg.Retry.WithDefaults(), cfg.Logger)}),
		dbapi.WithRequestEditorFn(c.EditRequest),
	)
	if err != nil {
		return nil, fmt.Errorf("scalingodb: %w", err)
	}
	return c, nil
}

// WrapTransport applies wraps to base, in order: the first wraps the
// network transport, the last sees each request first.
func WrapTransport(wraps []func(http.RoundTripper) (http.RoundTripper, error), base http.RoundTripper) (http.RoundTripper, error) {
	rt := base
	for _, wrap := range wraps {
		next, err := wrap(rt)
		if err != nil {
			return nil, err
		}
		if next == nil {
			return nil, &httpx.InvalidInputError{Field: "API transport", Reason: "the wrapper returned a nil transport"}
		}
		rt = next
	}
	return rt, nil
}

// Close closes the idle connections of the transports New made.
func (c *Caller) Close() {
	if c.OwnAPI != nil {
		c.OwnAPI.CloseIdleConnections()
	}
	if c.OwnDownload != nil {
		c.OwnDownload.CloseIdleConnections()
	}
}

// EditRequest adds the bearer token and the fixed headers to every API
// request. Each request gets header slices of its own (one allocation for
// the three), so that a RoundTripper that edits a value in place changes
// that request only.
func (c *Caller) EditRequest(ctx context.Context, req *http.Request) error {
	vals := make([]string, 3)
	vals[0], vals[1] = c.userAgent, "application/json"
	req.Header["User-Agent"] = vals[0:1:1]
	req.Header["Accept"] = vals[1:2:2]
	if c.tokens != nil {
		tok, err := c.tokens.Token(ctx)
		if err != nil {
			return &tokenError{err: err}
		}
		vals[2] = c.authValue(tok)
		req.Header["Authorization"] = vals[2:3:3]
	}
	return nil
}

// authValue returns the Authorization value of tok, reusing the last
// string built while the token does not change (strings are immutable, so
// sharing one is safe).
func (c *Caller) authValue(tok string) string {
	if h := c.lastAuth.Load(); h != nil && h.token == tok {
		return h.value
	}
	h := &authCache{token: tok, value: "Bearer " + tok}
	c.lastAuth.Store(h)
	return h.value
}

type authCache struct {
	token string
	value string
}

// tokenError is the failure of the token source of a call, which sent
// nothing: see forCall.
type tokenError struct {
	op  string
	err error
}

// Error names the operation and the source's error.
func (e *tokenError) Error() string {
	msg := "scalingodb: "
	if e.op != "" {
		msg += e.op + ": "
	}
	return msg + "token: " + strings.TrimPrefix(e.err.Error(), "scalingodb: ")
}

// Unwrap returns the source's error.
func (e *tokenError) Unwrap() error { return e.err }

// forCall is the error of call o: the source's own when it is of the
// package's types (an *APIError of the token exchange, a *TransportError of
// its connection), behind the operation; any other (the context's, a
// custom source's) is a *TransportError with Written false.
func (e *tokenError) forCall(o *Op) error {
	if errors.As(e.err, new(*httpx.APIError)) || errors.As(e.err, new(*httpx.ResponseError)) ||
		errors.As(e.err, new(*httpx.TransportError)) || errors.As(e.err, new(*httpx.InvalidInputError)) {
		return &tokenError{op: o.ID, err: e.err}
	}
	return &httpx.TransportError{OperationID: o.ID, Err: &tokenError{err: httpx.RedactError(e.err)}}
}
