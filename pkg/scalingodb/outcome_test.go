package scalingodb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// cutAnswer sends the headers of status (with X-Request-Id req-cut) and
// the first half of body, then cuts the connection: the answer's body is
// lost.
func cutAnswer(w http.ResponseWriter, status int, body string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Request-Id", "req-cut")
	h.Set("Content-Length", "4096")
	cw := &cuttingWriter{ResponseWriter: w, Limit: len(body) / 2}
	cw.WriteHeader(status)
	_, _ = io.WriteString(cw, body)
}

// nonIdempotentCalls are the calls never retried, each with the words its
// OutcomeUnknownError.Check must hold, and a valid answer to its request.
var nonIdempotentCalls = []struct {
	op     string
	call   func(ctx context.Context, c *Client) error
	check  []string
	status int
	answer string
}{
	{"createDatabaseUser", func(ctx context.Context, c *Client) error {
		_, err := c.Users.Create(ctx, "db-1", &CreateUserParams{Name: "reporting"})
		return err
	}, []string{`"reporting"`, "db-1"}, 201, `{"database_user":{"name":"reporting","read_only":false,"password":"0123456789abcdefghijklmnop"}}`},
	{"resetDatabaseUserPassword", func(ctx context.Context, c *Client) error {
		_, err := c.Users.ResetPassword(ctx, "db-1", "reporting")
		return err
	}, []string{`"reporting"`, "db-1"}, 200, `{"database_user":{"name":"reporting","read_only":false,"password":"0123456789abcdefghijklmnop"}}`},
	{"createBackup", func(ctx context.Context, c *Client) error { _, err := c.Backups.Create(ctx, "db-1"); return err },
		[]string{"backups", "db-1"}, 201, `{"database_backup":{"id":"b9","status":"scheduled","created_at":"2026-01-02T03:04:05Z"}}`},
	{"restoreBackup", func(ctx context.Context, c *Client) error { _, err := c.Backups.Restore(ctx, "db-1", "b7"); return err },
		[]string{"b7", "db-1"}, 201, `{"id":"r1","status":"scheduled"}`},
	{"restoreDatabasePitr", func(ctx context.Context, c *Client) error {
		_, err := c.PITR.Restore(ctx, "db-1", time.Unix(1e9, 0))
		return err
	}, []string{"point-in-time", "db-1"}, 200, `{"operation":{"id":"o1","status":"pending"}}`},
	{"upgradeDatabase", func(ctx context.Context, c *Client) error { _, err := c.Databases.Upgrade(ctx, "db-1"); return err },
		[]string{"version", "db-1"}, 202, `{"message":"pending","operation_id":"o1","id":"v1"}`},
	{"runDatabaseAction", func(ctx context.Context, c *Client) error {
		_, err := c.Actions.Run(ctx, "db-1", "reset-database", nil)
		return err
	}, []string{"reset-database", "db-1"}, 200, `{"ok":1,"result":null}`},
	{"createFirewallRule", func(ctx context.Context, c *Client) error {
		_, err := c.Firewall.Create(ctx, "db-1", &CreateFirewallRuleParams{Type: FirewallCustomRange, CIDR: "203.0.113.0/24"})
		return err
	}, []string{"203.0.113.0/24", "db-1"}, 201, `{"rule":{"id":"f1","type":"custom_range","cidr":"203.0.113.0/24"}}`},
	{"enableDatabaseFeature", func(ctx context.Context, c *Client) error {
		_, err := c.Features.Enable(ctx, "db-1", "force-ssl")
		return err
	}, []string{"force-ssl", "db-1"}, 200, `{"feature":{"name":"force-ssl","status":"ACTIVATED"}}`},
}

