package scalingodb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"
)

// DefaultRegion is the region used when neither WithRegion nor WithBaseURL is given.
const DefaultRegion = httpx.DefaultRegion

// DefaultUserAgent is the User-Agent header sent when WithUserAgent is not given.
const DefaultUserAgent = httpx.DefaultUserAgent

// Client talks to the Scalingo Database API. Its services group the
// operations by resource. A Client is safe for concurrent use: share one
// among goroutines, which then share its connections (see New), and Close
// it when done.
type Client struct {
	// Databases reads and changes the database addon itself.
	Databases *DatabasesService
	// Features enables and disables optional features.
	Features *FeaturesService
	// Actions runs engine-specific administrative actions.
	Actions *ActionsService
	// PITR restores PostgreSQL databases to a point in time.
	PITR *PITRService
	// Users manages the users of the database engine.
	Users *UsersService
	// Backups lists, creates, waits for and downloads backups.
	Backups *BackupsService
	// Maintenance lists maintenance operations.
	Maintenance *MaintenanceService
	// Instances reports the status of each node.
	Instances *InstancesService
	// Metrics reports resource usage and cluster health.
	Metrics *MetricsService
	// Logs gives access to the database logs.
	Logs *LogsService
	// TypeVersions describes database engine versions.
	TypeVersions *TypeVersionsService
	// Firewall manages the network filtering rules.
	Firewall *FirewallService
	// Operations follows upgrades, point-in-time restores and backup restorations.
	Operations *OperationsService
	// Types lists the database engines the platform offers.
	Types *TypesService
	// Plans describes the plans of the database types.
	Plans *PlansService

	api       *dbapi.Client
	baseURL   string
	tokens    TokenSource
	userAgent string
	lastAuth  atomic.Pointer[authCache]
	logger    Logger
	download  *http.Client
	// timeout bounds each API call, its retries included (the http.Client's
	// Timeout, 60s by default).
	timeout time.Duration
	// ownAPI and ownDownload are the transports New made, which Close
	// releases: nil when the caller gave one (WithHTTPClient).
	ownAPI, ownDownload *http.Transport
}

// service is the common shape of every service.
type service struct{ c *Client }

// config collects the options of New.
type config struct {
	region     string
	baseURL    string
	tokens     TokenSource
	httpClient *http.Client
	userAgent  string
	retry      RetryPolicy
	logger     Logger
	// apiTransport holds the wrappers of WithAPITransport, in order.
	apiTransport []func(http.RoundTripper) (http.RoundTripper, error)
}

// Option configures a Client. Options are checked by New, which returns
// the first error.
type Option func(*config) error

// WithRegion selects the regional Database API,
// https://db-api.<region>.scalingo.com/api. Known regions are "osc-fr1"
// and "osc-secnum-fr1".
func WithRegion(region string) Option {
	return func(c *config) error {
		if err := httpx.CheckRegion(region); err != nil {
			return err
		}
		c.region = region
		return nil
	}
}

// WithBaseURL sends requests to baseURL instead of a region, for a mock or
// a proxy. The URL must be absolute (http or https); "/api" is appended to
// its path unless the path already ends in "/api", so both
// "http://127.0.0.1:8080" and "http://127.0.0.1:8080/api" work.
func WithBaseURL(baseURL string) Option {
	return func(c *config) error {
		if err := httpx.CheckHTTPURL(baseURL); err != nil {
			return err
		}
		c.baseURL = baseURL
		return nil
	}
}

// WithToken authenticates with a static Database API bearer token, such as
// the documentation's DB_BEARER_TOKEN.
func WithToken(token string) Option {
	return func(c *config) error {
		if token == "" {
			return &InvalidInputError{Field: "token", Reason: "must not be empty"}
		}
		c.tokens = StaticToken(token)
		return nil
	}
}

// WithTokenSource authenticates with tokens from ts, such as an
// *AddonTokenSource.
func WithTokenSource(ts TokenSource) Option {
	return func(c *config) error {
		if ts == nil {
			return &InvalidInputError{Field: "token source", Reason: "must not be nil"}
		}
		c.tokens = ts
		return nil
	}
}

