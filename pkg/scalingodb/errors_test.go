package scalingodb

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAPIError_Sentinels(t *testing.T) {
	sentinels := []error{ErrBadRequest, ErrUnauthorized, ErrForbidden, ErrNotFound, ErrValidation, ErrRateLimited, ErrServer}
	tests := []struct {
		status int
		want   error
	}{
		{400, ErrBadRequest}, {401, ErrUnauthorized}, {403, ErrForbidden}, {404, ErrNotFound},
		{422, ErrValidation}, {429, ErrRateLimited}, {500, ErrServer}, {502, ErrServer}, {503, ErrServer},
		{409, nil},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			c, _, _ := newTestClient(t, fixed(tt.status, `{"error":"boom","code":"c1"}`), WithRetry(RetryPolicy{MaxAttempts: 1}))
			_, err := c.Databases.Get(context.Background(), "my-db")
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %v is not an *APIError", err)
			}
			if apiErr.StatusCode != tt.status || apiErr.Message != "boom" || apiErr.Code != "c1" || apiErr.RequestID != "req-123" || apiErr.OperationID != "getDatabase" {
				t.Errorf("got %+v", apiErr)
			}
			for _, s := range sentinels {
				if got, want := errors.Is(err, s), errors.Is(s, tt.want); got != want {
					t.Errorf("errors.Is(%v) = %v", s, got)
				}
			}
			if errors.Is(err, ErrMalformedResponse) {
				t.Error("an API error must not match ErrMalformedResponse")
			}
		})
	}
}

func TestAPIError_FieldErrorsAndRetryAfter(t *testing.T) {
	c, _, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			writeJSON(w, 422, `{"errors":{"name":["is taken","is too short"]}}`)
			return
		}
		w.Header().Set("Retry-After", "7")
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(429)
		_, _ = w.Write([]byte("Retry later"))
	}, WithRetry(RetryPolicy{MaxAttempts: 1}))
	_, err := c.Users.Create(context.Background(), "my-db", &CreateUserParams{Name: "my-user"})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrValidation) {
		t.Fatalf("got %v", err)
	}
	if diff := cmp.Diff(map[string][]string{"name": {"is taken", "is too short"}}, apiErr.FieldErrors); diff != "" {
		t.Errorf("field errors (-want +got):\n%s", diff)
	}
	_, err = c.Users.List(context.Background(), "my-db")
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrRateLimited) || apiErr.RetryAfter != 7*time.Second {
		t.Fatalf("got %v (%+v)", err, apiErr)
	}
}