// TestOutcomeUnknown_LostAnswers applies each never-retried call on the
// server, then loses its answer in each way one can be lost: the error
// must match ErrOutcomeUnknown, say what to check, keep its cause, and the
// call must have been sent once.
func TestOutcomeUnknown_LostAnswers(t *testing.T) {
	losses := []struct {
		name      string
		lose      func(t *testing.T, w http.ResponseWriter, r *http.Request, status int, answer string)
		ctx       time.Duration // a deadline for the call, or 0
		cause     error
		requestID string
		status    int
	}{
		{"answer cut mid-body", func(t *testing.T, w http.ResponseWriter, r *http.Request, status int, answer string) {
			cutAnswer(w, status, answer)
		}, 0, io.ErrUnexpectedEOF, "req-cut", -1},
		{"connection cut before the answer", func(t *testing.T, w http.ResponseWriter, r *http.Request, _ int, _ string) {
			resetConn(t, w)
		}, 0, nil, "", 0},
		{"deadline while the server works", func(t *testing.T, w http.ResponseWriter, r *http.Request, _ int, _ string) {
			<-r.Context().Done()
		}, 50 * time.Millisecond, context.DeadlineExceeded, "", 0},
		{"502 answer", func(t *testing.T, w http.ResponseWriter, r *http.Request, _ int, _ string) {
			writeJSON(w, 502, `{"error":"bad gateway"}`)
		}, 0, ErrServer, "req-123", 502},
	}
	for _, tt := range nonIdempotentCalls {
		for _, loss := range losses {
			t.Run(tt.op+"/"+loss.name, func(t *testing.T) {
				var applied atomic.Int32
				c, rec, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
					applied.Add(1) // the request reached the server: it took effect
					loss.lose(t, w, r, tt.status, tt.answer)
				})
				ctx := context.Background()
				if loss.ctx > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, loss.ctx)
					defer cancel()
				}
				err := tt.call(ctx, c)
				if !errors.Is(err, ErrOutcomeUnknown) {
					t.Fatalf("got %v, want an error matching ErrOutcomeUnknown", err)
				}
				var ou *OutcomeUnknownError
				if !errors.As(err, &ou) {
					t.Fatalf("%T is not an *OutcomeUnknownError", err)
				}
				if ou.OperationID != tt.op {
					t.Errorf("OperationID %q, want %q", ou.OperationID, tt.op)
				}
				for _, w := range tt.check {
					if !strings.Contains(ou.Check, w) || !strings.Contains(err.Error(), w) {
						t.Errorf("Check %q or message %q does not name %s", ou.Check, err, w)
					}
				}
				if loss.cause != nil && !errors.Is(err, loss.cause) {
					t.Errorf("%v does not unwrap to %v", err, loss.cause)
				}
				if ou.RequestID != loss.requestID {
					t.Errorf("RequestID %q, want %q", ou.RequestID, loss.requestID)
				}
				wantStatus := loss.status
				if wantStatus < 0 {
					wantStatus = tt.status
				}
				if ou.StatusCode != wantStatus {
					t.Errorf("StatusCode %d, want %d", ou.StatusCode, wantStatus)
				}
				if n := rec.count(); n != 1 || applied.Load() != 1 {
					t.Errorf("sent %d times, want once", n)
				}
			})
		}
	}
}

// TestOutcomeUnknown_KnownOutcomes: a request that never reached the
// server, or that the server refused, has a known outcome.
func TestOutcomeUnknown_KnownOutcomes(t *testing.T) {
	refused := "http://" + refusedAddr()
	tests := []struct {
		name    string
		client  func(t *testing.T) *Client
		wantErr error
	}{
		{"connection refused", func(t *testing.T) *Client {
			c, err := New(WithBaseURL(refused), WithToken(testToken), WithRetry(RetryPolicy{MaxAttempts: 1}))
			if err != nil {
				t.Fatal(err)
			}
			return c
		}, nil},
		{"422", func(t *testing.T) *Client {
			c, _, _ := newTestClient(t, fixed(422, `{"errors":{"name":["is taken"]}}`))
			return c
		}, ErrValidation},
		{"429 after every retry", func(t *testing.T) *Client {
			c, _, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "0")
				writeJSON(w, 429, `{"error":"slow down"}`)
			})
			return c
		}, ErrRateLimited},
		{"501", func(t *testing.T) *Client {
			c, _, _ := newTestClient(t, fixed(501, `{"error":"not implemented"}`))
			return c
		}, ErrServer},
		{"cut 403 answer", func(t *testing.T) *Client {
			c, _, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				cutAnswer(w, 403, `{"error":"forbidden, this token does not grant it"}`)
			})
			return c
		}, ErrForbidden},
	}
	for _, tt := range tests {
		for _, call := range nonIdempotentCalls[:3] {
			t.Run(tt.name+"/"+call.op, func(t *testing.T) {
				err := call.call(context.Background(), tt.client(t))
				if err == nil || errors.Is(err, ErrOutcomeUnknown) {
					t.Fatalf("got %v, want an error of known outcome", err)
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %v, want %v", err, tt.wantErr)
				}
			})
		}
	}
}

