// Package auth supplies the bearer tokens of the Scalingo Database API: a
// static token (StaticToken), or the addon token of a database obtained from
// the main Scalingo API with a Scalingo API token (AddonTokenSource), cached
// and renewed before it expires. It also lists the addons of an application
// (ListAddons). Package scalingodb takes any TokenSource (WithTokenSource);
// its TokenSource, StaticToken, AddonTokenSource and the rest are these.
package auth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"
)

// Secret is a sensitive string that prints as "[redacted]"; it is
// scalingodb.Secret.
type Secret = httpx.Secret

// NewSecret returns a Secret holding s.
func NewSecret(s string) Secret { return httpx.NewSecret(s) }

// TokenSource supplies the bearer token of the Database API. It is called
// before every request and must be safe for concurrent use.
type TokenSource interface {
	// Token returns a valid token, or an error that stops the request.
	Token(ctx context.Context) (string, error)
}

// StaticToken returns a TokenSource that always gives token, such as the
// DB_BEARER_TOKEN of the Scalingo documentation. The token is never printed.
func StaticToken(token string) TokenSource { return staticToken{NewSecret(token)} }

// staticToken keeps its token in a Secret, behind a pointer that fmt
// prints as an address when it calls no method.
type staticToken struct{ tok Secret }

func (s staticToken) Token(context.Context) (string, error) {
	if s.tok.IsZero() {
		return "", errors.New("scalingodb: empty static token")
	}
	return s.tok.Reveal(), nil
}

// String redacts the token.
func (s staticToken) String() string { return "StaticToken(" + httpx.Redacted + ")" }

// GoString redacts the token.
func (s staticToken) GoString() string { return s.String() }

// Format prints the redacted form whatever the verb.
func (s staticToken) Format(f fmt.State, verb rune) { httpx.FormatRedacted(f, verb, s.String()) }

// Defaults of AddonTokenConfig.
const (
	// DefaultAuthURL is the Scalingo authentication API.
	DefaultAuthURL = "https://auth.scalingo.com"
	// addonTokenLifetime is how long an addon token and an exchanged
	// bearer token are valid, at most: a JWT's exp may say less (renewAt).
	addonTokenLifetime = time.Hour
	// renewBefore is how long before expiry a cached token is renewed.
	renewBefore = 5 * time.Minute
)

// AddonTokenConfig configures NewAddonTokenSource. Its tokens are Secrets:
// it prints, logs and marshals without them.
type AddonTokenConfig struct {
	// APIToken is a Scalingo API token ("tk-us-..."), exchanged for a
	// bearer token at the authentication API. Give it or BearerToken.
	APIToken Secret
	// BearerToken is a user bearer token already exchanged; used when
	// APIToken is empty.
	BearerToken Secret
	// App is the name or ID of the application that owns the addon.
	App string
	// AddonID is the ID of the database addon.
	AddonID string
	// AuthURL is the authentication API (default DefaultAuthURL).
	AuthURL string
	// Region selects the main API, https://api.<region>.scalingo.com, when
	// APIURL is empty (default osc-fr1).
	Region string
	// APIURL is the main API (default from Region).
	APIURL string
	// HTTPClient sends the token requests (default: a new http.Client with
	// a 30s timeout).
	HTTPClient *http.Client
	// UserAgent is the User-Agent header of the token requests (default
	// "scalingodb-go", scalingodb.DefaultUserAgent), such as the one given to the client's
	// WithUserAgent.
	UserAgent string
}

// AddonTokenSource obtains the addon token of a database from the main
// Scalingo API, caches it for its lifetime and renews it five minutes
// before it expires (half its lifetime before, for a token valid less than
// ten minutes). The lifetime is the exp claim of the token, a JWT, when it
// falls within the hour; else (an opaque token, an exp in the past or
// beyond the hour) one hour. The exchanged bearer token is cached the same
// way. It is safe for concurrent use: while a
// token is being fetched, every other caller waits for that one fetch.
type AddonTokenSource struct {
	cfg AddonTokenConfig
	hc  *http.Client
	now func() time.Time

	mu       sync.Mutex
	addon    cachedToken
	bearer   cachedToken
	inflight *tokenFetch
}

// cachedToken is a token and when to renew it (renewAt); the token is a
// Secret, so that printing the source by reflection shows an address, not
// the token.
type cachedToken struct {
	value Secret
	renew time.Time
}

func (c cachedToken) fresh(now time.Time) bool {
	return !c.value.IsZero() && now.Before(c.renew)
}

type tokenFetch struct {
	done  chan struct{}
	token Secret
	err   error
}

// NewAddonTokenSource checks cfg and returns a token source; it does no I/O.
func NewAddonTokenSource(cfg AddonTokenConfig) (*AddonTokenSource, error) {
	if cfg.APIToken.IsZero() && cfg.BearerToken.IsZero() {
		return nil, &httpx.InvalidInputError{Field: "AddonTokenConfig", Reason: "APIToken or BearerToken is required"}
	}
	if cfg.App == "" || cfg.AddonID == "" {
		return nil, &httpx.InvalidInputError{Field: "AddonTokenConfig", Reason: "App and AddonID are required"}
	}
	return newTokenSource(cfg)
}