// WithHTTPClient sends requests through hc (its Transport, Timeout, which
// bounds each API call with its retries and waits between them, Jar and
// CheckRedirect, which is called after the client's own rule: the bearer
// token only for the base URL's exact origin, no redirect from https to
// http). Backup downloads use hc's Transport in a separate client
// that never sends the bearer token. Without WithHTTPClient, or when hc has
// no Transport, the client makes transports of its own (see New).
//
// hc's Transport stays the caller's: the client never closes its
// connections, not after a failed call nor in Close (call
// hc.CloseIdleConnections when done with it). Give it an idle pool sized
// for the goroutines that share it: http.Transport's default,
// MaxIdleConnsPerHost 2, opens a new connection for most calls of more
// than two concurrent goroutines.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return &InvalidInputError{Field: "http client", Reason: "must not be nil"}
		}
		c.httpClient = hc
		return nil
	}
}

// WithUserAgent sets the User-Agent header of every request.
func WithUserAgent(ua string) Option {
	return func(c *config) error {
		if ua == "" || strings.ContainsAny(ua, "\r\n") {
			return &InvalidInputError{Field: "user agent", Reason: "must be a non-empty single line"}
		}
		c.userAgent = ua
		return nil
	}
}

// WithRetry sets the retry policy of idempotent requests. Zero fields take
// their defaults; MaxAttempts 1 disables retries.
//
// Retried: the operations whose effect is the same when sent twice, that
// is every GET, PUT and DELETE (the methods RFC 9110 calls idempotent),
// plus the PATCH requests, which set the values they name (database
// settings, a user's chosen password, a rule's label), and pingDatabase,
// which changes nothing. Every other POST (creates, password resets,
// actions, upgrades, restores, feature activations) may have taken effect
// even when its answer is lost: it is sent again only after a 429 answer,
// which says that the server did nothing (not after a 503, which a
// gateway may answer after the server acted), and a lost answer or a 5xx
// is an error matching ErrOutcomeUnknown; each method's doc comment says
// which. Retried failures are those go-retryablehttp's
// DefaultRetryPolicy retries: connection errors (a body cut halfway
// included) but too many redirects, an unsupported scheme, an invalid
// header or an untrusted certificate; 429; 5xx but 501. Never retried
// either: an answer over the 32 MiB cap, a refused redirect, an answer
// that breaks the spec (validate.Option). A Retry-After header sets the
// wait, and one longer than MaxWait returns the answer at once
// (APIError.RetryAfter says how long to wait); the context stops any wait.
func WithRetry(p RetryPolicy) Option {
	return func(c *config) error {
		if p.MaxAttempts < 0 || p.MinWait < 0 || p.MaxWait < 0 {
			return &InvalidInputError{Field: "retry policy", Reason: "values must not be negative"}
		}
		c.retry = p
		return nil
	}
}

// Logger receives the client's logs as a message and key, value pairs. A
// *slog.Logger is one (so is go-retryablehttp's LeveledLogger); the client
// does not import log/slog itself, so that programs that log nothing do not
// link it.
type Logger = httpx.Logger

// WithLogger logs requests, retries and failures to l, such as a
// *slog.Logger, at debug level (and failures at error level). Logs hold
// methods, paths, statuses, request IDs and durations, never tokens,
// passwords or query strings. A nil l, or a nil pointer in it, logs nothing.
func WithLogger(l Logger) Option {
	return func(c *config) error {
		if v := reflect.ValueOf(l); !v.IsValid() || (v.Kind() == reflect.Pointer && v.IsNil()) {
			l = nil
		}
		c.logger = l
		return nil
	}
}