// TestRetry_PostRateLimited: a 429 says the server did nothing, so a
// create answered 429 is sent again, and creates one resource; a 503 is
// not retried, since a gateway answers it after the server may have acted.
func TestRetry_PostRateLimited(t *testing.T) {
	tests := []struct {
		name      string
		first     func(w http.ResponseWriter)
		wantSent  int
		wantUsers int
	}{
		{"429 with Retry-After 0", func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "0")
			writeJSON(w, 429, `{"error":"Retry later"}`)
		}, 2, 1},
		{"429 without Retry-After", func(w http.ResponseWriter) { writeJSON(w, 429, `{"error":"Retry later"}`) }, 2, 1},
		{"503 with Retry-After 0", func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "0")
			writeJSON(w, 503, `{"error":"unavailable"}`)
		}, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			users := map[string]bool{}
			var n atomic.Int32
			c, rec, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					tt.first(w)
					return
				}
				mu.Lock()
				users["reporting"] = true
				mu.Unlock()
				writeJSON(w, 201, `{"database_user":{"name":"reporting","read_only":false,"password":"0123456789abcdefghijklmnop"}}`)
			})
			u, err := c.Users.Create(context.Background(), "db", &CreateUserParams{Name: "reporting"})
			if tt.wantUsers == 1 && (err != nil || u.Password.Reveal() == "") {
				t.Fatalf("got %v, %v; want the user and its password", u, err)
			}
			if tt.wantUsers == 0 && err == nil {
				t.Fatal("want an error")
			}
			if rec.count() != tt.wantSent || len(users) != tt.wantUsers {
				t.Fatalf("sent %d times, %d users; want %d, %d", rec.count(), len(users), tt.wantSent, tt.wantUsers)
			}
			if bodies := rec.all(); len(bodies) == 2 && string(bodies[0].Body) != string(bodies[1].Body) {
				t.Errorf("the retry sent %q, want %q", bodies[1].Body, bodies[0].Body)
			}
		})
	}
}

