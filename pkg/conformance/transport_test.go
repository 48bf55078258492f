package conformance_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// fakeAPI answers GET /api/databases/{id}/users with body.
func fakeAPI(t *testing.T, body string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/databases/{id}/users", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = io.WriteString(w, body)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestValidator_Transport(t *testing.T) {
	v := newValidator(t)
	tests := []struct {
		name       string
		body       string
		opts       func(*[]*conformance.ViolationError) []conformance.TransportOption
		wantErr    bool
		wantReport int
	}{
		{"good body passes", users, nil, false, 0},
		{"bad body fails the call", `{"database-users":[{"name":1}]}`, nil, true, 0},
		{"bad body, report only", `{"database-users":[{"name":1}]}`, func(got *[]*conformance.ViolationError) []conformance.TransportOption {
			return []conformance.TransportOption{conformance.ReportOnly(), conformance.OnTransportViolation(func(ve *conformance.ViolationError) { *got = append(*got, ve) })}
		}, false, 1},
		{"bad body, reported and failed", `{}`, func(got *[]*conformance.ViolationError) []conformance.TransportOption {
			return []conformance.TransportOption{conformance.OnTransportViolation(func(ve *conformance.ViolationError) { *got = append(*got, ve) })}
		}, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakeAPI(t, tt.body)
			var reported []*conformance.ViolationError
			var opts []conformance.TransportOption
			if tt.opts != nil {
				opts = tt.opts(&reported)
			}
			client := &http.Client{Transport: v.Transport(nil, opts...)}
			resp, err := client.Get(srv.URL + "/api/databases/my-db-123/users")
			var ve *conformance.ViolationError
			if tt.wantErr {
				if !errors.As(err, &ve) {
					t.Fatalf("Get = %v, want a *ViolationError", err)
				}
				if ve.Violations[0].OperationID != "listDatabaseUsers" {
					t.Errorf("violation names %q", ve.Violations[0].OperationID)
				}
			} else {
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				got, _ := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				if string(got) != tt.body {
					t.Errorf("body = %q, want %q (restored after validation)", got, tt.body)
				}
			}
			if len(reported) != tt.wantReport {
				t.Errorf("%d violations reported, want %d", len(reported), tt.wantReport)
			}
		})
	}
}

// TestValidator_Transport_UnroutableRequestNeverSent proves that a request matching no operation
// fails before a connection is made.
func TestValidator_Transport_UnroutableRequestNeverSent(t *testing.T) {
	v := newValidator(t)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: v.Transport(srv.Client().Transport)}
	_, err := client.Get(srv.URL + "/api/not-an-operation")
	var ve *conformance.ViolationError
	if !errors.As(err, &ve) || ve.Violations[0].Kind != conformance.KindRoute {
		t.Fatalf("Get = %v, want a route violation", err)
	}
	if hits.Load() != 0 {
		t.Errorf("the server got %d requests", hits.Load())
	}
}

// TestValidator_Transport_BinaryStreamsThrough checks that an octet-stream body reaches the caller
// while the server is still sending it (it is not buffered), untouched.
func TestValidator_Transport_BinaryStreamsThrough(t *testing.T) {
	v := newValidator(t)
	archive := newStalledArchive()
	srv := httptest.NewServer(archive)
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: v.Transport(nil)}
	resp, err := client.Get(srv.URL + archivePath)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	archive.read(t, resp, "the transport")
}

func TestValidator_Transport_Coverage(t *testing.T) {
	cov := conformance.NewCoverage(newValidator(t))
	v := newValidator(t, conformance.WithCoverage(cov))
	srv := fakeAPI(t, users)
	client := &http.Client{Transport: v.Transport(nil)}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			resp, err := client.Get(srv.URL + "/api/databases/my-db-123/users")
			if err != nil {
				t.Error(err)
				return
			}
			_ = resp.Body.Close()
		})
	}
	wg.Wait()
	r := cov.Report()
	for _, e := range r.Entries {
		want := 0
		if e.OperationID == "listDatabaseUsers" && e.Status == "200" {
			want = 8
		}
		if e.Hits != want {
			t.Errorf("%s %s: %d hits, want %d", e.OperationID, e.Status, e.Hits, want)
		}
	}
	if r.OperationsHit != 1 || r.StatusesHit != 1 {
		t.Errorf("report = %d operations, %d statuses hit; want 1 and 1", r.OperationsHit, r.StatusesHit)
	}
}

func TestValidator_Transport_ErrorMessage(t *testing.T) {
	v := newValidator(t)
	srv := fakeAPI(t, `{"database-users":[{"name":"a","read_only":"no"}]}`)
	client := &http.Client{Transport: v.Transport(nil)}
	_, err := client.Get(srv.URL + "/api/databases/my-db-123/users")
	if err == nil || !strings.Contains(err.Error(), "/database-users/0/read_only") {
		t.Errorf("error = %v, want the JSON pointer of the bad value", err)
	}
}

// rawServer answers every request on 127.0.0.1 with the canned HTTP/1.1 response raw, written on
// the hijacked connection: net/http's server would not send it (it strips Content-Length from a
// 204).
func rawServer(t *testing.T, raw string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		c, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		_, _ = io.WriteString(c, raw)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestValidator_Transport_BodyOn204 covers a body sent where none is documented: net/http drops the
// body of a 204, so the announced Content-Length is what gives it away.
func TestValidator_Transport_BodyOn204(t *testing.T) {
	v := newValidator(t)
	for _, tt := range []struct {
		name    string
		raw     string
		wantErr bool
	}{
		{"no body", "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", false},
		{"zero length", "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", false},
		{"announced body", "HTTP/1.1 204 No Content\r\nContent-Length: 17\r\nConnection: close\r\n\r\n{\"deleted\":true}", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			base := rawServer(t, tt.raw)
			req, _ := http.NewRequest(http.MethodDelete, base+"/api/databases/d/users/u", nil)
			resp, err := (&http.Client{Transport: v.Transport(nil)}).Do(req)
			var ve *conformance.ViolationError
			if tt.wantErr {
				if !errors.As(err, &ve) || ve.Violations[0].Kind != conformance.KindBody ||
					ve.Violations[0].OperationID != "deleteDatabaseUser" || ve.Violations[0].Pointer != "header Content-Length" {
					t.Fatalf("Do = %v, want a body violation of deleteDatabaseUser", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			_ = resp.Body.Close()
		})
	}
}
