// Package mockserver is a stateful in-memory fake of the Scalingo Database API.
//
// A Server serves the operations of the generated strict server interface
// (dbapi.StrictServerInterface, implemented by an unexported type) over an in-memory store guarded
// by a mutex, with time-ordered IDs unique across restarts and an injectable clock: a backup goes
// scheduled → running → done as the clock moves, a feature goes PENDING_TO_ACTIVATE → ACTIVATED.
// Requests are validated against the spec on the way in and responses on the way out by
// pkg/conformance, so the mock cannot drift from openapi.yaml unnoticed.
//
// The handler chain, outermost first, is: limits (a 413 for a body over MaxBodyBytes sent to an
// operation that takes one, a read deadline for the body and a deadline for each write:
// WithTimeouts), faults and latency (WithFaults), contract mutations (WithMutations), routing (404
// for what no operation serves), bearer authentication (401 for an unknown token, 403 for a token of
// WithDatabaseToken on another database), conformance validation, and the generated handler of the
// operation.
package mockserver

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/conformance"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/faults"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/respcheck"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/respond"
)

// DefaultToken is the bearer token a Server accepts unless WithToken says otherwise.
const DefaultToken = "mock-token"

// Default timings of the simulated lifecycles.
const (
	defaultBackupScheduled   = 2 * time.Second
	defaultBackupRunning     = 5 * time.Second
	defaultDownloadTTL       = 10 * time.Minute
	defaultFeatureActivation = 3 * time.Second
)

// Clock tells the Server what time it is. Lifecycles (backups, features, download URL expiry) are
// derived from it when a resource is read, so a ManualClock makes them fully deterministic.
type Clock interface {
	Now() time.Time
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// ManualClock is a Clock that only moves when Advance is called. It is safe for concurrent use.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a ManualClock stopped at t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{now: t} }

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Option configures a Server built by New.
type Option func(*config)

type config struct {
	token             string
	scoped            []scopedToken
	clock             Clock
	seed              *Seed
	backupScheduled   time.Duration
	backupRunning     time.Duration
	backupErrorRate   float64
	downloadTTL       time.Duration
	signingKey        []byte // WithSigningKey: the key of the download links, nil for a random one
	publicURL         string // WithPublicURL: what links start with, "" for the request's scheme and Host
	featureActivation time.Duration
	opTimings         opTimings // WithOperationTimings
	bandwidth         int64
	faults            Faults
	timeouts          Timeouts
	mutations         []string
	onViolation       func(error)
	validator         *conformance.Validator
	noMemo            bool // validate every response, even one identical to a valid one
	errs              []error
}

// WithToken sets the bearer token the Server accepts (default DefaultToken). An empty token is an error.
func WithToken(token string) Option {
	return func(c *config) {
		if token == "" {
			c.errs = append(c.errs, errors.New("mockserver: WithToken: empty token"))
			return
		}
		c.token = token
	}
}

// scopedToken is a bearer token that grants only the operations on one database.
type scopedToken struct {
	database string
	token    string
}

// WithDatabaseToken adds a bearer token valid only for the database databaseID (its ID or its
// resource ID), like the API's addon tokens. With it, an operation on another database, or getBackup
// on a backup of another database, is answered 403; operations that address no database
// (getDatabaseTypeVersion, listFirewallManagedRanges) are granted. The token of WithToken keeps
// granting everything. The option may be repeated; empty arguments, a token given to two databases,
// and a token equal to the main one are errors.
func WithDatabaseToken(databaseID, token string) Option {
	return func(c *config) {
		if databaseID == "" || token == "" {
			c.errs = append(c.errs, errors.New("mockserver: WithDatabaseToken: empty database ID or token"))
			return
		}
		c.scoped = append(c.scoped, scopedToken{database: databaseID, token: token})
	}
}

// checkScoped reports the scoped tokens that would make authentication ambiguous.
func (c *config) checkScoped() error {
	seen := map[string]string{}
	for _, st := range c.scoped {
		if st.token == c.token {
			return fmt.Errorf("mockserver: WithDatabaseToken: the token of %s is the main token", st.database)
		}
		if db, ok := seen[st.token]; ok && db != st.database {
			return fmt.Errorf("mockserver: WithDatabaseToken: one token given to %s and %s", db, st.database)
		}
		seen[st.token] = st.database
	}
	return nil
}

// WithClock sets the clock the lifecycles follow (default: real time).
func WithClock(clk Clock) Option {
	return func(c *config) {
		if clk == nil {
			c.errs = append(c.errs, errors.New("mockserver: WithClock: nil clock"))
			return
		}
		c.clock = clk
	}
}

// WithSeed loads databases, users, backups, maintenance, features and firewall rules. Without it the
// Server starts empty (every database is unknown).
func WithSeed(seed Seed) Option {
	return func(c *config) { c.seed = &seed }
}

// WithBackupTimings sets how long a new backup stays scheduled, then running, before it is done or in
// error (defaults 2s and 5s).
func WithBackupTimings(scheduled, running time.Duration) Option {
	return func(c *config) {
		if scheduled < 0 || running < 0 {
			c.errs = append(c.errs, errors.New("mockserver: WithBackupTimings: negative duration"))
			return
		}
		c.backupScheduled, c.backupRunning = scheduled, running
	}
}

// WithBackupErrorRate sets the share (0 to 1) of new backups that end in error. The choice is
// deterministic: with share 0.25, every fourth backup fails.
func WithBackupErrorRate(share float64) Option {
	return func(c *config) {
		if !(share >= 0 && share <= 1) { // NaN fails both comparisons
			c.errs = append(c.errs, fmt.Errorf("mockserver: WithBackupErrorRate: %v is not in [0, 1]", share))
			return
		}
		c.backupErrorRate = share
	}
}

// WithDownloadTTL sets the lifetime of the pre-signed download URLs (default 10 minutes).
func WithDownloadTTL(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			c.errs = append(c.errs, errors.New("mockserver: WithDownloadTTL: duration must be positive"))
			return
		}
		c.downloadTTL = d
	}
}

