package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/env"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/exit"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/run"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// cut takes the connection over and sends status, X-Request-Id req-cut, a
// Content-Length that promises more than it sends and the first half of
// body, then closes it: the answer is lost after the server acted.
func cut(t *testing.T, w http.ResponseWriter, status int, body string) {
	t.Helper()
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Error(err)
		return
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nX-Request-Id: req-cut\r\nContent-Length: 4096\r\n\r\n%s",
		status, http.StatusText(status), body[:len(body)/2])
	_ = buf.Flush()
}

// answer answers status with body and X-Request-Id req-1.
func answer(w http.ResponseWriter, status int, body string) { respond(w, status, "req-1", body) }

// respond answers status with a JSON body and a request ID.
func respond(w http.ResponseWriter, status int, requestID, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", requestID)
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// runAgainst runs the tool with args against handler, with fast retries,
// and returns the exit code and stderr.
func runAgainst(t *testing.T, handler http.HandlerFunc, args ...string) (int, string) {
	t.Helper()
	code, _, stderr := runAgainstOut(t, handler, args...)
	return code, stderr
}

// runAgainstOut is runAgainst that returns stdout too.
func runAgainstOut(t *testing.T, handler http.HandlerFunc, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	c, err := scalingodb.New(scalingodb.WithBaseURL(srv.URL), scalingodb.WithToken("t"),
		scalingodb.WithRetry(scalingodb.RetryPolicy{MaxAttempts: 2, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	vars := map[string]string{env.Database: "my-db-123", env.Token: "t"}
	a := &app{State: &run.State{IO: &IO{In: strings.NewReader(""), Out: &out, Err: &errOut, Getenv: func(k string) string { return vars[k] }}, Client: c}}
	root := newRoot(a)
	root.SetArgs(args)
	root.SetIn(a.IO.In)
	root.SetOut(a.IO.Out)
	root.SetErr(a.IO.Err)
	ctx := context.Background()
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exit.OK, out.String(), errOut.String()
	}
	code, msg := exit.Describe(ctx, cmd, err)
	return code, out.String(), errOut.String() + "scalingodb: " + msg + "\n"
}

// TestList_EmptyIsJSONList: a list command given an empty list prints
// [] with -o json, never null, so that a script can always iterate.
func TestList_EmptyIsJSONList(t *testing.T) {
	tests := []struct {
		args []string
		path string
		body string
	}{
		{[]string{"instances"}, "/databases/my-db-123/instances_status", `[]`},
		{[]string{"firewall", "list"}, "/databases/my-db-123/firewall_rules", `{"rules":[]}`},
		{[]string{"firewall", "ranges"}, "/firewall/managed_ranges", `{"ranges":[]}`},
		{[]string{"types", "list"}, "/database_types", `{"database_types":[]}`},
		{[]string{"users", "list"}, "/databases/my-db-123/users", `{"database-users":[]}`},
		{[]string{"backups", "list"}, "/databases/my-db-123/backups", `{"database_backups":[]}`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := runAgainstOut(t, func(w http.ResponseWriter, r *http.Request) {
				if !strings.HasSuffix(r.URL.Path, tt.path) {
					answer(w, 404, `{"error":"not found"}`)
					return
				}
				answer(w, 200, tt.body)
			}, append(tt.args, "-o", "json")...)
			if code != exit.OK {
				t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
			}
			if got := strings.TrimSpace(stdout); got != "[]" {
				t.Errorf("-o json printed %q, want []", got)
			}
		})
	}
}

// TestRun_LostOutcomes: a create whose answer is lost says what to check
// with which command, and a backup whose polls fail is named with the
// command to wait for it again, never "try again later".
func TestRun_LostOutcomes(t *testing.T) {
	tests := []struct {
		name    string
		handler func(t *testing.T) http.HandlerFunc
		args    []string
		code    int
		want    []string
	}{
		{"users create, answer cut", func(t *testing.T) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				cut(t, w, 201, `{"database_user":{"name":"etl-job","read_only":false,"password":"0123456789abcdefghijklmnop"}}`)
			}
		}, []string{"users", "create", "etl-job", "--generate-password"}, exit.API,
			[]string{"cannot create user etl-job on my-db-123", "took effect (status 201) but its answer was lost", "scalingodb users list", "scalingodb users reset-password etl-job", "req-cut"}},
		{"backups create, answer cut", func(t *testing.T) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				cut(t, w, 201, `{"database_backup":{"id":"b9","status":"scheduled","created_at":"2026-01-02T03:04:05Z"}}`)
			}
		}, []string{"backups", "create"}, exit.API,
			[]string{"cannot create a backup of my-db-123", "took effect (status 201) but its answer was lost", "req-cut", "scalingodb backups list"}},
		{"backups create, 502", func(t *testing.T) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) { answer(w, 502, `{"error":"bad gateway"}`) }
		}, []string{"backups", "create"}, exit.API,
			[]string{"may have taken effect", "502", "scalingodb backups list"}},
		{"backups create --wait, polls fail", func(t *testing.T) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost {
					answer(w, 201, `{"database_backup":{"id":"b9","status":"scheduled","created_at":"2026-01-02T03:04:05Z"}}`)
					return
				}
				answer(w, 500, `{"error":"oops"}`)
			}
		}, []string{"backups", "create", "--wait", "--poll-interval", "1ms"}, exit.Timeout,
			[]string{"backup b9", "scheduled", "500", "scalingodb backups wait b9"}},
		{"backups restore --wait, polls fail", func(t *testing.T) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost {
					answer(w, 201, `{"id":"r1","status":"running","source_backup_id":"b7"}`)
					return
				}
				answer(w, 503, `{"error":"down"}`)
			}
		}, []string{"backups", "restore", "b7", "--yes", "--wait", "--poll-interval", "1ms"}, exit.Timeout,
			[]string{"restoration r1", "running", "503", "scalingodb backups restoration r1 --wait"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stderr := runAgainst(t, tt.handler(t), tt.args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, stderr)
				}
			}
			if strings.Contains(stderr, "try again later") {
				t.Errorf("stderr says to try again later:\n%s", stderr)
			}
		})
	}
}
