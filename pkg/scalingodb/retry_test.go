package scalingodb

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/apicall"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"
)

func TestRetry_IdempotentRequests(t *testing.T) {
	tests := []struct {
		name    string
		fail    func(t *testing.T, w http.ResponseWriter)
		retried bool
	}{
		{"503", func(t *testing.T, w http.ResponseWriter) { writeJSON(w, 503, `{"error":"down"}`) }, true},
		{"500", func(t *testing.T, w http.ResponseWriter) { writeJSON(w, 500, `{"error":"oops"}`) }, true},
		{"429 with Retry-After 0", func(t *testing.T, w http.ResponseWriter) {
			w.Header().Set("Retry-After", "0")
			writeJSON(w, 429, `{"error":"Retry later"}`)
		}, true},
		{"connection reset", func(t *testing.T, w http.ResponseWriter) { resetConn(t, w) }, true},
		{"cut in the middle of the body", func(t *testing.T, w http.ResponseWriter) {
			w.Header().Set("Content-Length", "100")
			writeJSON(w, 200, `{"database-users":[`)
			w.(http.Flusher).Flush()
			resetConn(t, w)
		}, true},
		{"404 is final", func(t *testing.T, w http.ResponseWriter) { writeJSON(w, 404, `{"error":"not found"}`) }, false},
		{"501 is final", func(t *testing.T, w http.ResponseWriter) { writeJSON(w, 501, `{"error":"no"}`) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			c, rec, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) <= 2 {
					tt.fail(t, w)
					return
				}
				writeJSON(w, 200, `{"database-users":[]}`)
			})
			_, err := c.Users.List(context.Background(), "db")
			if tt.retried {
				if err != nil || rec.count() != 3 {
					t.Fatalf("got %v after %d requests, want success after 3", err, rec.count())
				}
			} else if err == nil || rec.count() != 1 {
				t.Fatalf("got %v after %d requests, want an error after 1", err, rec.count())
			}
		})
	}
}

func TestRetry_GivesUpWithLastAnswer(t *testing.T) {
	c, rec, _ := newTestClient(t, fixed(503, `{"error":"down"}`))
	_, err := c.Backups.List(context.Background(), "db")
	if !errors.Is(err, ErrServer) || rec.count() != 3 {
		t.Fatalf("got %v after %d requests, want ErrServer after 3", err, rec.count())
	}
}

// TestRetry_NeverRetriesCreates sends every operation that may take effect
// (every operation the table marks as not retried, which
// TestOperationTable_MatchesSpec derives from the spec) against a server
// that always fails: each must be sent exactly once.
func TestRetry_NeverRetriesCreates(t *testing.T) {
	ctx := context.Background()
	calls := map[string]func(c *Client) error{
		"createBackup": func(c *Client) error { _, err := c.Backups.Create(ctx, "db"); return err },
		"createDatabaseUser": func(c *Client) error {
			_, err := c.Users.Create(ctx, "db", &CreateUserParams{Name: "my-user"})
			return err
		},
		"resetDatabaseUserPassword": func(c *Client) error { _, err := c.Users.ResetPassword(ctx, "db", "my-user"); return err },
		"runDatabaseAction":         func(c *Client) error { _, err := c.Actions.Run(ctx, "db", "reset-database", nil); return err },
		"upgradeDatabase":           func(c *Client) error { _, err := c.Databases.Upgrade(ctx, "db"); return err },
		"restoreDatabasePitr":       func(c *Client) error { _, err := c.PITR.Restore(ctx, "db", time.Now()); return err },
		"createFirewallRule": func(c *Client) error {
			_, err := c.Firewall.Create(ctx, "db", &CreateFirewallRuleParams{Type: FirewallManagedRange, RangeID: "eu"})
			return err
		},
		"enableDatabaseFeature": func(c *Client) error { _, err := c.Features.Enable(ctx, "db", "force-ssl"); return err },
		"restoreBackup":         func(c *Client) error { _, err := c.Backups.Restore(ctx, "db", "b"); return err },
	}
	var once []string
	for _, o := range apicall.Table {
		if !o.Retry {
			once = append(once, o.ID)
		}
	}
	if diff := cmp.Diff(slices.Sorted(slices.Values(once)), slices.Sorted(maps.Keys(calls))); diff != "" {
		t.Fatalf("the calls below are not the table's operations sent once (-table +calls):\n%s", diff)
	}
	// A 429 says that the server did nothing: it is the one answer after
	// which they are sent again (3 times in all for newTestClient).
	failures := map[string]struct {
		fail    func(t *testing.T, w http.ResponseWriter)
		sent    int
		wantErr error
	}{
		"503": {func(t *testing.T, w http.ResponseWriter) { writeJSON(w, 503, `{"error":"down"}`) }, 1, ErrOutcomeUnknown},
		"429": {func(t *testing.T, w http.ResponseWriter) {
			w.Header().Set("Retry-After", "0")
			writeJSON(w, 429, `{"error":"slow"}`)
		}, 3, ErrRateLimited},
		"reset": {func(t *testing.T, w http.ResponseWriter) { resetConn(t, w) }, 1, ErrOutcomeUnknown},
	}
	for op, call := range calls {
		for fname, f := range failures {
			t.Run(op+"/"+fname, func(t *testing.T) {
				c, rec, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { f.fail(t, w) })
				if err := call(c); !errors.Is(err, f.wantErr) {
					t.Fatalf("got %v, want %v", err, f.wantErr)
				}
				if n := rec.count(); n != f.sent {
					t.Fatalf("%s sent %d times, want %d", op, n, f.sent)
				}
			})
		}
	}
}