func TestMalformedResponses(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		status int
		body   string
		call   func(c *Client) error
		op     string
	}{
		{"getDatabase missing envelope", 200, `{"id":"x"}`, func(c *Client) error { _, err := c.Databases.Get(ctx, "db"); return err }, "getDatabase"},
		{"getDatabase null envelope", 200, `{"database":null}`, func(c *Client) error { _, err := c.Databases.Get(ctx, "db"); return err }, "getDatabase"},
		{"getDatabase bad JSON", 200, `{"database":`, func(c *Client) error { _, err := c.Databases.Get(ctx, "db"); return err }, "getDatabase"},
		{"getDatabase wrong type", 200, `{"database":{"id":42}}`, func(c *Client) error { _, err := c.Databases.Get(ctx, "db"); return err }, "getDatabase"},
		{"getDatabase empty body", 200, ``, func(c *Client) error { _, err := c.Databases.Get(ctx, "db"); return err }, "getDatabase"},
		{"listUsers missing key", 200, `{"database_users":[]}`, func(c *Client) error { _, err := c.Users.List(ctx, "db"); return err }, "listDatabaseUsers"},
		{"listBackups missing key", 200, `{}`, func(c *Client) error { _, err := c.Backups.List(ctx, "db"); return err }, "listBackups"},
		{"getBackup missing key", 200, `{"backup":{"id":"b"}}`, func(c *Client) error { _, err := c.Backups.Get(ctx, "b"); return err }, "getBackup"},
		{"createBackup neither shape", 201, `{"backup":{"id":"b"}}`, func(c *Client) error { _, err := c.Backups.Create(ctx, "db"); return err }, "createBackup"},
		{"archive missing url", 200, `{"url":"https://x"}`, func(c *Client) error { _, err := c.Backups.ArchiveLink(ctx, "db", "b"); return err }, "getBackupArchive"},
		{"resetPassword without password", 200, `{"database_user":{"name":"my-user","read_only":false}}`, func(c *Client) error { _, err := c.Users.ResetPassword(ctx, "db", "my-user"); return err }, "resetDatabaseUserPassword"},
		{"maintenance missing meta", 200, `{"maintenance":[]}`, func(c *Client) error { _, err := c.Maintenance.List(ctx, "db", nil); return err }, "listMaintenances"},
		{"instances not an array", 200, `{"instances":[]}`, func(c *Client) error { _, err := c.Instances.Status(ctx, "db"); return err }, "getDatabaseInstancesStatus"},
		{"action missing ok", 200, `{"result":null}`, func(c *Client) error { _, err := c.Actions.Run(ctx, "db", "list-databases", nil); return err }, "runDatabaseAction"},
		{"firewall missing rule", 201, `{"id":"r"}`, func(c *Client) error {
			_, err := c.Firewall.Create(ctx, "db", &CreateFirewallRuleParams{Type: FirewallCustomRange, CIDR: "203.0.113.0/24"})
			return err
		}, "createFirewallRule"},
		{"type version missing key", 200, `{"version":{}}`, func(c *Client) error { _, err := c.TypeVersions.Get(ctx, "v"); return err }, "getDatabaseTypeVersion"},
		{"health not decimal", 200, `{"epoch":"x","status":"green","cluster":"c","shards":"1"}`, func(c *Client) error { _, err := c.Metrics.Health(ctx, "db"); return err }, "getDatabaseHealth"},
		{"metrics missing cpu", 200, `{"memory":{}}`, func(c *Client) error { _, err := c.Metrics.Get(ctx, "db"); return err }, "getDatabaseMetrics"},
		{"pitr missing operation", 201, `{"operation_id":"x"}`, func(c *Client) error { _, err := c.PITR.Restore(ctx, "db", time.Now()); return err }, "restoreDatabasePitr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, _ := newTestClient(t, fixed(tt.status, tt.body))
			err := tt.call(c)
			if !errors.Is(err, ErrMalformedResponse) {
				t.Fatalf("got %v, want ErrMalformedResponse", err)
			}
			var re *ResponseError
			if !errors.As(err, &re) || re.OperationID != tt.op || re.StatusCode != tt.status {
				t.Fatalf("got %#v, want operation %s and status %d", re, tt.op, tt.status)
			}
			if tt.body != "" && strings.Contains(err.Error(), tt.body) {
				t.Errorf("error %q holds the raw body", err)
			}
		})
	}
}

func TestMalformedResponses_GoodBodiesPass(t *testing.T) {
	// The same calls succeed on well-formed bodies, so the checks above do
	// not reject everything.
	ctx := context.Background()
	c, _, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/databases/db":
			writeJSON(w, 200, `{"database":{"id":"x","status":"running","created_at":"2019-02-05T15:38:14.343+01:00"}}`)
		case "/api/databases/db/users":
			writeJSON(w, 200, `{"database-users":[{"name":"my-user","read_only":true}]}`)
		case "/api/databases/db/instances_status":
			writeJSON(w, 200, `[{"id":"i1","type":"gateway","status":"running","role":""}]`)
		case "/api/databases/db/action":
			writeJSON(w, 200, `{"ok":1,"result":[{"name":"x"}]}`)
		default:
			writeJSON(w, 404, `{"error":"not found"}`)
		}
	})
	db, err := c.Databases.Get(ctx, "db")
	if err != nil || db.ID != "x" || db.Status != DatabaseRunning || db.CreatedAt.IsZero() {
		t.Errorf("Get: %+v, %v", db, err)
	}
	users, err := c.Users.List(ctx, "db")
	if err != nil || len(users) != 1 || users[0].Name != "my-user" || !users[0].ReadOnly {
		t.Errorf("List: %v, %v", users, err)
	}
	inst, err := c.Instances.Status(ctx, "db")
	if err != nil || len(inst) != 1 || inst[0].Type != InstanceGateway {
		t.Errorf("Status: %v, %v", inst, err)
	}
	res, err := c.Actions.Run(ctx, "db", "list-databases", nil)
	if err != nil || string(res) != `[{"name":"x"}]` {
		t.Errorf("Run: %s, %v", res, err)
	}
}

