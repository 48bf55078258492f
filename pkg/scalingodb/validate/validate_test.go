package validate_test

import (
	"context"
	"errors"
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
		{"missing required created_at", 200, "application/json",
			`{"database_backups":[{"id":"b","name":"n","status":"done","database_id":"db","secret":"` + secret + `"}]}`, "/database_backups/0"},
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
	body := `{"database_backups":[{"id":"b","name":"n","status":"done","database_id":"db"}]}`
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
