package scalingodb

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/apicall"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"
)

// DefaultRegion is the region used when neither WithRegion nor WithBaseURL is given.
const DefaultRegion = httpx.DefaultRegion

// DefaultUserAgent is the User-Agent header sent when WithUserAgent is not given.
const DefaultUserAgent = httpx.DefaultUserAgent

// Client talks to the Scalingo Database API. Its services group the
// operations by resource; each service type's documentation says what its
// resource is. A Client is safe for concurrent use: share one among
// goroutines, which then share its connections (see New), and Close it
// when done.
type Client struct {
	Databases    *DatabasesService
	Features     *FeaturesService
	Actions      *ActionsService
	PITR         *PITRService
	Users        *UsersService
	Backups      *BackupsService
	Maintenance  *MaintenanceService
	Instances    *InstancesService
	Metrics      *MetricsService
	Logs         *LogsService
	TypeVersions *TypeVersionsService
	Firewall     *FirewallService
	Operations   *OperationsService
	Types        *TypesService
	Plans        *PlansService

	api *dbapi.Client
	// caller sends the requests (see package internal/apicall).
	caller  *apicall.Caller
	baseURL string
}

// service is the common part of every service: its client, and its name
// for Format.
type service struct {
	c    *Client
	name string
}

// Format prints the service's name and its client's base URL whatever the
// verb, so that no verb reaches the client behind it and its token source.
func (s *service) Format(f fmt.State, verb rune) {
	desc := "scalingodb." + s.name + "{}"
	if s.c != nil {
		desc = "scalingodb." + s.name + "{" + s.c.baseURL + "}"
	}
	httpx.FormatRedacted(f, verb, desc)
}

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

// WithHTTPClient sends requests through hc: its Transport, its Timeout
// (which bounds each API call, retries included), its Jar and its
// CheckRedirect (called after the client's own redirect rule). Backup
// downloads use hc's Transport in a separate client that never sends the
// bearer token, but a header the Transport adds itself (an oauth2.Transport's
// Authorization) goes to the download host too: give tokens with WithTokenSource.
// hc's Transport stays the caller's: the client never closes its connections;
// size its idle pool for the goroutines sharing it (docs/client.md, "Connections").
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

// RetryPolicy says how idempotent requests are retried after a connection
// error, a 429 or a 5xx answer (see WithRetry). The zero value of a field
// takes its default.
type RetryPolicy = httpx.RetryPolicy

// WithRetry sets the retry policy of idempotent requests. Zero fields take
// their defaults; MaxAttempts 1 disables retries.
//
// Retried: every GET, PUT and DELETE, the PATCH requests (which set the
// values they name) and pingDatabase, after the failures go-retryablehttp's
// DefaultRetryPolicy retries (connection errors, 429, 5xx but 501). Every
// other POST may have taken effect even when its answer is lost: it is
// sent again only after a 429, and a lost answer or a 5xx is an error
// matching ErrOutcomeUnknown; each method's doc comment says which. A
// Retry-After header sets the wait, and one longer than MaxWait returns
// the answer at once (APIError.RetryAfter); the context stops any wait.
// docs/client.md ("Retries") lists what is never retried.
func WithRetry(p RetryPolicy) Option {
	return func(c *config) error {
		if p.MaxAttempts < 0 || p.MinWait < 0 || p.MaxWait < 0 {
			return &InvalidInputError{Field: "retry policy", Reason: "values must not be negative"}
		}
		c.retry = p
		return nil
	}
}

// WithAPITransport wraps the transport of API calls (not of backup
// downloads) with wrap, which gets the client's transport and returns the
// one to use: the hook of response validation (package validate), of
// recorders and of fault injectors. Several wrappers nest in the order
// given: the last sees each request first. A *ResponseError returned by
// the wrapped transport (an answer breaking the spec) is retried as an
// answer of its StatusCode would be (see WithRetry), else fails the call,
// with its OperationID set. An error returned by wrap makes New fail.
func WithAPITransport(wrap func(base http.RoundTripper) (http.RoundTripper, error)) Option {
	return func(c *config) error {
		if wrap == nil {
			return &InvalidInputError{Field: "API transport", Reason: "must not be nil"}
		}
		c.apiTransport = append(c.apiTransport, wrap)
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
// token (every call then fails with ErrUnauthorized from the server), a
// 60s timeout for each call (its retries included), User-Agent
// DefaultUserAgent, up to 4 attempts per idempotent request waiting about
// 250ms, 500ms, 1s (with jitter, or as Retry-After says, up to 30s), no
// logging and no response validation (package validate).
//
// Without WithHTTPClient, the client makes two transports, clones of
// http.DefaultTransport (proxy from the environment, HTTP/2), one for API
// calls and one for backup downloads, which never sends the bearer token.
// Each keeps up to 256 idle connections per host, instead of 2, so that
// the goroutines sharing a client reuse their connections
// (docs/client.md, "Connections"); answer headers are capped at 1 MiB.
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
	base = httpx.APIBaseURL(base)

	c := &Client{baseURL: base}
	caller, err := apicall.New(apicall.Config{
		BaseURL: base, Tokens: cfg.tokens, HTTPClient: cfg.httpClient, UserAgent: cfg.userAgent,
		Retry: cfg.retry, Logger: cfg.logger, Wrap: cfg.apiTransport, Missing: missingOf,
	})
	if err != nil {
		return nil, err
	}
	c.caller, c.api = caller, caller.API
	c.Databases = &DatabasesService{service{c, "DatabasesService"}}
	c.Features = &FeaturesService{service{c, "FeaturesService"}}
	c.Actions = &ActionsService{service{c, "ActionsService"}}
	c.PITR = &PITRService{service{c, "PITRService"}}
	c.Users = &UsersService{service{c, "UsersService"}}
	c.Backups = &BackupsService{service{c, "BackupsService"}}
	c.Maintenance = &MaintenanceService{service{c, "MaintenanceService"}}
	c.Instances = &InstancesService{service{c, "InstancesService"}}
	c.Metrics = &MetricsService{service{c, "MetricsService"}}
	c.Logs = &LogsService{service{c, "LogsService"}}
	c.TypeVersions = &TypeVersionsService{service{c, "TypeVersionsService"}}
	c.Firewall = &FirewallService{service{c, "FirewallService"}}
	c.Operations = &OperationsService{service{c, "OperationsService"}}
	c.Types = &TypesService{service{c, "TypesService"}}
	c.Plans = &PlansService{service{c, "PlansService"}}
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
	c.caller.Close()
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

// checker is implemented by the answer types whose required fields the
// client checks: missing names the fields missing, or is "". The shapes
// of package wire name theirs with Missing.
type checker interface{ missing() string }

// missingOf is the required-field check of the decoded answers (see
// apicall.Config.Missing).
func missingOf(v any) string {
	switch c := v.(type) {
	case checker:
		return c.missing()
	case interface{ Missing() string }:
		return c.Missing()
	}
	return ""
}

// missingIf returns what when missing holds, else "": the body of most
// missing methods.
func missingIf(missing bool, what string) string {
	if missing {
		return what
	}
	return ""
}
