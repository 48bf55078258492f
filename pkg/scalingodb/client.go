package scalingodb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// DefaultRegion is the region used when neither WithRegion nor WithBaseURL is given.
const DefaultRegion = "osc-fr1"

// DefaultUserAgent is the User-Agent header sent when WithUserAgent is not given.
const DefaultUserAgent = "scalingodb-go"

// regions are the Scalingo regions that host a Database API.
var regions = [...]string{"osc-fr1", "osc-secnum-fr1"}

// Client talks to the Scalingo Database API. Its services group the
// operations by resource. A Client is safe for concurrent use.
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
	uaHeader  []string
	lastAuth  atomic.Pointer[authValue]
	logger    *slog.Logger
	download  *http.Client
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
	logger     *slog.Logger
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
		if err := checkRegion(region); err != nil {
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
		if err := checkHTTPURL(baseURL); err != nil {
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
			return &ValidationError{Field: "token", Reason: "must not be empty"}
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
			return &ValidationError{Field: "token source", Reason: "must not be nil"}
		}
		c.tokens = ts
		return nil
	}
}

// WithHTTPClient sends requests through hc (its Transport, Timeout, Jar and
// CheckRedirect, which is called after the client's own rule: the bearer
// token only for the base URL's exact origin, no redirect from https to
// http). Backup downloads use hc's Transport in a separate client
// that never sends the bearer token. Without WithHTTPClient, or when hc has
// no Transport, API calls use http.DefaultTransport and downloads a clone of
// it that reads the network in 64 KiB slices.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return &ValidationError{Field: "http client", Reason: "must not be nil"}
		}
		c.httpClient = hc
		return nil
	}
}

// WithUserAgent sets the User-Agent header of every request.
func WithUserAgent(ua string) Option {
	return func(c *config) error {
		if ua == "" || strings.ContainsAny(ua, "\r\n") {
			return &ValidationError{Field: "user agent", Reason: "must be a non-empty single line"}
		}
		c.userAgent = ua
		return nil
	}
}

// WithRetry sets the retry policy of idempotent requests. Zero fields take
// their defaults; MaxAttempts 1 disables retries.
//
// Retried: every GET, PUT and DELETE, and the PATCH requests (database
// settings, a user's chosen password), which set values and so have the
// same effect when sent twice. Never retried: the POST requests
// createBackup, createDatabaseUser, resetDatabaseUserPassword,
// runDatabaseAction, upgradeDatabase, restoreDatabasePitr,
// createFirewallRule and enableDatabaseFeature, which may have taken
// effect even when their answer is lost. Retried failures are connection
// errors (a body cut halfway included), 429 and 5xx but 501; a Retry-After
// header sets the wait, and one longer than MaxWait returns the answer at
// once (APIError.RetryAfter says how long to wait); the context stops any wait.
func WithRetry(p RetryPolicy) Option {
	return func(c *config) error {
		if p.MaxAttempts < 0 || p.MinWait < 0 || p.MaxWait < 0 {
			return &ValidationError{Field: "retry policy", Reason: "values must not be negative"}
		}
		c.retry = p
		return nil
	}
}

// WithLogger logs requests, retries and failures to l at debug level (and
// failures at error level). Logs hold methods, paths, statuses, request IDs
// and durations, never tokens, passwords or query strings.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		c.logger = l
		return nil
	}
}

// New returns a Client. It does no I/O.
//
// Defaults: region osc-fr1 (https://db-api.osc-fr1.scalingo.com/api), no
// token (set one with WithToken or WithTokenSource, or every call fails
// with ErrUnauthorized from the server), an http.Client with a 60s timeout,
// User-Agent DefaultUserAgent, up to 4 attempts per idempotent request
// waiting about 250ms, 500ms, 1s (with jitter, or as long as Retry-After
// says, up to 30s), no logging and no response validation (see package
// github.com/scalingodb/dbapi-go/pkg/scalingodb/validate).
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
	if transport == nil {
		transport = http.DefaultTransport
		downloads = downloadTransport()
	}
	apiHTTP := *hc
	apiHTTP.CheckRedirect = safeRedirects(hc.CheckRedirect)
	if len(cfg.apiTransport) > 0 {
		rt, err := wrapTransport(cfg.apiTransport, transport)
		if err != nil {
			return nil, err
		}
		apiHTTP.Transport = rt
	}
	retry := cfg.retry.withDefaults()

	c := &Client{
		baseURL:   base,
		tokens:    cfg.tokens,
		userAgent: cfg.userAgent,
		uaHeader:  []string{cfg.userAgent},
		logger:    cfg.logger,
		// Downloads: same transport, no timeout (the context bounds them),
		// no bearer token, and redirects keep no Authorization.
		download: &http.Client{Transport: downloads, Jar: nil, CheckRedirect: safeRedirects(nil)},
	}
	api, err := dbapi.NewClient(base,
		dbapi.WithHTTPClient(retryDoer{rc: newRetryClient(&apiHTTP, retry, cfg.logger)}),
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

// String describes the client without its token.
func (c *Client) String() string { return "scalingodb.Client{" + c.baseURL + "}" }

// GoString describes the client without its token.
func (c *Client) GoString() string { return c.String() }

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

func checkRegion(region string) error {
	for _, r := range regions {
		if r == region {
			return nil
		}
	}
	return &ValidationError{Field: "region", Reason: fmt.Sprintf("unknown region %q (known: %s)", region, strings.Join(regions[:], ", "))}
}

func checkHTTPURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &ValidationError{Field: "base URL", Reason: "must be an absolute http or https URL"}
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return &ValidationError{Field: "base URL", Reason: "must not hold a query, fragment or user information"}
	}
	return nil
}