// TestDelete_NotFoundOnRetry: a 404 on the retry of a delete whose earlier
// attempt may have applied means the resource is gone, as asked; a 404 on
// the first attempt, or after attempts the server says did nothing (429),
// stays ErrNotFound.
func TestDelete_NotFoundOnRetry(t *testing.T) {
	fail := map[string]func(t *testing.T, w http.ResponseWriter){
		"500": func(t *testing.T, w http.ResponseWriter) { writeJSON(w, 500, `{"error":"oops"}`) },
		"503": func(t *testing.T, w http.ResponseWriter) { writeJSON(w, 503, `{"error":"down"}`) },
		"429": func(t *testing.T, w http.ResponseWriter) {
			w.Header().Set("Retry-After", "0")
			writeJSON(w, 429, `{"error":"slow"}`)
		},
		"reset": func(t *testing.T, w http.ResponseWriter) { resetConn(t, w) },
		"404":   func(t *testing.T, w http.ResponseWriter) { writeJSON(w, 404, `{"error":"not found"}`) },
	}
	tests := []struct {
		answers []string
		wantErr error
	}{
		{[]string{"500", "404"}, nil},
		{[]string{"503", "404"}, nil},
		{[]string{"reset", "404"}, nil},
		{[]string{"429", "500", "404"}, nil},
		{[]string{"404"}, ErrNotFound},
		{[]string{"429", "404"}, ErrNotFound},
		{[]string{"429", "429", "404"}, ErrNotFound},
	}
	deletes := map[string]func(c *Client) error{
		"Users.Delete":    func(c *Client) error { return c.Users.Delete(context.Background(), "db", "reporting") },
		"Firewall.Delete": func(c *Client) error { return c.Firewall.Delete(context.Background(), "db", "f1") },
		// A DELETE whose success answer has a body: the feature is off, as
		// asked, with no message. Before the fix, its 404 stayed ErrNotFound.
		"Features.Disable": func(c *Client) error {
			d, err := c.Features.Disable(context.Background(), "db", "force-ssl")
			if err == nil && (d == nil || d.Name != "force-ssl" || d.Message != "") {
				return fmt.Errorf("got %+v, want the feature named, with no message", d)
			}
			if err != nil && d != nil {
				return fmt.Errorf("got %+v with the error %w", d, err)
			}
			return err
		},
	}
	for name, del := range deletes {
		for _, tt := range tests {
			t.Run(name+"/"+strings.Join(tt.answers, ","), func(t *testing.T) {
				var n atomic.Int32
				c, rec, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
					i := min(int(n.Add(1))-1, len(tt.answers)-1)
					fail[tt.answers[i]](t, w)
				})
				err := del(c)
				if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %v, want %v", err, tt.wantErr)
				}
				if rec.count() != len(tt.answers) {
					t.Errorf("%d requests, want %d", rec.count(), len(tt.answers))
				}
			})
		}
	}
}

// waitCall is one of the waits, run against waitServer.
type waitCall struct {
	name     string
	resource string
	id       string
	wait     func(ctx context.Context, c *Client, opts ...WaitOption) (any, error)
}

var waitCalls = []waitCall{
	{"Backups.Wait", "backup", "b9", func(ctx context.Context, c *Client, opts ...WaitOption) (any, error) {
		return c.Backups.Wait(ctx, "b9", opts...)
	}},
	{"Backups.CreateAndWait", "backup", "b9", func(ctx context.Context, c *Client, opts ...WaitOption) (any, error) {
		return c.Backups.CreateAndWait(ctx, "db", opts...)
	}},
	{"Backups.WaitRestoration", "restoration", "r1", func(ctx context.Context, c *Client, opts ...WaitOption) (any, error) {
		return c.Backups.WaitRestoration(ctx, "db", "r1", opts...)
	}},
	{"Backups.RestoreAndWait", "restoration", "r1", func(ctx context.Context, c *Client, opts ...WaitOption) (any, error) {
		return c.Backups.RestoreAndWait(ctx, "db", "b7", opts...)
	}},
	{"Operations.Wait", "operation", "o1", func(ctx context.Context, c *Client, opts ...WaitOption) (any, error) {
		return c.Operations.Wait(ctx, "db", "o1", opts...)
	}},
}

// waitServer starts whatever a wait starts (a backup, a restoration) in
// the running state, and answers its polls with poll.
func waitServer(poll func(w http.ResponseWriter, body string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/backups"):
			writeJSON(w, 201, `{"database_backup":{"id":"b9","status":"running","created_at":"2026-01-02T03:04:05Z"}}`)
		case r.Method == http.MethodPost:
			writeJSON(w, 201, `{"id":"r1","status":"running","source_backup_id":"b7"}`)
		case strings.Contains(r.URL.Path, "/backups/"):
			poll(w, `{"database_backup":{"id":"b9","status":"running","created_at":"2026-01-02T03:04:05Z"}}`)
		case strings.Contains(r.URL.Path, "/backup_restorations/"):
			poll(w, `{"backup_restoration":{"id":"r1","status":"running","source_backup_id":"b7"}}`)
		default:
			poll(w, `{"operation":{"id":"o1","type":"upgrade","status":"running"}}`)
		}
	}
}

