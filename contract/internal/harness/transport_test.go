package harness

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

func TestHostGuard(t *testing.T) {
	var reached []string
	next := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		reached = append(reached, r.URL.Host)
		return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
	})
	g := HostGuard("http://127.0.0.1:8080/api", []string{"backups.example.com", "127.0.0.1:9000"}, next)
	tests := []struct {
		url     string
		allowed bool
	}{
		{"http://127.0.0.1:8080/api/databases/x", true},
		{"https://backups.example.com/b?token=t", true},
		{"https://backups.example.com:8443/b", true}, // a host without a port allows every port
		{"http://127.0.0.1:9000/b", true},
		{"http://127.0.0.1:9001/b", false},
		{"http://127.0.0.1/b", false},
		{"https://evil.example/b?token=t", false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			reached = nil
			req, err := http.NewRequest(http.MethodGet, tt.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = g.RoundTrip(req)
			var hr *HostRefusedError
			if got := !errors.As(err, &hr); got != tt.allowed {
				t.Fatalf("allowed = %v (err %v), want %v", got, err, tt.allowed)
			}
			if !tt.allowed {
				if len(reached) != 0 {
					t.Errorf("a refused request reached the transport")
				}
				if !strings.Contains(err.Error(), EnvDownloadHosts) || strings.Contains(err.Error(), "token") {
					t.Errorf("message %q does not name the setting, or holds the query", err)
				}
			}
		})
	}
}