// New returns a Client. It does no I/O. Call Close when done with it, to
// release its idle connections.
//
// Defaults: region osc-fr1 (https://db-api.osc-fr1.scalingo.com/api), no
// token (set one with WithToken or WithTokenSource, or every call fails
// with ErrUnauthorized from the server), an http.Client with a 60s timeout
// for each call (its retries included)
// and transports of the client's own (see below),
// User-Agent DefaultUserAgent, up to 4 attempts per idempotent request
// waiting about 250ms, 500ms, 1s (with jitter, or as long as Retry-After
// says, up to 30s), no logging and no response validation (see package
// github.com/scalingodb/dbapi-go/pkg/scalingodb/validate).
//
// Transports: without WithHTTPClient (or when its client has no
// Transport), the client makes two, clones of http.DefaultTransport as it
// is when New runs (proxy from the environment, dial and TLS timeouts,
// HTTP/2), one for API calls and one for backup downloads (which reads the
// network in 64 KiB slices and never sends the bearer token). Each keeps
// up to 256 idle connections per host (MaxIdleConnsPerHost and
// MaxIdleConns), instead of http.DefaultTransport's 2 per host: a client
// talks to one API host (and one storage host), and every goroutine
// sharing it needs a connection of its own; with 2, each of 200 goroutines
// opened a new TCP connection every second call, leaving thousands of
// sockets in TIME_WAIT (toward a real host, that exhausts ephemeral ports).
// Idle connections still close after 90s (IdleConnTimeout). Past 256
// concurrent calls, the extra connections close when they are done, so
// raise the pool with WithHTTPClient for more. Answer headers are capped at
// 1 MiB. When a program has replaced http.DefaultTransport with another
// kind of RoundTripper, the client uses it as it is, and Close leaves it.
func New(opts ...Option) (*Client, error) {
	cfg := config{region: DefaultRegion, userAgent: DefaultUserAgent}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	base := cfg.baseURL
	if base == "" {
		base = "https://db-api." + cfg.region + ".scalingo.com/api"
	}
	base = normaliseBaseURL(base)

	hc := cfg.httpClient
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
	// The timeout bounds each call through its context (see call), not
	// through http.Client: on a transport net/http does not know (httpx.KeepIdle
	// below), a Client.Timeout costs a goroutine, a timer and a dozen
	// allocations per request.
	apiHTTP.Timeout = 0
	rt := transport
	if len(cfg.apiTransport) > 0 {
		var err error
		if rt, err = wrapTransport(cfg.apiTransport, transport); err != nil {
			return nil, err
		}
	}
	apiHTTP.Transport = httpx.KeepIdle{RT: rt}
	retry := cfg.retry.WithDefaults()

	c := &Client{
		baseURL:   base,
		tokens:    cfg.tokens,
		userAgent: cfg.userAgent,
		logger:    cfg.logger,
		// Downloads: same transport, no timeout (the context bounds them),
		// no bearer token, and redirects keep no Authorization.
		download:    &http.Client{Transport: downloads, Jar: nil, CheckRedirect: httpx.SafeRedirects(nil)},
		timeout:     hc.Timeout,
		ownAPI:      ownAPI,
		ownDownload: ownDownload,
	}
	api, err := dbapi.NewClient(base,
		dbapi.WithHTTPClient(httpx.RetryDoer{RC: httpx.NewRetryClient(&apiHTTP, retry, cfg.logger)}),
		dbapi.WithRequestEditorFn(c.editRequest),
	)
	if err != nil {
		return nil, fmt.Errorf("scalingodb: %w", err)
	}
	c.api = api
	s := service{c}
	c.Databases = (*DatabasesService)(&s)
	c.Features = (*FeaturesService)(&s)
	c.Actions = (*ActionsService)(&s)
	c.PITR = (*PITRService)(&s)
	c.Users = (*UsersService)(&s)
	c.Backups = (*BackupsService)(&s)
	c.Maintenance = (*MaintenanceService)(&s)
	c.Instances = (*InstancesService)(&s)
	c.Metrics = (*MetricsService)(&s)
	c.Logs = (*LogsService)(&s)
	c.TypeVersions = (*TypeVersionsService)(&s)
	c.Firewall = (*FirewallService)(&s)
	c.Operations = (*OperationsService)(&s)
	c.Types = (*TypesService)(&s)
	c.Plans = (*PlansService)(&s)
	return c, nil
}

// Close closes the idle connections of the transports the client made
// (for API calls and for downloads), as http.Client.CloseIdleConnections
// does: calls in flight are not cut, and the client stays usable (a later
// call opens a new connection). Calling it again is harmless. It leaves
// the connections of a transport given with WithHTTPClient, which the
// caller owns and may share. It always returns nil; it is an io.Closer so
// that "defer c.Close()" reads as it should.
func (c *Client) Close() error {
	if c.ownAPI != nil {
		c.ownAPI.CloseIdleConnections()
	}
	if c.ownDownload != nil {
		c.ownDownload.CloseIdleConnections()
	}
	return nil
}

// String describes the client without its token.
func (c *Client) String() string { return "scalingodb.Client{" + c.baseURL + "}" }