// lastSeen returns the ID and state of what a wait returned, or "" for nil.
func lastSeen(v any) (id, state string) {
	switch v := v.(type) {
	case *Backup:
		if v != nil {
			return v.ID, string(v.Status)
		}
	case *BackupRestoration:
		if v != nil {
			return v.ID, string(v.Status)
		}
	case *Operation:
		if v != nil {
			return v.ID, string(v.Status)
		}
	}
	return "", ""
}

// TestWait_StopsWithWaitError runs every wait until it times out, and
// until its polls keep failing: each returns what it last saw and a
// *WaitError naming it, unwrapping to the cause, and calls the poll
// callback on each poll.
func TestWait_StopsWithWaitError(t *testing.T) {
	stops := []struct {
		name    string
		poll    func(w http.ResponseWriter, body string)
		cause   error
		timeout time.Duration
	}{
		{"timeout", func(w http.ResponseWriter, body string) { writeJSON(w, 200, body) }, context.DeadlineExceeded, 60 * time.Millisecond},
		{"polls answered 500", func(w http.ResponseWriter, body string) { writeJSON(w, 500, `{"error":"oops"}`) }, ErrServer, 10 * time.Second},
		{"polls cut", func(w http.ResponseWriter, body string) {
			w.Header().Set("Content-Length", "4096")
			w.WriteHeader(200)
			_, _ = io.WriteString(w, body[:10])
			w.(http.Flusher).Flush()
			hj, _ := w.(http.Hijacker)
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
			}
		}, io.ErrUnexpectedEOF, 10 * time.Second},
	}
	for _, wc := range waitCalls {
		for _, stop := range stops {
			t.Run(wc.name+"/"+stop.name, func(t *testing.T) {
				c, _, _ := newTestClient(t, waitServer(stop.poll))
				ctx, cancel := context.WithTimeout(context.Background(), stop.timeout)
				defer cancel()
				var events []PollEvent
				got, err := wc.wait(ctx, c, fastPoll, WithPollCallback(func(e PollEvent) { events = append(events, e) }))
				var we *WaitError
				if !errors.As(err, &we) || !errors.Is(err, stop.cause) {
					t.Fatalf("got %v, want a *WaitError wrapping %v", err, stop.cause)
				}
				if we.Resource != wc.resource || we.ID != wc.id || !strings.Contains(err.Error(), wc.id) {
					t.Errorf("WaitError %+v does not name %s %s", we, wc.resource, wc.id)
				}
				id, state := lastSeen(got)
				if errors.Is(stop.cause, context.DeadlineExceeded) || strings.Contains(wc.name, "AndWait") {
					// what the wait saw last: a poll, or the start
					if id != wc.id || state != "running" || we.LastState != "running" {
						t.Errorf("got %s %q (LastState %q), want %s as last seen running", id, state, we.LastState, wc.id)
					}
				} else if got == nil || id != "" || we.LastState != "" {
					// no poll succeeded and nothing was started: a typed nil, no state
					t.Errorf("got %#v (LastState %q), want a nil %s and no state", got, we.LastState, wc.resource)
				}
				if len(events) == 0 {
					t.Fatal("the poll callback was never called")
				}
				for _, e := range events {
					if e.Resource != wc.resource || e.ID != wc.id || (e.Err == nil) == (e.State == "") {
						t.Errorf("poll event %+v", e)
					}
				}
			})
		}
	}
}

// TestBodyError_CarriesRequestID: an answer cut in the middle of its body
// (after every retry of a read) fails with a *BodyError that holds the
// request ID of its headers and unwraps to io.ErrUnexpectedEOF.
func TestBodyError_CarriesRequestID(t *testing.T) {
	c, rec, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		cutAnswer(w, 200, `{"database_backups":[{"id":"b1","status":"done","created_at":"2026-01-02T03:04:05Z"}]}`)
	})
	_, err := c.Backups.List(context.Background(), "db")
	var be *BodyError
	if !errors.As(err, &be) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("got %v, want a *BodyError wrapping io.ErrUnexpectedEOF", err)
	}
	if be.RequestID != "req-cut" || be.StatusCode != 200 || be.OperationID != "listBackups" || !strings.Contains(err.Error(), "req-cut") {
		t.Errorf("BodyError %+v (%q), want request req-cut, status 200, listBackups", be, err)
	}
	if rec.count() != 3 {
		t.Errorf("%d requests, want 3", rec.count())
	}
}

