package scalingodb

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

const testToken = "db-bearer-SECRET-7f3a"

// recorded is one request seen by a test server.
type recorded struct {
	Method     string
	RequestURI string
	Header     http.Header
	Body       []byte
}

// recorder keeps the requests a test server receives.
type recorder struct {
	mu   sync.Mutex
	reqs []recorded
}

func (r *recorder) add(req *http.Request) recorded {
	body, _ := io.ReadAll(req.Body)
	rec := recorded{Method: req.Method, RequestURI: req.RequestURI, Header: req.Header.Clone(), Body: body}
	r.mu.Lock()
	r.reqs = append(r.reqs, rec)
	r.mu.Unlock()
	req.Body = io.NopCloser(bytes.NewReader(body))
	return rec
}

func (r *recorder) all() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.reqs)
}

// newTestClient starts h on a loopback server that records every request,
// and returns a client with fast retries pointed at it.
func newTestClient(t *testing.T, h http.HandlerFunc, opts ...Option) (*Client, *recorder, *httptest.Server) {
	t.Helper()
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	base := []Option{
		WithBaseURL(srv.URL),
		WithToken(testToken),
		WithRetry(RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond}),
	}
	c, err := New(append(base, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, rec, srv
}

// writeJSON answers status with a JSON body.
func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", "req-123")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// fixed answers every request with the same status and body.
func fixed(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { writeJSON(w, status, body) }
}

// hijack takes the connection of w over from the HTTP server; it fails
// the test and returns nil when it cannot.
func hijack(t *testing.T, w http.ResponseWriter) net.Conn {
	t.Helper()
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Error(err)
		return nil
	}
	return conn
}

// resetConn closes the connection without an answer.
func resetConn(t *testing.T, w http.ResponseWriter) {
	t.Helper()
	if conn := hijack(t, w); conn != nil {
		conn.Close()
	}
}

// rawServer serves on 127.0.0.1 and hands each connection, with its
// request read, to serve, which writes raw bytes the HTTP server does not
// check.
func rawServer(t *testing.T, serve func(conn net.Conn)) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if conn := hijack(t, w); conn != nil {
			defer conn.Close()
			serve(conn)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// refusedAddr returns the 127.0.0.1 address of a server already closed,
// so that a connection to it is refused.
func refusedAddr() string {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	return srv.Listener.Addr().String()
}

// parseFiles parses the Go files names into fset with mode.
func parseFiles(t *testing.T, fset *token.FileSet, names []string, mode parser.Mode) []*ast.File {
	t.Helper()
	files := make([]*ast.File, 0, len(names))
	for _, name := range names {
		f, err := parser.ParseFile(fset, name, nil, mode)
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		files = append(files, f)
	}
	return files
}