// A link the target gave to a host the run does not allow names the host and the operation
// that gave it.
func TestCheckLink(t *testing.T) {
	base, allowed := "http://127.0.0.1:8080/api", []string{"backups.example.com"}
	tests := []struct {
		link string
		ok   bool
	}{
		{"http://127.0.0.1:8080/api/databases/x/backups/b/download?token=t", true},
		{"https://backups.example.com/b?token=t", true},
		{"https://example.com/downloads/archive.tar.gz?token=t", false},
	}
	for _, tt := range tests {
		err := CheckLink(base, allowed, "getBackupArchive", tt.link)
		if (err == nil) != tt.ok {
			t.Errorf("CheckLink(%q) = %v, want ok=%v", tt.link, err, tt.ok)
			continue
		}
		var hr *HostRefusedError
		if !tt.ok && (!errors.As(err, &hr) || !strings.Contains(err.Error(), "getBackupArchive") || !strings.Contains(err.Error(), "host example.com") || strings.Contains(err.Error(), "token=")) {
			t.Errorf("CheckLink(%q) = %v: want a *HostRefusedError naming the host and getBackupArchive, no query", tt.link, err)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestBasePath checks RewriteBasePath and SpecURL on the same cases, as the suite uses them: a
// request built on the spec's /api URL goes out under the target's base path, and the URL it went
// to (or a link the target gave) maps back to the spec's URL, by which it is validated. Only the
// base URL's host serves the API under basePath: a download host keeps its paths, /api included
// (Prism at / with the mock's own links under /api).
func TestBasePath(t *testing.T) {
	tests := []struct {
		base, spec, sent string
	}{
		{"/", "http://h/api/databases/x?page=2", "http://h/databases/x?page=2"},
		{"/", "http://h/api/databases/x/backups/b/download?token=t", "http://h/databases/x/backups/b/download?token=t"},
		{"/v1", "http://h/api/databases/x", "http://h/v1/databases/x"},
		{"/api", "http://h/api/databases/x", "http://h/api/databases/x"},
		{"/api", "http://h/databases/x", "http://h/databases/x"},
		{"/v1", "http://h/other", "http://h/other"},
		{"/v1", "http://h/other/x", "http://h/other/x"},
		{"/", "http://H/api/databases/x", "http://H/databases/x"},
		{"/", "http://downloads:9000/api/databases/x/backups/b/download?token=t", "http://downloads:9000/api/databases/x/backups/b/download?token=t"},
		{"/", "http://downloads:9000/databases/x/backups/b/download", "http://downloads:9000/databases/x/backups/b/download"},
		{"/v1", "http://h:81/api/databases/x", "http://h:81/api/databases/x"},
	}
	for _, tt := range tests {
		t.Run(tt.base+" "+tt.spec, func(t *testing.T) {
			var got string
			rt := RewriteBasePath("http://h/api", tt.base, roundTripFunc(func(r *http.Request) (*http.Response, error) {
				got = r.URL.String()
				return nil, errors.New("stop")
			}))
			req, err := http.NewRequest(http.MethodGet, tt.spec, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = rt.RoundTrip(req)
			if got != tt.sent {
				t.Errorf("sent %q, want %q", got, tt.sent)
			}
			if req.URL.String() != tt.spec {
				t.Errorf("the caller's request was changed to %q", req.URL)
			}
			if back := SpecURL("http://h/api", tt.sent, tt.base); back != tt.spec {
				t.Errorf("SpecURL(%q, %q) = %q, want %q", tt.sent, tt.base, back, tt.spec)
			}
		})
	}
	// A link under /api that a target under /v1 gives (the mock's download links) is the spec's.
	if got := SpecURL("http://h/api", "http://h/api/databases/x", "/v1"); got != "http://h/api/databases/x" {
		t.Errorf("SpecURL(%q, %q) = %q, want it unchanged", "http://h/api/databases/x", "/v1", got)
	}
}

func TestRequestFailure(t *testing.T) {
	_, v := embedded(t)
	closed, silent := closedURL(), silentURL(t)
	hangUp := rawServer(t, func(*http.Request) string { return "" })
	const timeout = 100 * time.Millisecond
	download := "/api/databases/my-db-123/backups/b1/download?token=s3cret"
	tests := []struct {
		name, url, wantIn string
	}{
		{"refused", closed + download, "downloadBackup GET " + closed + "/api/databases/my-db-123/backups/b1/download: connection refused"},
		{"timeout", silent + download, "downloadBackup GET " + silent + "/api/databases/my-db-123/backups/b1/download: no answer after 100ms"},
		{"hang-up", hangUp + download, "downloadBackup GET " + hangUp + "/api/databases/my-db-123/backups/b1/download: the connection closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &http.Client{Timeout: timeout, Transport: &http.Transport{}}
			_, err := c.Get(tt.url)
			if err == nil {
				t.Fatal("no error")
			}
			checkUnreachable(t, RequestFailure(v, err, timeout), tt.wantIn)
		})
	}
	// Errors that say something else come out of the *url.Error, whose URL holds the query.
	for _, e := range []error{
		&conformance.ViolationError{}, &WriteRefusedError{Method: "POST"}, &HostRefusedError{Host: "h"},
	} {
		if got := RequestFailure(v, &url.Error{Op: "Get", URL: "http://h/x?token=s3cret", Err: e}, timeout); got != e { //nolint:errorlint // the very same error must come back, not a wrapper
			t.Errorf("RequestFailure(%T) = %v, want the error itself", e, got)
		}
	}
	for _, e := range []error{errors.New("invalid character 'x'"), &url.Error{Op: "parse", URL: "::", Err: errors.New("missing protocol scheme")}} {
		if got := RequestFailure(v, e, timeout); got != e { //nolint:errorlint // the very same error must come back
			t.Errorf("RequestFailure(%v) = %v, want it unchanged", e, got)
		}
	}
	if RequestFailure(v, nil, timeout) != nil {
		t.Error("RequestFailure(nil) != nil")
	}
}

func TestIdleTimeout(t *testing.T) {
	const d = 300 * time.Millisecond
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		flush := func() { w.(http.Flusher).Flush() }
		switch r.URL.Path {
		case "/silent":
			<-r.Context().Done()
		case "/steady": // five chunks, each half d apart: more than d in all
			for i := 0; i < 5; i++ {
				_, _ = w.Write([]byte("chunk"))
				flush()
				time.Sleep(d / 2)
			}
		case "/stall":
			_, _ = w.Write([]byte("first"))
			flush()
			<-r.Context().Done()
		}
	}))
	t.Cleanup(srv.Close)
	tests := []struct {
		path     string
		wantBody string
		wantErr  bool
	}{
		{"/silent", "", true},
		{"/steady", strings.Repeat("chunk", 5), false},
		{"/stall", "first", true},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			c := &http.Client{Transport: IdleTimeout(d, &http.Transport{})}
			start := time.Now()
			resp, err := c.Get(srv.URL + tt.path)
			var body []byte
			if err == nil {
				body, err = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want an error: %v", err, tt.wantErr)
			}
			if string(body) != tt.wantBody {
				t.Errorf("body %q, want %q", body, tt.wantBody)
			}
			if !tt.wantErr {
				return
			}
			var te *TimeoutError
			if !errors.As(err, &te) || te.After != d {
				t.Errorf("err = %v, want a *TimeoutError after %s", err, d)
			}
			if took := time.Since(start); took > 20*d {
				t.Errorf("took %s to time out after %s", took, d)
			}
			if msg := RequestFailure(nil, err, d).Error(); !strings.Contains(msg, "no answer after 300ms") {
				t.Errorf("RequestFailure says %q", msg)
			}
		})
	}
}