// TestOutcomeUnknown_UnusableAnswer: a 2xx answer to a call sent once
// whose body cannot be used took effect, and what it returned is lost.
func TestOutcomeUnknown_UnusableAnswer(t *testing.T) {
	tests := []struct {
		name string
		body string
		call func(c *Client) error
	}{
		{"user without its password", `{"database_user":{"name":"reporting","read_only":false}}`, func(c *Client) error {
			_, err := c.Users.Create(context.Background(), "db-1", &CreateUserParams{Name: "reporting"})
			return err
		}},
		{"backup without an ID", `{"database_backup":{"status":"scheduled"}}`, func(c *Client) error {
			_, err := c.Backups.Create(context.Background(), "db-1")
			return err
		}},
		{"rule not in its envelope", `{"firewall_rule":{"id":"f1"}}`, func(c *Client) error {
			_, err := c.Firewall.Create(context.Background(), "db-1", &CreateFirewallRuleParams{Type: FirewallCustomRange, CIDR: "203.0.113.0/24"})
			return err
		}},
		{"invalid JSON", `{"database_user":`, func(c *Client) error {
			_, err := c.Users.Create(context.Background(), "db-1", &CreateUserParams{Name: "reporting"})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, _ := newTestClient(t, fixed(201, tt.body))
			err := tt.call(c)
			var ou *OutcomeUnknownError
			if !errors.As(err, &ou) || !errors.Is(err, ErrMalformedResponse) || ou.StatusCode != 201 || !strings.Contains(ou.Check, "db-1") {
				t.Fatalf("got %v, want an *OutcomeUnknownError of status 201 wrapping ErrMalformedResponse", err)
			}
		})
	}
	t.Run("a 4xx answer that cannot be read stays known", func(t *testing.T) {
		c, _, _ := newTestClient(t, fixed(422, `{"errors":`))
		_, err := c.Users.Create(context.Background(), "db-1", &CreateUserParams{Name: "reporting"})
		if !errors.Is(err, ErrValidation) || errors.Is(err, ErrOutcomeUnknown) {
			t.Fatalf("got %v, want ErrValidation only", err)
		}
	})
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// readsBody wraps a transport that reads the whole answer itself and
// fails with report of what reading it returned.
func readsBody(report func(err error) error) func(base http.RoundTripper) http.RoundTripper {
	return func(base http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			resp, err := base.RoundTrip(r)
			if err != nil {
				return nil, err
			}
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			return nil, report(err)
		})
	}
}

// TestOutcomeUnknown_CustomTransports classifies the errors of transports
// of WithAPITransport: one that reads the body itself (as package validate
// does) and reports a cut as an error wrapping io.ErrUnexpectedEOF, and
// ones that never reach net/http's transport (no trace hook fires).
func TestOutcomeUnknown_CustomTransports(t *testing.T) {
	tests := []struct {
		name    string
		wrap    func(base http.RoundTripper) http.RoundTripper
		unknown bool
	}{
		{"reads the body, cut", readsBody(func(err error) error {
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("validate: reading the answer: %w", err)
		}), true},
		{"reads the body, reports the cut as a *ResponseError", readsBody(func(err error) error {
			return &ResponseError{Reason: "body cut", Err: err}
		}), true},
		{"no network, a cut", func(http.RoundTripper) http.RoundTripper {
			return roundTripFunc(func(*http.Request) (*http.Response, error) {
				return nil, fmt.Errorf("proxy: %w", io.ErrUnexpectedEOF)
			})
		}, true},
		{"no network, an unknown failure", func(http.RoundTripper) http.RoundTripper {
			return roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("proxy: broken pipe") })
		}, true},
		{"no network, a dial error", func(http.RoundTripper) http.RoundTripper {
			return roundTripFunc(func(*http.Request) (*http.Response, error) {
				return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
			})
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				cutAnswer(w, 201, `{"database_backup":{"id":"b9","status":"scheduled","created_at":"2026-01-02T03:04:05Z"}}`)
			}, WithAPITransport(func(base http.RoundTripper) (http.RoundTripper, error) { return tt.wrap(base), nil }))
			_, err := c.Backups.Create(context.Background(), "db-1")
			if err == nil || errors.Is(err, ErrOutcomeUnknown) != tt.unknown {
				t.Fatalf("got %v, want ErrOutcomeUnknown: %t", err, tt.unknown)
			}
		})
	}
}