func TestActionFailure(t *testing.T) {
	c, _, _ := newTestClient(t, fixed(200, `{"ok":0,"error":"no such database"}`))
	_, err := c.Actions.Run(context.Background(), "db", "delete-database", map[string]string{"database_name": "x"})
	var ae *ActionError
	if !errors.As(err, &ae) || !errors.Is(err, ErrActionFailed) || ae.Message != "no such database" {
		t.Fatalf("got %v", err)
	}
}

func TestCreateBackup_BothShapes(t *testing.T) {
	want := &Backup{ID: "5b8b", Name: "n", Status: BackupScheduled, DatabaseID: "db", Method: BackupManual,
		CreatedAt: time.Date(2018, 9, 2, 1, 0, 0, 178e6, time.UTC)}
	bare := `{"id":"5b8b","created_at":"2018-09-02T01:00:00.178Z","started_at":null,"name":"n","size":null,"status":"scheduled","database_id":"db","method":"manual"}`
	for name, body := range map[string]string{"enveloped": `{"database_backup":` + bare + `}`, "bare": bare} {
		t.Run(name, func(t *testing.T) {
			c, _, _ := newTestClient(t, fixed(201, body))
			got, err := c.Backups.Create(context.Background(), "db")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestAPIError_RetryAfterBounded proves that the delay a 429 asks for is
// bounded the same whatever its form: a date years ahead, or more seconds
// than an int64 holds, is the 24h cap of delay-seconds, never centuries a
// job would sleep nor the 0 that means "retry now" (the client would send
// the request again at once, against the server's word).
func TestAPIError_RetryAfterBounded(t *testing.T) {
	tests := []struct {
		name     string
		value    string
		want     time.Duration
		requests int // newTestClient's policy: 3 attempts, waits of at most 5ms
	}{
		{"seconds", "7", 7 * time.Second, 1},
		{"seconds past the cap", "999999999", 24 * time.Hour, 1},
		{"more seconds than an int64 holds", "99999999999999999999999999", 24 * time.Hour, 1},
		{"a date within the cap", time.Now().Add(2 * time.Hour).UTC().Format(http.TimeFormat), 2 * time.Hour, 1},
		{"a date years ahead", "Fri, 31 Dec 9999 23:59:59 GMT", 24 * time.Hour, 1},
		{"a past date", "Mon, 02 Jan 2006 15:04:05 GMT", 0, 3},
		{"garbage", "soon", 0, 3},
		{"negative", "-3", 0, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", tt.value)
				writeJSON(w, 429, `{"error":"slow down"}`)
			})
			_, err := c.Users.List(context.Background(), "my-db")
			var apiErr *APIError
			if !errors.As(err, &apiErr) || !errors.Is(err, ErrRateLimited) {
				t.Fatalf("got %v, want a 429 *APIError", err)
			}
			// A date is read against the clock: allow the seconds the test takes.
			if d := apiErr.RetryAfter - tt.want; d > 0 || d < -5*time.Second {
				t.Errorf("RetryAfter = %v, want %v", apiErr.RetryAfter, tt.want)
			}
			if n := rec.count(); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
		})
	}
}