// editRequest adds the bearer token and the fixed headers to every API request.
func (c *Client) editRequest(ctx context.Context, req *http.Request) error {
	if c.tokens != nil {
		tok, err := c.tokens.Token(ctx)
		if err != nil {
			return fmt.Errorf("scalingodb: token: %w", err)
		}
		req.Header["Authorization"] = c.authHeader(tok)
	}
	// The header values are shared read-only slices: net/http never writes to them.
	req.Header["User-Agent"] = c.uaHeader
	req.Header["Accept"] = acceptJSON
	return nil
}

var acceptJSON = []string{"application/json"}

// authHeader returns the Authorization value of tok, reusing the last one
// built while the token does not change.
func (c *Client) authHeader(tok string) []string {
	if h := c.lastAuth.Load(); h != nil && h.token == tok {
		return h.value
	}
	h := &authValue{token: tok, value: []string{"Bearer " + tok}}
	c.lastAuth.Store(h)
	return h.value
}

type authValue struct {
	token string
	value []string
}

// op describes one operation of the spec for the request plumbing.
type op struct {
	id         string
	idempotent bool
}

// do sends a request through send, maps a non-2xx answer to *APIError,
// and decodes a 2xx JSON body into out (when out is not nil). It returns
// the status of the answer.
func (c *Client) do(ctx context.Context, o op, send func(context.Context, ...dbapi.RequestEditorFn) (*http.Response, error), out any) (int, error) {
	if ctx == nil {
		return 0, errors.New("scalingodb: nil context")
	}
	if !o.idempotent {
		ctx = noRetry(ctx)
	}
	var start time.Time
	if c.logger != nil {
		start = time.Now()
	}
	resp, err := send(ctx)
	if err != nil {
		if verr := violationError(o, err); verr != nil {
			return 0, verr
		}
		err = redactError(err)
		if c.logger != nil {
			c.logger.LogAttrs(ctx, slog.LevelError, "scalingodb: request failed",
				slog.String("operation", o.id), slog.String("error", err.Error()))
		}
		return 0, fmt.Errorf("scalingodb: %s: %w", o.id, err)
	}
	defer resp.Body.Close()
	if c.logger != nil {
		c.logger.LogAttrs(ctx, slog.LevelDebug, "scalingodb: request",
			slog.String("operation", o.id),
			slog.String("method", resp.Request.Method),
			slog.String("path", resp.Request.URL.EscapedPath()),
			slog.Int("status", resp.StatusCode),
			slog.String("request_id", resp.Header.Get("X-Request-Id")),
			slog.Duration("duration", time.Since(start)))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		apiErr := newAPIError(o.id, resp)
		if apiErr.StatusCode == http.StatusUnauthorized {
			if inv, ok := c.tokens.(interface{ Invalidate() }); ok {
				inv.Invalidate()
			}
		}
		drain(resp.Body)
		return resp.StatusCode, apiErr
	}
	if out == nil {
		drain(resp.Body)
		return resp.StatusCode, nil
	}
	if err := decodeBody(resp.Body, out); err != nil {
		if ctx.Err() != nil {
			return resp.StatusCode, fmt.Errorf("scalingodb: %s: %w", o.id, ctx.Err())
		}
		var rerr *ResponseError
		if errors.As(err, &rerr) {
			rerr.StatusCode, rerr.OperationID = resp.StatusCode, o.id
			return resp.StatusCode, rerr
		}
		reason := "invalid JSON"
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			reason = "wrong type for " + te.Field
		} else if errors.Is(err, errEmptyBody) || errors.Is(err, io.EOF) {
			reason = "empty body"
		}
		return resp.StatusCode, &ResponseError{StatusCode: resp.StatusCode, OperationID: o.id, Reason: reason, Err: err}
	}
	drain(resp.Body)
	return resp.StatusCode, nil
}

var errEmptyBody = errors.New("empty body")

// decodeBody decodes a JSON answer; one already in memory is decoded in
// place, and anything after its JSON value is an error.
func decodeBody(body io.Reader, out any) error {
	if pb, ok := body.(*pooledBody); ok && pb.buf != nil {
		data := pb.buf.Bytes()
		if len(bytes.TrimSpace(data)) == 0 {
			return errEmptyBody
		}
		return json.Unmarshal(data, out)
	}
	return json.NewDecoder(body).Decode(out)
}

// drain reads what is left of a small body so that the connection is reused.
func drain(r io.Reader) {
	if _, inMemory := r.(*pooledBody); inMemory {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(r, 4<<10))
}

// malformed reports a missing envelope key or a missing required field.
func malformed(o op, status int, format string, args ...any) *ResponseError {
	return &ResponseError{StatusCode: status, OperationID: o.id, Reason: fmt.Sprintf(format, args...)}
}

// pathID checks a path parameter before it is escaped into the path: it
// must not be empty nor a dot segment ("." or ".."), which URL resolution
// would turn into another path. Every other value, slashes and percent
// signs included, is escaped into a single segment by the generated client.
func pathID(field, v string) error {
	switch v {
	case "":
		return &ValidationError{Field: field, Reason: "must not be empty"}
	case ".", "..":
		return &ValidationError{Field: field, Reason: "must not be a dot segment"}
	}
	return nil
}

// downloadTransport is the transport of backup downloads when the caller
// gives none: http.DefaultTransport's settings with a 64 KiB read buffer
// instead of 4 KiB. On large archives it measured 1.2 to 1.7 times the
// throughput of the default (BenchmarkDownload1GiB compares it with curl).
func downloadTransport() http.RoundTripper {
	dt, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return http.DefaultTransport // replaced by the program: keep its choice
	}
	t := dt.Clone()
	t.ReadBufferSize = 64 << 10
	return t
}