func TestRetry_BodyIsReplayed(t *testing.T) {
	var n atomic.Int32
	c, rec, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			writeJSON(w, 502, `{"error":"bad gateway"}`)
			return
		}
		writeJSON(w, 200, `{"database":{"id":"x"}}`)
	})
	on := true
	if _, err := c.Databases.Update(context.Background(), "db", &UpdateDatabaseParams{PeriodicBackupsEnabled: &on, PeriodicBackupsScheduledAt: []int{3}}); err != nil {
		t.Fatal(err)
	}
	reqs := rec.all()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	want := `{"database":{"periodic_backups_enabled":true,"periodic_backups_scheduled_at":3}}`
	for i, r := range reqs {
		if string(r.Body) != want || r.Method != http.MethodPatch {
			t.Errorf("request %d: %s %s, want PATCH %s", i, r.Method, r.Body, want)
		}
	}
}

func TestRetry_RetryAfterLongerThanMaxWait(t *testing.T) {
	c, rec, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		writeJSON(w, 429, `{"error":"slow down"}`)
	}, WithRetry(RetryPolicy{MaxAttempts: 5, MinWait: time.Millisecond, MaxWait: 10 * time.Second}))
	_, err := c.Users.List(context.Background(), "db")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.RetryAfter != 2*time.Minute || rec.count() != 1 {
		t.Fatalf("got %v after %d requests, want the 429 at once with RetryAfter 2m", err, rec.count())
	}
}

func TestRetry_HonoursContext(t *testing.T) {
	c, rec, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		writeJSON(w, 429, `{"error":"slow down"}`)
	}, WithRetry(RetryPolicy{MaxAttempts: 5, MinWait: time.Millisecond, MaxWait: time.Minute}))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Users.List(ctx, "db")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the context's error", err)
	}
	if time.Since(start) > 5*time.Second || rec.count() != 1 {
		t.Fatalf("waited %v with %d requests: the 30s Retry-After should have been cut by the context", time.Since(start), rec.count())
	}
}

func TestBackoff(t *testing.T) {
	resp := func(status int, retryAfter string) *http.Response {
		h := http.Header{}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		return &http.Response{StatusCode: status, Header: h}
	}
	tests := []struct {
		name     string
		attempt  int
		resp     *http.Response
		min, max time.Duration
	}{
		{"first", 0, nil, 50 * time.Millisecond, 100 * time.Millisecond},
		{"third doubles twice", 2, nil, 200 * time.Millisecond, 400 * time.Millisecond},
		{"capped", 20, nil, 500 * time.Millisecond, time.Second},
		{"Retry-After seconds", 0, resp(429, "3"), 3 * time.Second, 3 * time.Second},
		{"Retry-After capped", 0, resp(503, "120"), 10 * time.Second, 10 * time.Second},
		// An unusable Retry-After leaves the exponential backoff (attempt 3: 800ms with jitter).
		{"Retry-After zero", 3, resp(429, "0"), 400 * time.Millisecond, 800 * time.Millisecond},
		{"Retry-After negative", 3, resp(429, "-5"), 400 * time.Millisecond, 800 * time.Millisecond},
		{"Retry-After invalid", 3, resp(503, "soon"), 400 * time.Millisecond, 800 * time.Millisecond},
		{"Retry-After in the past", 3, resp(429, "Mon, 02 Jan 2006 15:04:05 GMT"), 400 * time.Millisecond, 800 * time.Millisecond},
		{"Retry-After date ahead", 0, resp(429, time.Now().Add(5*time.Second).UTC().Format(http.TimeFormat)), 3 * time.Second, 5 * time.Second},
		{"no Retry-After on 500", 0, resp(500, "3"), 50 * time.Millisecond, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			maxWait := time.Second
			if tt.resp != nil && tt.resp.Header.Get("Retry-After") != "" {
				maxWait = 10 * time.Second
			}
			for range 50 {
				d := httpx.Backoff(100*time.Millisecond, maxWait, tt.attempt, tt.resp)
				if d < tt.min || d > tt.max {
					t.Fatalf("httpx.Backoff = %v, want within [%v, %v]", d, tt.min, tt.max)
				}
			}
		})
	}
}

