package conformance_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// gzipped compresses data.
func gzipped(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestValidator_Transport_BodyCap checks that the transport never reads more than its cap,
// counted decompressed, and fails with an error that wraps *http.MaxBytesError.
func TestValidator_Transport_BodyCap(t *testing.T) {
	const limit = 64 << 10
	big := []byte(`{"database-users":[` + strings.Repeat(" ", 4*limit) + `]}`)
	small := []byte(users)
	tests := []struct {
		name           string
		serve          func(w http.ResponseWriter)
		acceptEncoding string // set by the caller: the transport then does not decompress
		wantOver       bool
	}{
		{"small body passes", func(w http.ResponseWriter) { _, _ = w.Write(small) }, "", false},
		{"body at the cap passes", func(w http.ResponseWriter) {
			_, _ = w.Write(append(append([]byte(users[:len(users)-1]), bytes.Repeat([]byte(" "), limit-len(users))...), '}'))
		}, "", false},
		{"announced length over the cap", func(w http.ResponseWriter) { _, _ = w.Write(big) }, "", true},
		{"endless body", func(w http.ResponseWriter) {
			chunk := bytes.Repeat([]byte(" "), 4096)
			_, _ = w.Write([]byte(`{"database-users":[`))
			for {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, "", true},
		{"gzip expanding over the cap, decompressed by net/http", func(w http.ResponseWriter) {
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(gzipped(t, big))
		}, "", true},
		{"gzip expanding over the cap, asked for by the caller", func(w http.ResponseWriter) {
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(gzipped(t, big))
		}, "gzip", true},
		{"small gzip asked for by the caller passes", func(w http.ResponseWriter) {
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(gzipped(t, small))
		}, "gzip", false},
	}
	v := newValidator(t, conformance.WithMaxBodyBytes(limit))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				tt.serve(w)
			}))
			defer srv.Close()
			var reported atomic.Int32
			client := &http.Client{Transport: v.Transport(nil, conformance.ReportOnly(),
				conformance.OnTransportViolation(func(*conformance.ViolationError) { reported.Add(1) }))}
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/databases/my-db-123/users", nil)
			if tt.acceptEncoding != "" {
				req.Header.Set("Accept-Encoding", tt.acceptEncoding)
			}
			resp, err := client.Do(req)
			if tt.wantOver {
				var mbe *http.MaxBytesError
				if !errors.As(err, &mbe) || mbe.Limit != limit {
					t.Fatalf("err = %v, want one wrapping *http.MaxBytesError{Limit: %d}", err, limit)
				}
				var ve *conformance.ViolationError
				if errors.As(err, &ve) {
					t.Errorf("err is also a *ViolationError: %v", err)
				}
				if !strings.Contains(err.Error(), "64 KiB") && !strings.Contains(err.Error(), "65536 bytes") {
					t.Errorf("err = %q, want it to name the cap", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			defer resp.Body.Close()
			if n := reported.Load(); n != 0 {
				t.Errorf("%d violations reported", n)
			}
			if _, err := io.Copy(io.Discard, resp.Body); err != nil {
				t.Errorf("reading the restored body: %v", err)
			}
		})
	}
}

func TestValidator_Middleware_BodyCap(t *testing.T) {
	const limit = 1 << 10
	v := newValidator(t, conformance.WithMaxBodyBytes(limit))
	const path = "/api/databases/my-db-123/users"
	okUser := `{"database_user":{"name":"my-user","password":"K_gaef6ripo7Ao4Uaxai6Kiey","password_confirmation":"K_gaef6ripo7Ao4Uaxai6Kiey","read_only":true}}`
	padded := okUser[:len(okUser)-1] + strings.Repeat(" ", limit) + "}"
	tests := []struct {
		name       string
		body       []byte
		encoding   string
		wantStatus int
		wantCalls  int32
	}{
		{"small request passes", []byte(okUser), "", 0, 1},
		{"request over the cap", []byte(padded), "", http.StatusRequestEntityTooLarge, 0},
		{"gzip request expanding over the cap", gzipped(t, []byte(padded)), "gzip", http.StatusRequestEntityTooLarge, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			h := v.Middleware(handlerFor(http.StatusCreated, "application/json",
				`{"database_user":{"name":"my-user","password":"K_gaef6ripo7Ao4Uaxai6Kiey","read_only":true,"protected":false}}`, &calls))
			req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			if tt.encoding != "" {
				req.Header.Set("Content-Encoding", tt.encoding)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if calls.Load() != tt.wantCalls {
				t.Errorf("handler called %d times, want %d", calls.Load(), tt.wantCalls)
			}
			if tt.wantStatus == 0 {
				return
			}
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.wantStatus, rec.Body)
			}
			var body struct{ Error string }
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || !strings.Contains(body.Error, "too large") {
				t.Errorf("body %q, want the spec's JSON error saying the body is too large", rec.Body)
			}
		})
	}
}

// TestValidator_Middleware_ResponseOverCap checks that a response over the cap is sent whole,
// unbuffered, and reported.
func TestValidator_Middleware_ResponseOverCap(t *testing.T) {
	const limit = 1 << 10
	v := newValidator(t, conformance.WithMaxBodyBytes(limit))
	body := `{"database-users":[` + strings.Repeat(" ", 3*limit) + `]}`
	var got []*conformance.ViolationError
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		for i := 0; i < len(body); i += 100 {
			_, _ = io.WriteString(w, body[i:min(i+100, len(body))])
		}
	}), conformance.OnResponseViolation(func(ve *conformance.ViolationError) { got = append(got, ve) }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/databases/my-db-123/users", nil))
	if rec.Body.String() != body {
		t.Errorf("sent %d bytes, want the handler's %d", rec.Body.Len(), len(body))
	}
	if len(got) != 1 || got[0].Violations[0].Kind != conformance.KindTooLarge {
		t.Fatalf("reported %v, want one violation of kind %q", got, conformance.KindTooLarge)
	}
}

func TestValidator_ValidateRequest_BodyCap(t *testing.T) {
	v := newValidator(t, conformance.WithMaxBodyBytes(100))
	req := httptest.NewRequest(http.MethodPost, "/api/databases/my-db-123/users", strings.NewReader(strings.Repeat(" ", 101)))
	req.Header.Set("Content-Type", "application/json")
	_, err := v.ValidateRequest(req)
	var ve *conformance.ViolationError
	if !errors.As(err, &ve) || ve.Violations[0].Kind != conformance.KindTooLarge {
		t.Fatalf("err = %v, want a violation of kind %q", err, conformance.KindTooLarge)
	}
	var mbe *http.MaxBytesError
	if _, rerr := req.Body.Read(make([]byte, 1)); !errors.As(rerr, &mbe) {
		t.Errorf("reading the body again gives %v, want a *http.MaxBytesError", rerr)
	}
}