// WithSigningKey sets the key that signs the pre-signed download URLs (an HMAC-SHA256 key), so that a
// link handed out by one Server is valid on another built with the same key: the mock restarted, a
// client resuming a download with the link it kept. Without it each Server draws a random key, and
// its links are refused by every other. The key is copied; an empty key is an error.
func WithSigningKey(key []byte) Option {
	return func(c *config) {
		if len(key) == 0 {
			c.errs = append(c.errs, errors.New("mockserver: WithSigningKey: empty key"))
			return
		}
		c.signingKey = bytes.Clone(key)
	}
}

// WithFeatureActivation sets how long an enabled feature stays PENDING_TO_ACTIVATE before the
// database lists it as ACTIVATED (default 3s).
func WithFeatureActivation(d time.Duration) Option {
	return func(c *config) {
		if d < 0 {
			c.errs = append(c.errs, errors.New("mockserver: WithFeatureActivation: negative duration"))
			return
		}
		c.featureActivation = d
	}
}

// WithBandwidthLimit caps the rate at which each download response is written, in bytes per second
// (default: unlimited). It lets a client show the gain of fetching ranges over parallel connections.
func WithBandwidthLimit(bytesPerSecond int64) Option {
	return func(c *config) {
		if bytesPerSecond < 0 {
			c.errs = append(c.errs, errors.New("mockserver: WithBandwidthLimit: negative rate"))
			return
		}
		c.bandwidth = bytesPerSecond
	}
}

// WithResponseViolationHandler sets the function called when a response of the mock itself breaks the
// spec, or an operation fails (default: log it; Start fails the test). The error of a violation is a
// *conformance.ViolationError. Responses rewritten by a mutation are not checked, and a JSON answer
// identical (status, headers, body) to one already found valid is not checked again. f may be called
// from several goroutines at once; nil keeps the default.
func WithResponseViolationHandler(f func(error)) Option {
	return func(c *config) {
		if f != nil {
			c.onViolation = f
		}
	}
}

// WithValidator makes the Server use v instead of building its own, so that several servers (or a
// server and a test) share one Validator, which is expensive to build.
func WithValidator(v *conformance.Validator) Option {
	return func(c *config) { c.validator = v }
}

// Server is the stateful fake of the Database API. Build it with New; it is safe for concurrent use.
type Server struct {
	cfg     config
	secret  []byte
	reqSeq  atomic.Uint64
	handler http.Handler
	// operations holds the chain of each operation, by operationId: dispatch routes each request,
	// once, to one of them.
	operations map[string]http.Handler

	takesBody map[string]bool       // operationId → the operation has a request body
	scopes    map[string]scopeParam // operationId → what ties it to a database, if anything
	checker   *respcheck.Checker    // validates the JSON answers
	faults    *faults.Injector      // nil without faults
	muts      map[string]*Mutation  // by operationId

	mu    sync.Mutex
	store *store
}

// handlers implements the operations of the generated strict server interface over the Server's
// store. It is unexported so that the Server's API is only what a user of the mock calls.
type handlers struct{ *Server }

var _ dbapi.StrictServerInterface = handlers{}