// TestResponseError_CarriesRequestID: an answer that does not have the
// documented shape names the request ID of its headers.
func TestResponseError_CarriesRequestID(t *testing.T) {
	tests := []struct {
		name string
		body string
		call func(c *Client) error
	}{
		{"invalid JSON", `{"database":`, func(c *Client) error { _, err := c.Databases.Get(context.Background(), "db"); return err }},
		{"missing envelope key", `{"db":{}}`, func(c *Client) error { _, err := c.Databases.Get(context.Background(), "db"); return err }},
		{"missing required field", `{"database_backup":{"id":"b1"}}`, func(c *Client) error { _, err := c.Backups.Get(context.Background(), "b1"); return err }},
		{"user without a name", `{"database_user":{"read_only":true}}`, func(c *Client) error {
			_, err := c.Users.UpdatePassword(context.Background(), "db", "reporting", NewSecret(strings.Repeat("p", 24)))
			return err
		}},
		{"backup not in its envelope", `{"backup":{}}`, func(c *Client) error { _, err := c.Backups.Create(context.Background(), "db"); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, _ := newTestClient(t, fixed(200, tt.body))
			err := tt.call(c)
			var re *ResponseError
			if !errors.As(err, &re) || re.RequestID != "req-123" || !strings.Contains(err.Error(), "req-123") {
				t.Fatalf("got %v, want a *ResponseError with request req-123", err)
			}
		})
	}
}

// TestWait_ToleratesAFailedPoll: a poll that fails with a 5xx after the
// client's retries does not end a wait; the next poll goes on, the
// callback hears of the failure, and the wait ends when the work is done.
func TestWait_ToleratesAFailedPoll(t *testing.T) {
	done := map[string]string{
		"backup":      `{"database_backup":{"id":"b9","status":"done","created_at":"2026-01-02T03:04:05Z"}}`,
		"restoration": `{"backup_restoration":{"id":"r1","status":"done","source_backup_id":"b7"}}`,
		"operation":   `{"operation":{"id":"o1","type":"upgrade","status":"done"}}`,
	}
	for _, wc := range waitCalls {
		t.Run(wc.name, func(t *testing.T) {
			var polls atomic.Int32
			c, _, _ := newTestClient(t, waitServer(func(w http.ResponseWriter, body string) {
				switch n := polls.Add(1); {
				case n == 1:
					writeJSON(w, 200, body) // running
				case n <= 4:
					writeJSON(w, 503, `{"error":"down"}`) // the 3 attempts of the second poll
				default:
					writeJSON(w, 200, done[wc.resource])
				}
			}))
			var failed int
			got, err := wc.wait(context.Background(), c, fastPoll, WithPollCallback(func(e PollEvent) {
				if e.Err != nil {
					failed++
				}
			}))
			if id, state := lastSeen(got); err != nil || id != wc.id || state != "done" {
				t.Fatalf("got %s %s, %v; want %s done", id, state, err, wc.id)
			}
			if failed != 1 {
				t.Errorf("the callback heard of %d failed polls, want 1", failed)
			}
		})
	}
}
