package scalingodb

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
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
// against a server that always fails: each must be sent exactly once.
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
			_, err := c.Firewall.Create(ctx, "db", &FirewallRuleParams{Type: FirewallManagedRange, RangeID: "eu"})
			return err
		},
		"enableDatabaseFeature": func(c *Client) error { _, err := c.Features.Enable(ctx, "db", "force-ssl"); return err },
	}
	failures := map[string]func(t *testing.T, w http.ResponseWriter){
		"503": func(t *testing.T, w http.ResponseWriter) { writeJSON(w, 503, `{"error":"down"}`) },
		"429": func(t *testing.T, w http.ResponseWriter) {
			w.Header().Set("Retry-After", "0")
			writeJSON(w, 429, `{"error":"slow"}`)
		},
		"reset": func(t *testing.T, w http.ResponseWriter) { resetConn(t, w) },
	}
	for op, call := range calls {
		for fname, fail := range failures {
			t.Run(op+"/"+fname, func(t *testing.T) {
				c, rec, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { fail(t, w) })
				if err := call(c); err == nil {
					t.Fatal("want an error")
				}
				if n := rec.count(); n != 1 {
					t.Fatalf("%s sent %d times, want once", op, n)
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
	if _, err := c.Databases.Update(context.Background(), "db", &DatabaseUpdate{PeriodicBackupsEnabled: &on, PeriodicBackupsScheduledAt: []int{3}}); err != nil {
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
				d := backoff(100*time.Millisecond, maxWait, tt.attempt, tt.resp)
				if d < tt.min || d > tt.max {
					t.Fatalf("backoff = %v, want within [%v, %v]", d, tt.min, tt.max)
				}
			}
		})
	}
}