// TestShouldRetry_Classification runs the client's CheckRetry on transport
// errors and answers: go-retryablehttp's policy decides for connection
// errors and statuses, and the client's own rules come first.
func TestShouldRetry_Classification(t *testing.T) {
	urlErr := func(err error) error { return &url.Error{Op: "Get", URL: "https://db-api.example/api/x", Err: err} }
	answer := func(status int, retryAfter string) *http.Response {
		r := &http.Response{StatusCode: status, Status: http.StatusText(status), Header: http.Header{}}
		if retryAfter != "" {
			r.Header.Set("Retry-After", retryAfter)
		}
		return r
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		resp    *http.Response
		err     error
		want    bool
		wantErr error
	}{
		{"connection reset", nil, nil, urlErr(syscall.ECONNRESET), true, nil},
		{"body cut short", nil, nil, io.ErrUnexpectedEOF, true, nil},
		{"untrusted certificate", nil, nil, urlErr(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), false, nil},
		{"unsupported scheme", nil, nil, urlErr(errors.New(`unsupported protocol scheme "ftp"`)), false, nil},
		{"too many redirects", nil, nil, urlErr(errors.New("stopped after 10 redirects")), false, nil},
		{"refused https to http redirect", nil, nil, urlErr(&RedirectError{From: "https://a", To: "http://a"}), false, nil},
		{"answer over the cap", nil, nil, fmt.Errorf("answer larger than 32 MiB: %w", &http.MaxBytesError{Limit: 1}), false, nil},
		{"spec violation", nil, nil, &ResponseError{Reason: "violation"}, false, nil},
		{"not idempotent", httpx.NoRetry(context.Background()), nil, urlErr(syscall.ECONNRESET), false, nil},
		{"cancelled", cancelled, nil, urlErr(syscall.ECONNRESET), false, context.Canceled},
		{"429", nil, answer(429, ""), nil, true, nil},
		{"503", nil, answer(503, ""), nil, true, nil},
		{"503 asking for longer than MaxWait", nil, answer(503, "3600"), nil, false, nil},
		{"501", nil, answer(501, ""), nil, false, nil},
		{"404", nil, answer(404, ""), nil, false, nil},
		{"200", nil, answer(200, ""), nil, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			got, err := httpx.ShouldRetry(ctx, tt.resp, tt.err, 30*time.Second)
			if got != tt.want || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("ShouldRetry = %t, %v; want %t, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// TestRetry_TransportErrorsAgainstServers sends requests that fail in ways
// no retry can fix, against real servers: each is tried once.
func TestRetry_TransportErrorsAgainstServers(t *testing.T) {
	fast := WithRetry(RetryPolicy{MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond})
	t.Run("untrusted certificate", func(t *testing.T) {
		var conns atomic.Int32
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				conns.Add(1)
			}
		}
		srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		srv.StartTLS()
		t.Cleanup(srv.Close)
		c, err := New(WithBaseURL(srv.URL), WithToken(testToken), fast)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Users.List(context.Background(), "db")
		var certErr *tls.CertificateVerificationError
		if !errors.As(err, &certErr) || conns.Load() != 1 {
			t.Fatalf("got %v after %d connections, want a certificate error after 1", err, conns.Load())
		}
	})
	t.Run("too many redirects", func(t *testing.T) {
		c, rec, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path, http.StatusFound)
		}, fast)
		_, err := c.Users.List(context.Background(), "db")
		if err == nil || rec.count() != 10 {
			t.Fatalf("got %v after %d requests, want an error after the 10 of one attempt", err, rec.count())
		}
	})
}