// newTokenSource fills in the defaults of cfg and checks its URLs; App
// and AddonID may be empty (ListAddons needs only the bearer token).
func newTokenSource(cfg AddonTokenConfig) (*AddonTokenSource, error) {
	if cfg.AuthURL == "" {
		cfg.AuthURL = DefaultAuthURL
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = httpx.DefaultUserAgent
	}
	if strings.ContainsAny(cfg.UserAgent, "\r\n") {
		return nil, &httpx.InvalidInputError{Field: "AddonTokenConfig", Reason: "UserAgent must be a single line"}
	}
	if cfg.APIURL == "" {
		region := cfg.Region
		if region == "" {
			region = httpx.DefaultRegion
		}
		if err := httpx.CheckRegion(region); err != nil {
			return nil, err
		}
		cfg.APIURL = "https://api." + region + ".scalingo.com"
	}
	for _, u := range []string{cfg.AuthURL, cfg.APIURL} {
		if err := httpx.CheckHTTPURL(u); err != nil {
			return nil, err
		}
	}
	cfg.AuthURL = strings.TrimRight(cfg.AuthURL, "/")
	cfg.APIURL = strings.TrimRight(cfg.APIURL, "/")
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &AddonTokenSource{cfg: cfg, hc: httpx.WithSafeRedirects(hc), now: time.Now}, nil
}

// String names the source without any token.
func (s *AddonTokenSource) String() string {
	return "AddonTokenSource(app=" + s.cfg.App + ", addon=" + s.cfg.AddonID + ")"
}

// GoString names the source without any token.
func (s *AddonTokenSource) GoString() string { return s.String() }

// Format prints String whatever the verb, so that no verb reaches the
// cached tokens.
func (s *AddonTokenSource) Format(f fmt.State, verb rune) { httpx.FormatRedacted(f, verb, s.String()) }

// Token returns the cached addon token, or fetches a new one when none is
// cached or the cached one is due for renewal (see AddonTokenSource).
func (s *AddonTokenSource) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	if s.addon.fresh(s.now()) {
		t := s.addon.value
		s.mu.Unlock()
		return t.Reveal(), nil
	}
	f := s.inflight
	if f == nil {
		f = &tokenFetch{done: make(chan struct{})}
		s.inflight = f
		// The fetch outlives a caller that gives up: the others still wait for it.
		go s.fetch(context.WithoutCancel(ctx), f)
	}
	s.mu.Unlock()
	select {
	case <-f.done:
		return f.token.Reveal(), f.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Invalidate drops the cached addon token, so that the next call fetches a
// new one (for instance after a 401).
func (s *AddonTokenSource) Invalidate() {
	s.mu.Lock()
	s.addon = cachedToken{}
	s.mu.Unlock()
}

func (s *AddonTokenSource) fetch(ctx context.Context, f *tokenFetch) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	tok, err := s.fetchAddonToken(ctx)
	s.mu.Lock()
	if err == nil {
		s.addon = cachedToken{value: NewSecret(tok), renew: renewAt(tok, s.now())}
	}
	s.inflight = nil
	s.mu.Unlock()
	f.token, f.err = NewSecret(tok), err
	close(f.done)
}

func (s *AddonTokenSource) bearerToken(ctx context.Context) (string, error) {
	if s.cfg.APIToken.IsZero() {
		return s.cfg.BearerToken.Reveal(), nil
	}
	s.mu.Lock()
	b := s.bearer
	s.mu.Unlock()
	if b.fresh(s.now()) {
		return b.value.Reveal(), nil
	}
	var out struct {
		Token *string `json:"token"`
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.AuthURL+"/v1/tokens/exchange", bytes.NewReader([]byte("{}")))
	if err != nil {
		return "", err
	}
	req.SetBasicAuth("", s.cfg.APIToken.Reveal())
	if err := s.postJSON(req, "token exchange", &out); err != nil {
		return "", err
	}
	if out.Token == nil || *out.Token == "" {
		return "", &httpx.ResponseError{StatusCode: http.StatusOK, OperationID: "token exchange", Reason: `missing key "token"`}
	}
	s.mu.Lock()
	s.bearer = cachedToken{value: NewSecret(*out.Token), renew: renewAt(*out.Token, s.now())}
	s.mu.Unlock()
	return *out.Token, nil
}

func (s *AddonTokenSource) fetchAddonToken(ctx context.Context) (string, error) {
	bearer, err := s.bearerToken(ctx)
	if err != nil {
		return "", err
	}
	u := s.cfg.APIURL + "/v1/apps/" + url.PathEscape(s.cfg.App) + "/addons/" + url.PathEscape(s.cfg.AddonID) + "/token"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader([]byte("{}")))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+bearer)
	var out struct {
		Addon *struct {
			Token *string `json:"token"`
		} `json:"addon"`
	}
	if err := s.postJSON(req, "addon token", &out); err != nil {
		var ae *httpx.APIError
		if errors.As(err, &ae) && ae.StatusCode == http.StatusUnauthorized {
			s.mu.Lock()
			s.bearer = cachedToken{}
			s.mu.Unlock()
		}
		return "", err
	}
	if out.Addon == nil {
		return "", &httpx.ResponseError{StatusCode: http.StatusOK, OperationID: "addon token", Reason: `missing envelope key "addon"`}
	}
	if out.Addon.Token == nil || *out.Addon.Token == "" {
		return "", &httpx.ResponseError{StatusCode: http.StatusOK, OperationID: "addon token", Reason: `missing key "addon.token"`}
	}
	return *out.Addon.Token, nil
}

// postJSON sends req and decodes a 2xx JSON answer of at most 1 MiB into out.
func (s *AddonTokenSource) postJSON(req *http.Request, op string, out any) error {
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", s.cfg.UserAgent)
	return httpx.DoJSON(s.hc, req, op, 1<<20, out)
}