// GoString describes the client without its token.
func (c *Client) GoString() string { return c.String() }

// Format prints String whatever the verb, so that no verb reaches the
// token source or the fields behind it.
func (c *Client) Format(f fmt.State, verb rune) { httpx.FormatRedacted(f, verb, c.String()) }

// BaseURL returns the Database API base URL the client sends requests to,
// ending in "/api".
func (c *Client) BaseURL() string { return c.baseURL }

func normaliseBaseURL(base string) string {
	base = strings.TrimRight(base, "/")
	if !strings.HasSuffix(base, "/api") {
		base += "/api"
	}
	return base
}

// editRequest adds the bearer token and the fixed headers to every API
// request. Each request gets header slices of its own (one allocation for
// the three), so that a RoundTripper that edits a value in place changes
// that request only.
func (c *Client) editRequest(ctx context.Context, req *http.Request) error {
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
func (c *Client) authValue(tok string) string {
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
func (e *tokenError) forCall(o *op) error {
	if errors.As(e.err, new(*APIError)) || errors.As(e.err, new(*ResponseError)) ||
		errors.As(e.err, new(*TransportError)) || errors.As(e.err, new(*InvalidInputError)) {
		return &tokenError{op: o.id, err: e.err}
	}
	return &TransportError{OperationID: o.id, Err: &tokenError{err: httpx.RedactError(e.err)}}
}

// answer is what the client keeps of an answer once its body is decoded.
type answer struct {
	status    int
	requestID string
}

// do is call for the callers that need only the status of the answer.
func (c *Client) do(ctx context.Context, o *op, send sender, out any) (int, error) {
	a, err := c.call(ctx, o, send, out)
	return a.status, err
}

// call sends a request through send, maps a non-2xx answer to *APIError,
// and decodes a 2xx JSON body into out (when out is not nil). It returns
// the status and request ID of the answer.
func (c *Client) call(ctx context.Context, o *op, send sender, out any) (answer, error) {
	if ctx == nil {
		return answer{}, &InvalidInputError{Field: "context", Reason: "must not be nil"}
	}
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel() // the answer's body is read before call returns
	}
	// Every call follows its attempts: whether its request may have
	// reached the server (TransportError.Written, the outcome of a call
	// sent once, a delete's 404 after a retry).
	ctx, st := httpx.WithCallState(ctx)
	if !o.retry {
		ctx = httpx.NoRetry(ctx)
	}
	var start time.Time
	if c.logger != nil {
		start = time.Now()
	}
	resp, err := send(ctx)
	if err != nil {
		if te := (*tokenError)(nil); errors.As(err, &te) {
			// The token source failed: nothing was sent.
			err = te.forCall(o)
			if c.logger != nil {
				c.logger.Error("scalingodb: request failed", "operation", o.id, "error", err.Error())
			}
			return answer{}, err
		}
		if verr := violationError(o, err); verr != nil {
			return answer{}, outcomeOf(o, st, verr)
		}
		err = transportError(o, st, err)
		if c.logger != nil {
			c.logger.Error("scalingodb: request failed", "operation", o.id, "error", err.Error())
		}
		return answer{}, outcomeOf(o, st, err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, requestID: resp.Header.Get("X-Request-Id")}
	if c.logger != nil {
		c.logger.Debug("scalingodb: request",
			"operation", o.id,
			"method", resp.Request.Method,
			"path", resp.Request.URL.EscapedPath(),
			"status", resp.StatusCode,
			"request_id", a.requestID,
			"duration", time.Since(start))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		if resp.StatusCode == http.StatusNotFound && o.method == http.MethodDelete && out == nil && st != nil && st.Applied.Load() {
			// An earlier attempt of this delete may have applied: the
			// resource is gone, as asked.
			httpx.DrainBody(resp.Body)
			if c.logger != nil {
				c.logger.Debug("scalingodb: 404 on the retry of a delete that may have applied: deleted", "operation", o.id, "request_id", resp.Header.Get("X-Request-Id"))
			}
			return a, nil
		}
		apiErr := httpx.NewAPIError(o.id, resp)
		if apiErr.StatusCode == http.StatusUnauthorized {
			if inv, ok := c.tokens.(interface{ Invalidate() }); ok {
				inv.Invalidate()
			}
		}
		httpx.DrainBody(resp.Body)
		return a, outcomeOf(o, st, apiErr)
	}
	if out == nil {
		httpx.DrainBody(resp.Body)
		return a, nil
	}
	if err := httpx.DecodeBody(resp.Body, out); err != nil {
		if ctx.Err() != nil {
			return a, outcomeOf(o, st, &BodyError{OperationID: o.id, StatusCode: resp.StatusCode, RequestID: a.requestID, Err: ctx.Err()})
		}
		var rerr *ResponseError
		if errors.As(err, &rerr) {
			rerr.StatusCode, rerr.OperationID, rerr.RequestID = resp.StatusCode, o.id, a.requestID
			return a, rerr
		}
		reason := "invalid JSON"
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			reason = "wrong type for " + te.Field
		} else if errors.Is(err, httpx.ErrEmptyBody) || errors.Is(err, io.EOF) {
			reason = "empty body"
		}
		return a, &ResponseError{StatusCode: resp.StatusCode, OperationID: o.id, RequestID: a.requestID, Reason: reason, Err: err}
	}
	httpx.DrainBody(resp.Body)
	return a, nil
}

// malformed reports a missing envelope key or a missing required field.
func malformed(o *op, status int, format string, args ...any) *ResponseError {
	return &ResponseError{StatusCode: status, OperationID: o.id, Reason: fmt.Sprintf(format, args...)}
}

// pathID checks a path parameter before it is escaped into the path: it
// must not be empty nor a dot segment ("." or ".."), which URL resolution
// would turn into another path. Every other value, slashes and percent
// signs included, is escaped into a single segment by the generated client.
func pathID(field, v string) error {
	switch v {
	case "":
		return &InvalidInputError{Field: field, Reason: "must not be empty"}
	case ".", "..":
		return &InvalidInputError{Field: field, Reason: "must not be a dot segment"}
	}
	return nil
}

// sender sends the request of one operation through the generated client,
// with the editors the client adds.
type sender = func(context.Context, ...dbapi.RequestEditorFn) (*http.Response, error)

// editor is the generated client's request editor.
type editor = dbapi.RequestEditorFn

// request is the request of one operation: its sender and the values of
// its path parameters, in the order of the operation's path, which fetch
// checks (see pathID) before anything is sent.
type request struct {
	send sender
	ids  [3]string
}

// check checks the path parameters of r against the names in o's path,
// which it reads in place: the operation table is then static data, which
// costs the start-up of a program nothing.
func (r *request) check(o *op) error {
	rest := o.path
	for i := 0; ; i++ {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			return nil
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 || i == len(r.ids) {
			return nil // not a template (the table's test checks every path)
		}
		if err := pathID(rest[open+1:open+end], r.ids[i]); err != nil {
			return err
		}
		rest = rest[open+end:]
	}
}

// The call functions bind a method of the generated client to its
// arguments: path parameters (A, B, C), query parameters or a typed body
// (P), or a JSON body already encoded (body).

func call0(f func(context.Context, ...editor) (*http.Response, error)) request {
	return request{send: f}
}

func call1[A ~string](f func(context.Context, A, ...editor) (*http.Response, error), a A) request {
	return request{send: func(ctx context.Context, e ...editor) (*http.Response, error) { return f(ctx, a, e...) }, ids: [3]string{string(a)}}
}

func call2[A, B ~string](f func(context.Context, A, B, ...editor) (*http.Response, error), a A, b B) request {
	return request{send: func(ctx context.Context, e ...editor) (*http.Response, error) { return f(ctx, a, b, e...) }, ids: [3]string{string(a), string(b)}}
}

func call1P[A ~string, P any](f func(context.Context, A, P, ...editor) (*http.Response, error), a A, p P) request {
	return request{send: func(ctx context.Context, e ...editor) (*http.Response, error) { return f(ctx, a, p, e...) }, ids: [3]string{string(a)}}
}

func call2P[A, B ~string, P any](f func(context.Context, A, B, P, ...editor) (*http.Response, error), a A, b B, p P) request {
	return request{send: func(ctx context.Context, e ...editor) (*http.Response, error) { return f(ctx, a, b, p, e...) }, ids: [3]string{string(a), string(b)}}
}

func call3P[A, B, C ~string, P any](f func(context.Context, A, B, C, P, ...editor) (*http.Response, error), a A, b B, c C, p P) request {
	return request{send: func(ctx context.Context, e ...editor) (*http.Response, error) { return f(ctx, a, b, c, p, e...) }, ids: [3]string{string(a), string(b), string(c)}}
}

func body1[A ~string](f func(context.Context, A, string, io.Reader, ...editor) (*http.Response, error), a A, body []byte) request {
	return request{send: func(ctx context.Context, e ...editor) (*http.Response, error) {
		return f(ctx, a, jsonContentType, bytes.NewReader(body), e...)
	}, ids: [3]string{string(a)}}
}

func body2[A, B ~string](f func(context.Context, A, B, string, io.Reader, ...editor) (*http.Response, error), a A, b B, body []byte) request {
	return request{send: func(ctx context.Context, e ...editor) (*http.Response, error) {
		return f(ctx, a, b, jsonContentType, bytes.NewReader(body), e...)
	}, ids: [3]string{string(a), string(b)}}
}

// checker is implemented by the answer types whose required fields the
// client checks: missing names the fields missing, or is "".
type checker interface{ missing() string }

// missingIf returns what when missing holds, else "": the body of most
// missing methods.
func missingIf(missing bool, what string) string {
	if missing {
		return what
	}
	return ""
}

func checkValue(o *op, status int, v any) error {
	if c, ok := v.(checker); ok {
		if m := c.missing(); m != "" {
			return malformed(o, status, "missing required field %s", m)
		}
	}
	return nil
}

// fetch sends the request of operation o and decodes the answer into a
// new T: the value under the operation's envelope key in the table, or the
// whole body when it has none. A missing envelope key or a missing required
// field (see checker) is a *ResponseError; the status of the answer is
// returned too.
func fetch[T any](ctx context.Context, c *Client, o *op, r request) (*T, int, error) {
	v, a, err := fetchAnswer[T](ctx, c, o, r)
	return v, a.status, err
}

// fetchAnswer is fetch that returns the request ID of the answer too, for
// the callers that check more of the value (see answer.tag).
func fetchAnswer[T any](ctx context.Context, c *Client, o *op, r request) (*T, answer, error) {
	if err := r.check(o); err != nil {
		return nil, answer{}, err
	}
	if o.envelope == "" {
		v := new(T)
		a, err := c.call(ctx, o, r.send, v)
		if err != nil {
			return nil, a, err
		}
		return v, a, a.tag(checkValue(o, a.status, v))
	}
	w := reflect.New(wireType[T](o))
	a, err := c.call(ctx, o, r.send, w.Interface())
	if err != nil {
		return nil, a, err
	}
	v, _ := w.Elem().Field(0).Interface().(*T) // wireType's field is a *T
	if v == nil {
		return nil, a, a.tag(malformed(o, a.status, "missing envelope key %q", o.envelope))
	}
	return v, a, a.tag(checkValue(o, a.status, v))
}

// tag sets the request ID of the answer on err, a *ResponseError built
// from it, and returns err.
func (a answer) tag(err error) error {
	var re *ResponseError
	if errors.As(err, &re) && re.RequestID == "" {
		re.RequestID = a.requestID
	}
	return err
}

// fetchOne is fetch without the status.
func fetchOne[T any](ctx context.Context, c *Client, o *op, r request) (*T, error) {
	v, _, err := fetch[T](ctx, c, o, r)
	if err != nil {
		return nil, err
	}
	return v, nil
}

// fetchList is fetch for a list of T: a null list or item is a
// *ResponseError, and every item's required fields are checked.
func fetchList[T any](ctx context.Context, c *Client, o *op, r request) ([]*T, error) {
	p, status, err := fetch[[]*T](ctx, c, o, r)
	if err != nil {
		return nil, err
	}
	if *p == nil {
		return nil, malformed(o, status, "expected a JSON array")
	}
	for _, v := range *p {
		if v == nil {
			return nil, malformed(o, status, "null item in the list")
		}
		if err := checkValue(o, status, v); err != nil {
			return nil, err
		}
	}
	return *p, nil
}

// send returns nil when the request of operation o succeeds, discarding
// the body of the answer.
func (c *Client) send(ctx context.Context, o *op, r request) error {
	if err := r.check(o); err != nil {
		return err
	}
	_, err := c.do(ctx, o, r.send, nil)
	return err
}
