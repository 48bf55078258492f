package scalingodb

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"testing"
	"time"
)

// fuzzCalls are calls of every service method that decodes an answer,
// with fixed, valid inputs: the answer is what the fuzzer varies.
var fuzzCalls = []func(ctx context.Context, c *Client) (any, error){
	func(ctx context.Context, c *Client) (any, error) { return c.Actions.Run(ctx, "db", "act", nil) },
	func(ctx context.Context, c *Client) (any, error) { return c.Backups.List(ctx, "db") },
	func(ctx context.Context, c *Client) (any, error) { return c.Backups.Latest(ctx, "db") },
	func(ctx context.Context, c *Client) (any, error) { return c.Backups.Create(ctx, "db") },
	func(ctx context.Context, c *Client) (any, error) { return c.Backups.Get(ctx, "b") },
	func(ctx context.Context, c *Client) (any, error) { return c.Backups.ArchiveLink(ctx, "db", "b") },
	func(ctx context.Context, c *Client) (any, error) {
		return c.Databases.CACertificate(ctx, &bytes.Buffer{})
	},
	func(ctx context.Context, c *Client) (any, error) { return c.Types.List(ctx) },
	func(ctx context.Context, c *Client) (any, error) { return c.Types.Get(ctx, "t") },
	func(ctx context.Context, c *Client) (any, error) { return c.Plans.Get(ctx, "t", "p") },
	func(ctx context.Context, c *Client) (any, error) { return c.Databases.Plan(ctx, "db") },
	func(ctx context.Context, c *Client) (any, error) { return c.Databases.Get(ctx, "db") },
	func(ctx context.Context, c *Client) (any, error) {
		return c.Databases.Update(ctx, "db", &UpdateDatabaseParams{})
	},
	func(ctx context.Context, c *Client) (any, error) { return c.Databases.Upgrade(ctx, "db") },
	func(ctx context.Context, c *Client) (any, error) { return c.Features.Enable(ctx, "db", "f") },
	func(ctx context.Context, c *Client) (any, error) { return c.Features.Disable(ctx, "db", "f") },
	func(ctx context.Context, c *Client) (any, error) { return c.Firewall.List(ctx, "db") },
	func(ctx context.Context, c *Client) (any, error) {
		return c.Firewall.Create(ctx, "db", &CreateFirewallRuleParams{Type: FirewallCustomRange, CIDR: "203.0.113.0/24"})
	},
	func(ctx context.Context, c *Client) (any, error) { return c.Firewall.Update(ctx, "db", "r", "l") },
	func(ctx context.Context, c *Client) (any, error) { return nil, c.Firewall.Delete(ctx, "db", "r") },
	func(ctx context.Context, c *Client) (any, error) { return c.Firewall.ManagedRanges(ctx) },
	func(ctx context.Context, c *Client) (any, error) { return c.Instances.Status(ctx, "db") },
	func(ctx context.Context, c *Client) (any, error) { return c.Logs.URL(ctx, "db") },
	func(ctx context.Context, c *Client) (any, error) { return c.Logs.Archives(ctx, "db", nil) },
	func(ctx context.Context, c *Client) (any, error) { return c.Maintenance.List(ctx, "db", nil) },
	func(ctx context.Context, c *Client) (any, error) { return c.Maintenance.Get(ctx, "db", "m") },
	func(ctx context.Context, c *Client) (any, error) { return c.Metrics.Get(ctx, "db") },
	func(ctx context.Context, c *Client) (any, error) { return c.Metrics.Health(ctx, "db") },
	func(ctx context.Context, c *Client) (any, error) { return c.Operations.Get(ctx, "db", "o") },
	func(ctx context.Context, c *Client) (any, error) {
		return c.PITR.Restore(ctx, "db", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	},
	func(ctx context.Context, c *Client) (any, error) { return c.PITR.RecoveryWindow(ctx, "db") },
	func(ctx context.Context, c *Client) (any, error) { return c.Metrics.Series(ctx, "db", "cpu", nil) },
	func(ctx context.Context, c *Client) (any, error) { return c.Metrics.Lag(ctx, "db") },
	func(ctx context.Context, c *Client) (any, error) { return nil, c.Databases.Ping(ctx, "db") },
	func(ctx context.Context, c *Client) (any, error) { return c.Backups.Restore(ctx, "db", "b") },
	func(ctx context.Context, c *Client) (any, error) { return c.Backups.Restoration(ctx, "db", "r") },
	func(ctx context.Context, c *Client) (any, error) { return c.TypeVersions.Get(ctx, "v") },
	func(ctx context.Context, c *Client) (any, error) { return c.Users.List(ctx, "db") },
	func(ctx context.Context, c *Client) (any, error) {
		return c.Users.Create(ctx, "db", &CreateUserParams{Name: "my-user"})
	},
	func(ctx context.Context, c *Client) (any, error) { return c.Users.ResetPassword(ctx, "db", "my-user") },
	func(ctx context.Context, c *Client) (any, error) { return nil, c.Users.Delete(ctx, "db", "my-user") },
}

// FuzzServices answers a call of every service with fuzzed statuses,
// content types and bodies, through a transport in memory: no call may
// panic or hang, every error must be one of the package's types (or
// ErrNoBackup of Latest), and a success must return a value, never a nil
// pointer.
func FuzzServices(f *testing.F) {
	seeds := []string{
		`{}`, `null`, `[]`, `""`, `{"database":{"id":"d"}}`, `{"database_backups":[{"id":"b","status":"done"}]}`,
		`{"database_backup":{"id":"b","status":"running"}}`, `{"id":"b","status":"done"}`,
		`{"maintenance":[],"meta":{"pagination":{"current_page":1,"prev_page":null,"next_page":null,"total_pages":1,"total_count":0}}}`,
		`{"ok":1,"result":{}}`, `{"has_more":false,"archives":[]}`, `{"database_user":{"name":"my-user","read_only":false,"password":"p"}}`,
		`{"database_backups":[{"id":"b","status":"done","size":1e400}]}`, `{"rules":[null]}`, `{"a":` + string(bytes.Repeat([]byte("["), 20000)),
		"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
	}
	for i := range fuzzCalls {
		for _, s := range seeds {
			f.Add(uint8(i), uint16(200), "application/json", []byte(s))
		}
	}
	f.Add(uint8(0), uint16(500), "application/json", []byte(`{"error":"boom"}`))
	f.Add(uint8(1), uint16(404), "text/plain", []byte(`nope`))
	f.Add(uint8(2), uint16(429), "application/json", []byte(`{"errors":{"a":["b"]}}`))
	f.Fuzz(func(t *testing.T, call uint8, status uint16, contentType string, body []byte) {
		if int(call) >= len(fuzzCalls) || status < 200 || status > 599 {
			t.Skip()
		}
		rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if r.Body != nil {
				_, _ = io.Copy(io.Discard, r.Body)
				_ = r.Body.Close()
			}
			h := http.Header{"Content-Type": {contentType}, "X-Request-Id": {"req-1"}}
			return &http.Response{StatusCode: int(status), Status: strconv.Itoa(int(status)), Header: h, Request: r,
				Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), ProtoMajor: 1, ProtoMinor: 1}, nil
		})
		c, err := New(WithBaseURL("http://127.0.0.1:1"), WithToken(testToken), WithRetry(RetryPolicy{MaxAttempts: 1}),
			WithHTTPClient(&http.Client{Transport: rt}))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		v, err := fuzzCalls[call](ctx, c)
		if ctx.Err() != nil {
			t.Fatalf("call %d, status %d: an answer in memory took until the deadline: %v", call, status, err)
		}
		if err != nil {
			if !ownError(err) {
				t.Fatalf("call %d, status %d: error %T %v is none of the package's types", call, status, err, err)
			}
			return
		}
		if v != nil {
			if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
				t.Fatalf("call %d, status %d: success with a nil %T", call, status, v)
			}
		}
	})
}

// ownError reports whether err is one of the errors a call documents.
func ownError(err error) bool {
	return errors.As(err, new(*APIError)) || errors.As(err, new(*ResponseError)) || errors.As(err, new(*BodyError)) ||
		errors.As(err, new(*TransportError)) || errors.As(err, new(*OutcomeUnknownError)) ||
		errors.As(err, new(*InvalidInputError)) || errors.As(err, new(*ActionError)) || errors.Is(err, ErrNoBackup)
}
