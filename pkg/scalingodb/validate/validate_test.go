package validate_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
	"github.com/scalingodb/dbapi-go/pkg/mockserver"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/validate"
)

// serve answers every request with status and body, counting requests.
func serve(t *testing.T, status int, contentType, body string) (string, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &n
}

func newClient(t *testing.T, baseURL string, opts ...scalingodb.Option) *scalingodb.Client {
	t.Helper()
	c, err := scalingodb.New(append([]scalingodb.Option{
		scalingodb.WithBaseURL(baseURL), scalingodb.WithToken("t"),
		scalingodb.WithRetry(scalingodb.RetryPolicy{MaxAttempts: 3, MinWait: 1, MaxWait: 1}),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestOption_mockKeepsTheContract(t *testing.T) {
	_, base := mockserver.Start(t, mockserver.WithSeed(mockserver.DemoSeed()))
	c := newClient(t, base, scalingodb.WithToken(mockserver.DefaultToken), validate.Option())
	ctx := context.Background()
	if _, err := c.Databases.Get(ctx, "my-db-123"); err != nil {
		t.Fatal(err)
	}
	users, err := c.Users.List(ctx, "my-db-123")
	if err != nil || len(users) == 0 {
		t.Fatalf("got %d users, %v", len(users), err)
	}
	if _, err := c.Backups.List(ctx, "my-db-123"); err != nil {
		t.Fatal(err)
	}
}

func TestOption_failsOnAnswersThatBreakTheSpec(t *testing.T) {
	const secret = "s3cr3t-value"
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		wantPointer string
	}{
		{"missing required name", 200, "application/json",
			`{"database_backups":[{"id":"b","status":"done","database_id":"db","created_at":"2026-01-02T03:04:05Z","secret":"` + secret + `"}]}`, "/database_backups/0"},
		{"status outside the enum", 200, "application/json",
			`{"database_backups":[{"id":"b","name":"` + secret + `","status":"lost","database_id":"db","created_at":"2026-01-02T03:04:05Z"}]}`, "/database_backups/0/status"},
		{"undocumented status", 418, "application/json", `{"error":"` + secret + `"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			base, _ := serve(t, tt.status, tt.contentType, tt.body)
			plain := newClient(t, base)
			_, plainErr := plain.Backups.List(ctx, "db")
			if errors.Is(plainErr, scalingodb.ErrMalformedResponse) {
				t.Fatalf("without validation the answer is already refused (%v): the case proves nothing", plainErr)
			}

			base, requests := serve(t, tt.status, tt.contentType, tt.body)
			strict := newClient(t, base, validate.Option())
			_, err := strict.Backups.List(ctx, "db")
			var re *scalingodb.ResponseError
			if !errors.Is(err, scalingodb.ErrMalformedResponse) || !errors.As(err, &re) {
				t.Fatalf("with validation: got %v, want a *ResponseError", err)
			}
			if diff := cmp.Diff("listBackups", re.OperationID); diff != "" {
				t.Errorf("OperationID (-want +got):\n%s", diff)
			}
			var v *conformance.Violation
			if !errors.As(err, &v) {
				t.Fatalf("%v does not hold the violation", err)
			}
			if tt.wantPointer != "" && !strings.HasPrefix(v.Pointer, tt.wantPointer) {
				t.Errorf("violation at %q, want under %q", v.Pointer, tt.wantPointer)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "{") {
				t.Errorf("error %q quotes the body", err)
			}
			if got := requests.Load(); got != 1 {
				t.Errorf("%d requests: a violation was retried", got)
			}
		})
	}
}

func TestOption_reportOnly(t *testing.T) {
	body := `{"database_backups":[{"id":"b","status":"done","database_id":"db","created_at":"2026-01-02T03:04:05Z"}]}`
	base, _ := serve(t, 200, "application/json", body)
	var (
		mu  sync.Mutex
		got []string
	)
	c := newClient(t, base, validate.Option(conformance.ReportOnly(), conformance.OnTransportViolation(func(ve *conformance.ViolationError) {
		mu.Lock()
		defer mu.Unlock()
		for _, v := range ve.Violations {
			got = append(got, v.OperationID)
		}
	})))
	backups, err := c.Backups.List(context.Background(), "db")
	if err != nil || len(backups) != 1 {
		t.Fatalf("report-only: got %d backups, %v", len(backups), err)
	}
	if diff := cmp.Diff([]string{"listBackups"}, got); diff != "" {
		t.Errorf("reported violations (-want +got):\n%s", diff)
	}
}

func TestTransport_refusesUnknownRequestsBeforeSending(t *testing.T) {
	base, requests := serve(t, 200, "application/json", `{}`)
	rt, err := validate.Transport(nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: rt}).Get(base + "/api/no-such-resource")
	if err == nil {
		resp.Body.Close()
		t.Fatal("a request matching no operation was sent")
	}
	var re *scalingodb.ResponseError
	if !errors.As(err, &re) || !strings.Contains(re.Reason, "request") {
		t.Fatalf("got %v, want a *ResponseError about the request", err)
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
}

// Answers of listBackups: the whole one lists two backups; the one that comes when it is cut
// where the bytes happen to be JSON lists one, and keeps the spec.
const (
	oneBackup  = `{"database_backups":[{"id":"b1","name":"n1","status":"done","database_id":"db","created_at":"2026-01-02T03:04:05Z"}]}`
	twoBackups = `{"database_backups":[{"id":"b1","name":"n1","status":"done","database_id":"db","created_at":"2026-01-02T03:04:05Z"},{"id":"b2","name":"n2","status":"done","database_id":"db","created_at":"2026-01-03T03:04:05Z"}]}`
)

// cutFirst serves on 127.0.0.1 a first answer cut as framing says (its header's end and the body
// bytes before the connection closes), then the whole answer; it counts requests.
func cutFirst(t *testing.T, framing string) (string, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1) > 1 {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(twoBackups))
			return
		}
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n" + framing)
		_ = buf.Flush()
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &n
}

// With validate.Option, a cut answer is retried as it is without validation, and the caller
// gets the whole answer: never the bytes that came before the cut, even when they are valid JSON
// that keeps the spec. Before the fix, a cut that was valid JSON was the answer (one backup of
// two), and one that was not was a violation, never retried.
func TestOption_retriesCutAnswers(t *testing.T) {
	notJSON := twoBackups[:61]
	tests := []struct {
		name    string
		framing string
	}{
		{"Content-Length cut, the bytes that came are valid JSON", fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(twoBackups), oneBackup)},
		{"Content-Length cut, the bytes that came are not JSON", fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(twoBackups), notJSON)},
		{"Content-Length cut before any byte", fmt.Sprintf("Content-Length: %d\r\n\r\n", len(twoBackups))},
		{"chunked cut, the bytes that came are valid JSON", fmt.Sprintf("Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", len(oneBackup), oneBackup)},
		{"chunked cut, the bytes that came are not JSON", fmt.Sprintf("Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", len(notJSON), notJSON)},
	}
	for _, tt := range tests {
		for _, validated := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, validated %v", tt.name, validated), func(t *testing.T) {
				base, requests := cutFirst(t, tt.framing)
				var opts []scalingodb.Option
				if validated {
					opts = append(opts, validate.Option())
				}
				backups, err := newClient(t, base, opts...).Backups.List(context.Background(), "db")
				if err != nil {
					t.Fatalf("got %v, want the whole answer after a retry", err)
				}
				if len(backups) != 2 {
					t.Errorf("got %d backups, want the 2 of the whole answer", len(backups))
				}
				if n := requests.Load(); n != 2 {
					t.Errorf("%d requests, want 2: the cut answer, then the whole one", n)
				}
			})
		}
	}
}

// A cut answer that is never answered whole fails the call once the retries are spent, with an
// error that says the connection broke (*conformance.TruncatedBodyError), not a violation.
func TestOption_cutAnswerIsNoViolation(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		_, _ = fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(twoBackups), oneBackup)
		_ = buf.Flush()
	}))
	t.Cleanup(srv.Close)
	backups, err := newClient(t, srv.URL, validate.Option()).Backups.List(context.Background(), "db")
	if err == nil {
		t.Fatalf("got %d backups from answers that were all cut", len(backups))
	}
	var te *conformance.TruncatedBodyError
	if !errors.As(err, &te) || te.OperationID != "listBackups" {
		t.Errorf("err = %v, want a *conformance.TruncatedBodyError of listBackups", err)
	}
	if errors.Is(err, scalingodb.ErrMalformedResponse) {
		t.Errorf("err = %v matches ErrMalformedResponse: a cut answer is no malformed one", err)
	}
	if got := n.Load(); got != 3 {
		t.Errorf("%d requests, want 3 (every attempt of the policy)", got)
	}
}

// TestOption_outcomeOfA5xxThatBreaksTheSpec proves that a call sent once
// (createBackup) whose 5xx answer breaks the spec (a gateway's HTML page,
// an error body of another shape) still says that its outcome is unknown,
// as it does without validation: the request reached the server, which may
// have acted, and a job that tells a known failure by
// errors.Is(err, ErrOutcomeUnknown) must not create a second backup.
func TestOption_outcomeOfA5xxThatBreaksTheSpec(t *testing.T) {
	// Whether the outcome is unknown, by the answer's status, content type and body.
	tests := map[string]struct {
		status            int
		contentType, body string
		unknown           bool
	}{
		"a gateway's HTML 502":                     {502, "text/html", "<html><body>Bad gateway</body></html>", true},
		"a 503 of another shape":                   {503, "application/json", `{"message":"down"}`, true},
		"a 500 that is not JSON":                   {500, "application/json", `oops`, true},
		"a 501 that is not JSON: nothing was done": {501, "text/html", "<html></html>", false},
		"a 418 that is not documented: a refusal":  {418, "text/html", "<html></html>", false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			base, _ := serve(t, tt.status, tt.contentType, tt.body)
			_, plainErr := newClient(t, base).Backups.Create(ctx, "db")
			if errors.Is(plainErr, scalingodb.ErrOutcomeUnknown) != tt.unknown {
				t.Fatalf("without validation: %v; want ErrOutcomeUnknown: %t", plainErr, tt.unknown)
			}

			base, requests := serve(t, tt.status, tt.contentType, tt.body)
			_, err := newClient(t, base, validate.Option()).Backups.Create(ctx, "db")
			if !errors.Is(err, scalingodb.ErrMalformedResponse) {
				t.Fatalf("with validation: %v, want ErrMalformedResponse", err)
			}
			if errors.Is(err, scalingodb.ErrOutcomeUnknown) != tt.unknown {
				t.Errorf("with validation: %v; want ErrOutcomeUnknown: %t", err, tt.unknown)
			}
			var ou *scalingodb.OutcomeUnknownError
			if tt.unknown && (!errors.As(err, &ou) || ou.StatusCode != tt.status || !strings.Contains(ou.Check, "Backups.List")) {
				t.Errorf("with validation: %#v, want an *OutcomeUnknownError of status %d that says to check the backups", ou, tt.status)
			}
			if got := requests.Load(); got != 1 {
				t.Errorf("%d requests, want 1", got)
			}
		})
	}
}

// invalidatingSource is a token source that counts its invalidations.
type invalidatingSource struct{ invalidated atomic.Int64 }

func (s *invalidatingSource) Token(context.Context) (string, error) { return "t", nil }
func (s *invalidatingSource) Invalidate()                           { s.invalidated.Add(1) }

// TestOption_401ThatBreaksTheSpecRenewsTheToken proves that a 401 whose body
// breaks the spec (a gateway's own "Unauthorized" page) drops the cached
// token as any 401 does: without it, an AddonTokenSource kept giving the
// refused token, and every call failed until the token's hour was over.
func TestOption_401ThatBreaksTheSpecRenewsTheToken(t *testing.T) {
	for name, opts := range map[string][]scalingodb.Option{"without validation": nil, "with validation": {validate.Option()}} {
		t.Run(name, func(t *testing.T) {
			base, _ := serve(t, 401, "text/plain", "Unauthorized")
			ts := &invalidatingSource{}
			c := newClient(t, base, append([]scalingodb.Option{scalingodb.WithTokenSource(ts)}, opts...)...)
			if _, err := c.Users.List(context.Background(), "db"); err == nil {
				t.Fatal("a 401 succeeded")
			}
			if n := ts.invalidated.Load(); n != 1 {
				t.Errorf("the token source was invalidated %d times, want 1", n)
			}
		})
	}
}

// badFirst serves the mock (demo seed) on 127.0.0.1, but answers the first
// n requests with status and an HTML page that breaks the spec (a
// gateway's 502, a proxy's 429); it counts requests.
func badFirst(t *testing.T, n int64, status int) (string, *atomic.Int64) {
	t.Helper()
	mock, err := mockserver.New(mockserver.WithSeed(mockserver.DemoSeed()))
	if err != nil {
		t.Fatal(err)
	}
	h := mock.Handler()
	var count atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if count.Add(1) <= n {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			_, _ = w.Write([]byte("<html><body>" + http.StatusText(status) + "</body></html>"))
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/api", &count
}

// TestOption_retriesWhatThePolicyRetries proves that validation leaves the
// retry decision to the policy: a 429 or a 5xx whose body breaks the spec
// is retried as the same answer is without validation (idempotent calls:
// any; calls sent once: a 429 only), and only an answer that still breaks
// the spec at the last attempt fails with the violation. Before the fix, a
// violation was never retried: a gateway's HTML 503 failed a GET at once.
func TestOption_retriesWhatThePolicyRetries(t *testing.T) {
	const db = mockserver.DemoDatabaseID
	get := func(c *scalingodb.Client) error { _, err := c.Backups.List(context.Background(), db); return err }
	create := func(c *scalingodb.Client) error { _, err := c.Backups.Create(context.Background(), db); return err }
	del := func(c *scalingodb.Client) error { return c.Users.Delete(context.Background(), db, "ghost") }
	tests := []struct {
		name     string
		bad      int64 // answers that break the spec before the mock answers
		status   int
		call     func(*scalingodb.Client) error
		requests int64
		want     error // nil, or what the error matches with and without validation
		unknown  bool  // the error matches ErrOutcomeUnknown
		violates bool  // with validation, the error is the last answer's violation
	}{
		{"GET after a 503", 1, 503, get, 2, nil, false, false},
		{"GET after two 502s", 2, 502, get, 3, nil, false, false},
		{"GET whose every answer is a 503", 99, 503, get, 3, scalingodb.ErrServer, false, true},
		{"GET after a 501: not retried", 1, 501, get, 1, scalingodb.ErrServer, false, true},
		{"GET after a 400: not retried", 1, 400, get, 1, scalingodb.ErrBadRequest, false, true},
		{"POST create after a 502: sent once, outcome unknown", 1, 502, create, 1, scalingodb.ErrServer, true, true},
		{"POST create after a 429", 1, 429, create, 2, nil, false, false},
		{"POST create whose every answer is a 429", 99, 429, create, 3, scalingodb.ErrRateLimited, false, true},
		{"DELETE answered 404 after a 503 that may have applied", 1, 503, del, 2, nil, false, false},
		{"DELETE answered 404 after a 429, which applied nothing", 1, 429, del, 2, scalingodb.ErrNotFound, false, false},
	}
	for _, tt := range tests {
		for _, validated := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, validated %v", tt.name, validated), func(t *testing.T) {
				base, requests := badFirst(t, tt.bad, tt.status)
				opts := []scalingodb.Option{scalingodb.WithToken(mockserver.DefaultToken)}
				if validated {
					opts = append(opts, validate.Option())
				}
				err := tt.call(newClient(t, base, opts...))
				if got := requests.Load(); got != tt.requests {
					t.Errorf("%d requests, want %d", got, tt.requests)
				}
				violates := validated && tt.violates
				switch {
				case tt.want == nil && !violates:
					if err != nil {
						t.Fatalf("got %v, want success", err)
					}
				case violates:
					var v *conformance.Violation
					if !errors.Is(err, scalingodb.ErrMalformedResponse) || !errors.As(err, &v) || v.Status != tt.status {
						t.Fatalf("got %v, want the violation of the last answer (%d)", err, tt.status)
					}
				default:
					if !errors.Is(err, tt.want) {
						t.Fatalf("got %v, want %v", err, tt.want)
					}
				}
				if errors.Is(err, scalingodb.ErrOutcomeUnknown) != tt.unknown {
					t.Errorf("got %v; want ErrOutcomeUnknown: %t", err, tt.unknown)
				}
			})
		}
	}
}
