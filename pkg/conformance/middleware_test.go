package conformance_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// handlerFor answers every request with status, content type and body, and counts its calls.
func handlerFor(status int, contentType, body string, calls *atomic.Int32) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Body != nil {
			_, _ = io.Copy(io.Discard, r.Body)
		}
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	})
}

func TestValidator_Middleware_Requests(t *testing.T) {
	v := newValidator(t)
	const users = "/api/databases/my-db-123/users"
	tests := []struct {
		name        string
		method, url string
		contentType string
		body        string
		wantStatus  int
		wantBody    any // decoded JSON; nil when the handler answers
	}{
		{"good request reaches the handler", "POST", users, "application/json", `{"database_user":{"name":"my-user"}}`, 201, nil},
		{"malformed JSON", "POST", users, "application/json", `{"database_user":`, 400, "error"},
		{"wrong content type", "POST", users, "text/plain", `{"database_user":{"name":"my-user"}}`, 400, "error"},
		{"invalid name", "POST", users, "application/json", `{"database_user":{"name":"No!"}}`, 422,
			map[string]any{"errors": map[string]any{"name": []any{"must be at least 6 characters", "must match ^[a-z0-9]+(-[a-z0-9]+)*$"}}}},
		{"short password", "POST", users, "application/json", `{"database_user":{"name":"my-user","password":"x"}}`, 422,
			map[string]any{"errors": map[string]any{"password": []any{"must be at least 24 characters"}}}},
		{"missing name", "POST", users, "application/json", `{"database_user":{}}`, 422,
			map[string]any{"errors": map[string]any{"name": []any{"is required"}}}},
		// An array item is named by its parent field and index, as Rails names nested attributes.
		{"out-of-range item of a list", "PATCH", "/api/databases/my-db-123", "application/json",
			`{"database":{"periodic_backups_scheduled_at":[1,25]}}`, 422,
			map[string]any{"errors": map[string]any{"periodic_backups_scheduled_at[1]": []any{"must be at most 23"}}}},
		// A discriminator that names no branch is reported on the discriminator property, in words.
		{"unknown firewall rule type", "POST", "/api/databases/my-db-123/firewall_rules", "application/json",
			`{"type":"bogus","cidr":"203.0.113.0/24"}`, 422,
			map[string]any{"errors": map[string]any{"type": []any{"must be one of [custom_range managed_range]"}}}},
		{"missing firewall rule type", "POST", "/api/databases/my-db-123/firewall_rules", "application/json",
			`{"cidr":"203.0.113.0/24"}`, 422,
			map[string]any{"errors": map[string]any{"type": []any{"is required"}}}},
		{"bad query parameter", "GET", "/api/databases/my-db-123/maintenance?page=0", "", "", 400, "error"},
		{"unknown path", "GET", "/api/nothing/here", "", "", 404, map[string]any{"error": "not found"}},
		{"undocumented method", "PUT", users, "", "", 404, map[string]any{"error": "not found"}},
		{"no /api prefix", "GET", "/databases/my-db-123/users", "", "", 404, map[string]any{"error": "not found"}},
		// An operation that documents no 400 nor 422 has no input to refuse: a stray body is ignored.
		{"stray body where no client error is documented", "POST", "/api/databases/my-db-123/users/my-user/reset_password", "text/plain", "garbage", 201, nil},
		{"stray body where 400 is documented", "POST", "/api/databases/my-db-123/upgrade", "text/plain", "garbage", 400, "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			h := v.Middleware(handlerFor(201, "application/json", newUser, &calls))
			req := httptest.NewRequest(tt.method, tt.url, strings.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tt.wantStatus, rec.Body)
			}
			if tt.wantBody == nil {
				if calls.Load() != 1 {
					t.Errorf("handler called %d times, want 1", calls.Load())
				}
				return
			}
			if calls.Load() != 0 {
				t.Errorf("the handler got a request that breaks the spec")
			}
			var got map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("answer is not JSON: %q", rec.Body)
			}
			if key, ok := tt.wantBody.(string); ok {
				if s, _ := got[key].(string); s == "" {
					t.Errorf("answer %s has no %q message", rec.Body, key)
				}
			} else if diff := cmp.Diff(tt.wantBody, any(got)); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type = %q", ct)
			}
			// The middleware's own answers keep the contract (404s are checked against listDatabaseUsers).
			check := req
			if tt.wantStatus == 404 {
				check = httptest.NewRequest("GET", users, nil)
			}
			if err := v.ValidateResponse(check, rec.Code, rec.Header(), rec.Body.Bytes()); err != nil {
				t.Errorf("the middleware's answer breaks the spec: %v", err)
			}
		})
	}
}

