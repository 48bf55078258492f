package harness

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// startCounting serves {} on 127.0.0.1 and counts the connections it accepts; it returns the
// count and a URL with a token in its query.
func startCounting(t *testing.T) (*atomic.Int64, string) {
	t.Helper()
	var accepted atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			accepted.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return &accepted, srv.URL + "/api/databases/my-db-123/users?token=secret"
}

func TestReadOnlyTransport(t *testing.T) {
	tests := []struct {
		method    string
		readOnly  bool
		wantDials int64
	}{
		{http.MethodPost, true, 0},
		{http.MethodPut, true, 0},
		{http.MethodPatch, true, 0},
		{http.MethodDelete, true, 0},
		{http.MethodHead, true, 0},
		{http.MethodGet, true, 1},
		// Without the wrapper the same write dials: the counter would catch a leak.
		{http.MethodPost, false, 1},
	}
	for _, tt := range tests {
		name := tt.method
		if !tt.readOnly {
			name += "/unguarded"
		}
		t.Run(name, func(t *testing.T) {
			accepted, u := startCounting(t)
			base := &http.Transport{DisableKeepAlives: true}
			t.Cleanup(base.CloseIdleConnections)
			var rt http.RoundTripper = base
			if tt.readOnly {
				rt = ReadOnlyTransport(base)
			}
			client := &http.Client{Transport: rt}
			req, err := http.NewRequest(tt.method, u, strings.NewReader(`{"database_user":{"name":"x"}}`))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if resp != nil {
				resp.Body.Close()
			}
			wantRefused := tt.readOnly && tt.method != http.MethodGet
			var refused *WriteRefusedError
			if got := errors.As(err, &refused); got != wantRefused {
				t.Fatalf("%s: refused = %v (err %v), want %v", tt.method, got, err, wantRefused)
			}
			if wantRefused {
				if strings.Contains(refused.Error(), "secret") {
					t.Errorf("error %q leaks the query", refused)
				}
				if !strings.Contains(err.Error(), "DBAPI_ALLOW_WRITES=1") || refused.Method != tt.method {
					t.Errorf("error %q does not say what was refused and how to allow it", err)
				}
			} else if err != nil {
				t.Fatalf("%s: %v", tt.method, err)
			}
			// The server counts a connection before it serves it: a GET that got its answer was
			// counted, so only a refused request can show zero here.
			if got := accepted.Load(); got != tt.wantDials {
				t.Errorf("%s: %d connections accepted, want %d", tt.method, got, tt.wantDials)
			}
		})
	}
}

func TestWireCounter(t *testing.T) {
	_, u := startCounting(t)
	tests := []struct {
		name       string
		readOnly   bool
		wantWrites int
		wantGETs   int
	}{
		{"read-only: the write never reaches the wire", true, 0, 1},
		{"unguarded: the counter sees the write", false, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wire := NewWireCounter(nil)
			var rt http.RoundTripper = wire
			if tt.readOnly {
				rt = ReadOnlyTransport(rt)
			}
			client := &http.Client{Transport: rt}
			for _, m := range []string{http.MethodGet, http.MethodPost} {
				req, err := http.NewRequest(m, u, nil)
				if err != nil {
					t.Fatal(err)
				}
				if resp, err := client.Do(req); err == nil {
					resp.Body.Close()
				}
			}
			if got := wire.Writes(); got != tt.wantWrites {
				t.Errorf("Writes() = %d, want %d", got, tt.wantWrites)
			}
			if got := wire.Counts()[http.MethodGet]; got != tt.wantGETs {
				t.Errorf("GETs = %d, want %d", got, tt.wantGETs)
			}
		})
	}
}