// onDatabase runs f on the database id with s.mu held, or answers 404 when the database is
// unknown. R is the response interface of the operation, which respond.Response implements
// (TestHandlers_RespondImplementsEveryResponse).
func onDatabase[R any](s handlers, id string, f func(db *database) (R, error)) (R, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	db := s.store.dbs[id]
	if db == nil {
		return any(respond.NotFound("database")).(R), nil
	}
	return f(db)
}

// New builds a Server. Defaults: token DefaultToken and no database-scoped token, real clock, no data
// (see WithSeed and DemoSeed), backups scheduled for 2s then running for 5s, download URLs valid for
// 10 minutes, built on the scheme and Host of each request (WithPublicURL) and signed with a random
// key (WithSigningKey), the time limits of
// Timeouts, no faults, no mutations, violations logged. It fails only on invalid options or when the
// validator cannot be built.
func New(opts ...Option) (*Server, error) {
	cfg := config{
		token:             DefaultToken,
		clock:             realClock{},
		backupScheduled:   defaultBackupScheduled,
		backupRunning:     defaultBackupRunning,
		downloadTTL:       defaultDownloadTTL,
		featureActivation: defaultFeatureActivation,
		timeouts:          defaultTimeouts(),
		onViolation:       func(err error) { log.Printf("mockserver: response violates the spec: %v", err) },
	}
	for _, opt := range opts {
		opt(&cfg)
	}
	if err := cfg.checkScoped(); err != nil {
		cfg.errs = append(cfg.errs, err)
	}
	muts, err := selectMutations(cfg.mutations)
	if err != nil {
		cfg.errs = append(cfg.errs, err)
	}
	if len(cfg.errs) > 0 {
		return nil, errors.Join(cfg.errs...)
	}
	if cfg.validator == nil {
		v, err := conformance.New()
		if err != nil {
			return nil, fmt.Errorf("mockserver: build validator: %w", err)
		}
		cfg.validator = v
	}
	secret := cfg.signingKey
	if secret == nil {
		secret = make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return nil, fmt.Errorf("mockserver: secret: %w", err)
		}
	}
	s := &Server{cfg: cfg, secret: secret, muts: muts}
	s.store = newStore()
	if cfg.seed != nil {
		if err := s.store.load(*cfg.seed, cfg.clock.Now()); err != nil {
			return nil, err
		}
	}
	s.checker = respcheck.New(cfg.validator, !cfg.noMemo, cfg.onViolation)
	if cfg.faults.Active() {
		s.faults = faults.New(cfg.faults)
	}
	if s.handler, err = s.buildChain(); err != nil {
		return nil, err
	}
	return s, nil
}

// Handler returns the HTTP handler that serves the API under /api, with the whole chain: limits,
// faults, mutations, authentication, validation and the operations. Serve it with HTTPServer for the
// header and idle time limits too.
func (s *Server) Handler() http.Handler { return s.handler }

// Start builds a Server with opts and serves it on an httptest server bound to 127.0.0.1, with the
// time limits of HTTPServer; it closes the server with t.Cleanup. It returns the Server and its base
// URL including "/api" (for example "http://127.0.0.1:41234/api"). Unless an option says otherwise, a
// response of the mock that breaks the spec fails t; invalid options fail t at once.
func Start(t testing.TB, opts ...Option) (*Server, string) {
	t.Helper()
	all := append([]Option{WithResponseViolationHandler(func(err error) {
		t.Errorf("mockserver: response violates the spec: %v", err)
	})}, opts...)
	s, err := New(all...)
	if err != nil {
		t.Fatalf("mockserver.Start: %v", err)
	}
	srv := httptest.NewUnstartedServer(s.Handler())
	s.configure(srv.Config)
	srv.Start()
	t.Cleanup(srv.Close)
	return s, srv.URL + "/api"
}

// Backups returns the backups of a database as the API would list them now (newest first), or nil
// when the database is unknown.
func (s *Server) Backups(databaseID string) []dbapi.Backup {
	s.mu.Lock()
	defer s.mu.Unlock()
	db := s.store.dbs[databaseID]
	if db == nil {
		return nil
	}
	now := s.cfg.clock.Now()
	out := make([]dbapi.Backup, 0, len(db.backups))
	for i := len(db.backups) - 1; i >= 0; i-- {
		out = append(out, s.backupView(db.backups[i], now))
	}
	return out
}

// Users returns the users of a database as the API would list them (without passwords), or nil when
// the database is unknown.
func (s *Server) Users(databaseID string) []dbapi.DatabaseUser {
	s.mu.Lock()
	defer s.mu.Unlock()
	db := s.store.dbs[databaseID]
	if db == nil {
		return nil
	}
	out := make([]dbapi.DatabaseUser, 0, db.users.Len())
	for u := range db.users.All() {
		out = append(out, u.view())
	}
	return out
}