func TestValidator_Middleware_Responses(t *testing.T) {
	v := newValidator(t)
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		wantReport  string // pointer of the reported violation, "" for none
	}{
		{"good answer", 200, "application/json; charset=utf-8", users, ""},
		{"bad answer is reported and sent", 200, "application/json", `{"database-users":[{"name":"a"}]}`, "/database-users/0/read_only"},
		{"undocumented status", 201, "application/json", users, "status"},
		{"no content type is sniffed", 200, "", users, "header Content-Type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			var mu sync.Mutex
			var reported []*conformance.ViolationError
			h := v.Middleware(handlerFor(tt.status, tt.contentType, tt.body, &calls),
				conformance.OnResponseViolation(func(ve *conformance.ViolationError) {
					mu.Lock()
					defer mu.Unlock()
					reported = append(reported, ve)
				}))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/databases/my-db-123/users", nil))
			if rec.Code != tt.status || rec.Body.String() != tt.body {
				t.Errorf("sent %d %q, want the handler's %d %q", rec.Code, rec.Body, tt.status, tt.body)
			}
			switch {
			case tt.wantReport == "" && len(reported) != 0:
				t.Errorf("unexpected report: %v", reported[0])
			case tt.wantReport == "status" && (len(reported) != 1 || reported[0].Violations[0].Kind != conformance.KindStatus):
				t.Errorf("reports = %v, want a status violation", reported)
			case tt.wantReport != "" && tt.wantReport != "status" && (len(reported) != 1 || reported[0].Violations[0].Pointer != tt.wantReport):
				t.Errorf("reports = %v, want one at %s", reported, tt.wantReport)
			}
		})
	}
}

func TestValidator_Middleware_Skip(t *testing.T) {
	v := newValidator(t)
	var calls atomic.Int32
	var reports atomic.Int32
	count := conformance.OnResponseViolation(func(*conformance.ViolationError) { reports.Add(1) })
	bad := handlerFor(200, "application/json", `{}`, &calls)

	req := httptest.NewRequest("POST", "/api/databases/d/users", strings.NewReader("{"))
	req.Header.Set("Content-Type", "application/json")
	v.Middleware(bad, conformance.SkipRequestValidation(), count).ServeHTTP(httptest.NewRecorder(), req)
	if calls.Load() != 1 {
		t.Error("SkipRequestValidation: the handler did not get the malformed request")
	}
	if reports.Load() != 1 {
		t.Error("SkipRequestValidation: the bad response was not reported")
	}

	v.Middleware(bad, conformance.SkipResponseValidation(), count).
		ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/databases/d/users", nil))
	if calls.Load() != 2 || reports.Load() != 1 {
		t.Errorf("SkipResponseValidation: calls = %d, reports = %d; want 2 and 1", calls.Load(), reports.Load())
	}
}

// TestValidator_Middleware_StreamsBinary proves that a large octet-stream answer is not buffered:
// the client reads the first part while the handler is still running, and the bytes are unchanged.
func TestValidator_Middleware_StreamsBinary(t *testing.T) {
	v := newValidator(t)
	archive := newStalledArchive()
	srv := httptest.NewServer(v.Middleware(archive, conformance.OnResponseViolation(func(ve *conformance.ViolationError) {
		t.Errorf("unexpected violation: %v", ve)
	})))
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL + archivePath)
	if err != nil {
		t.Fatal(err)
	}
	archive.read(t, resp, "the middleware")
}

// TestValidator_Middleware_BinaryHeadersChecked shows that a streamed answer still has its status
// and headers checked.
func TestValidator_Middleware_BinaryHeadersChecked(t *testing.T) {
	v := newValidator(t)
	var got []*conformance.Violation
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.WriteHeader(http.StatusPartialContent) // no Content-Range
		_, _ = w.Write([]byte("PG"))
	})
	h := v.Middleware(handler, conformance.OnResponseViolation(func(ve *conformance.ViolationError) {
		got = append(got, ve.Violations...)
	}))
	req := httptest.NewRequest("GET", "/api/databases/my-db-123/backups/b1/download?token=t", nil)
	req.Header.Set("Range", "bytes=0-1")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if len(got) != 1 || got[0].Kind != conformance.KindHeader || got[0].Pointer != "header Content-Range" {
		t.Errorf("violations = %v, want a missing Content-Range", got)
	}
	if rec.Code != 206 || rec.Body.String() != "PG" {
		t.Errorf("sent %d %q", rec.Code, rec.Body)
	}
}
