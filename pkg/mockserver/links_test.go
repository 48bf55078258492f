package mockserver

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// rawExchange sends request, as is, on a new connection to the mock behind base (a Start URL) and
// reads the answer: a test can send a Host header or a request target that http.Client never would.
func rawExchange(t *testing.T, base, request string) (*http.Response, []byte) {
	t.Helper()
	conn := dial(t, base)
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatalf("send: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read the answer: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read the body: %v", err)
	}
	return resp, body
}

// linkRequests are the two operations whose answers carry an absolute link to the mock, as raw
// requests with the Host header line (or an empty string for none) and the protocol left to fill.
func linkRequests(target func(path string) string, hostLine, proto string) (archive, upgrade string) {
	auth := "Authorization: Bearer " + DefaultToken + "\r\nConnection: close\r\n"
	archive = "GET " + target("/api/databases/my-db-123/backups/"+DemoBackupID+"/archive") + " " + proto + "\r\n" + hostLine + auth + "\r\n"
	upgrade = "POST " + target("/api/databases/my-db-123/upgrade") + " " + proto + "\r\n" + hostLine + auth + "Content-Length: 0\r\n\r\n"
	return archive, upgrade
}

// TestLinks_Host checks that download_url (getBackupArchive) and the Location of an upgrade are built
// from the request's Host only when it names a usable host (a name or an IP literal, and a port in
// 1..65535): with any other, both are refused with the spec's 400 and its Error body, and the upgrade
// starts nothing.
// Responses that break the spec fail the test (Start), so each answer is also checked against the
// spec.
func TestLinks_Host(t *testing.T) {
	origin := func(p string) string { return p }
	tests := []struct {
		name   string
		target func(path string) string // the request target built from the path
		host   string                   // the Host header line, "" for none
		proto  string
		want   string // the scheme://host the links start with; "" when the Host is refused
	}{
		{"name and port", origin, "Host: mock.example:8080\r\n", "HTTP/1.1", "http://mock.example:8080"},
		{"name without port", origin, "Host: mock\r\n", "HTTP/1.1", "http://mock"},
		{"fully qualified name", origin, "Host: mock.example.\r\n", "HTTP/1.1", "http://mock.example."},
		{"name with an underscore (a compose service)", origin, "Host: db_mock:80\r\n", "HTTP/1.1", "http://db_mock:80"},
		{"IPv4 and the lowest port", origin, "Host: 127.0.0.1:1\r\n", "HTTP/1.1", "http://127.0.0.1:1"},
		{"IPv6 and the highest port", origin, "Host: [::1]:65535\r\n", "HTTP/1.1", "http://[::1]:65535"},
		{"IPv6 without port", origin, "Host: [2001:db8::1]\r\n", "HTTP/1.1", "http://[2001:db8::1]"},
		{"absolute-form target with userinfo: the link has none", func(p string) string { return "http://user:pw@mock:8080" + p }, "Host: other\r\n", "HTTP/1.1", "http://mock:8080"},

		{"port out of range", origin, "Host: x:99999\r\n", "HTTP/1.1", ""},
		{"port 65536", origin, "Host: x:65536\r\n", "HTTP/1.1", ""},
		{"port zero", origin, "Host: x:0\r\n", "HTTP/1.1", ""},
		{"non-numeric port", origin, "Host: x:80a\r\n", "HTTP/1.1", ""},
		{"negative port", origin, "Host: x:-1\r\n", "HTTP/1.1", ""},
		{"empty port", origin, "Host: x:\r\n", "HTTP/1.1", ""},
		{"empty Host", origin, "Host: \r\n", "HTTP/1.1", ""},
		{"no Host (HTTP/1.0)", origin, "", "HTTP/1.0", ""},
		{"only a port", origin, "Host: :8080\r\n", "HTTP/1.1", ""},
		{"sub-delims in the name", origin, "Host: a!b$c\r\n", "HTTP/1.1", ""},
		{"parameters in the name", origin, "Host: a;b=c\r\n", "HTTP/1.1", ""},
		{"percent-encoded name", origin, "Host: m%6Fck\r\n", "HTTP/1.1", ""},
		{"empty label", origin, "Host: a..b\r\n", "HTTP/1.1", ""},
		{"label of 64 characters", origin, "Host: " + strings.Repeat("a", 64) + ".example\r\n", "HTTP/1.1", ""},
		{"numeric name that is no IPv4 address", origin, "Host: 999.1.1.1\r\n", "HTTP/1.1", ""},
		{"IPv6 without brackets", origin, "Host: ::1\r\n", "HTTP/1.1", ""},
		{"unclosed bracket", origin, "Host: [::1\r\n", "HTTP/1.1", ""},
		{"no IP between the brackets", origin, "Host: [mock]:80\r\n", "HTTP/1.1", ""},
		{"IPv6 zone", origin, "Host: [fe80::1%25eth0]:80\r\n", "HTTP/1.1", ""},
		{"junk after the brackets", origin, "Host: [::1]x\r\n", "HTTP/1.1", ""},
		{"absolute-form target with a non-ASCII host", func(p string) string { return "http://%C3%A9" + p }, "Host: mock\r\n", "HTTP/1.1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c, _ := start(t)
			opsBefore := s.operationCount()
			archiveReq, upgradeReq := linkRequests(tt.target, tt.host, tt.proto)

			resp, body := rawExchange(t, c.base, archiveReq)
			if tt.want != "" {
				var got dbapi.BackupArchive
				if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &got) != nil {
					t.Fatalf("archive link: %s %s, want 200", resp.Status, body)
				}
				wantURL := tt.want + "/api/databases/my-db-123/backups/" + DemoBackupID + "/download?token="
				if !strings.HasPrefix(got.DownloadURL, wantURL) {
					t.Errorf("download_url %q, want it to start with %q", got.DownloadURL, wantURL)
				}
				usableLink(t, got.DownloadURL)
			} else {
				wantError(t, "archive link", resp, body, http.StatusBadRequest)
			}

			resp, body = rawExchange(t, c.base, upgradeReq)
			if tt.want != "" {
				loc := resp.Header.Get("Location")
				if resp.StatusCode != http.StatusAccepted || !strings.HasPrefix(loc, tt.want+"/api/databases/my-db-123/operations/") {
					t.Fatalf("upgrade: %s, Location %q, want 202 and a Location on %s", resp.Status, loc, tt.want)
				}
				usableLink(t, loc)
				return
			}
			wantError(t, "upgrade", resp, body, http.StatusBadRequest)
			if n := s.operationCount(); n != opsBefore {
				t.Errorf("a refused upgrade started an operation: %d operations, %d before", n, opsBefore)
			}
		})
	}
}

// wantError checks that an answer has the status and the spec's JSON Error body, with a message.
func wantError(t *testing.T, what string, resp *http.Response, body []byte, status int) {
	t.Helper()
	var e dbapi.Error
	if resp.StatusCode != status || resp.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &e) != nil || e.Error == "" {
		t.Errorf("%s: %s (%s) %s, want %d with the spec's Error body", what, resp.Status, resp.Header.Get("Content-Type"), body, status)
	}
}

// usableLink checks that a link is an absolute http(s) URL whose port, if any, can be dialled.
func usableLink(t *testing.T, link string) {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil {
		t.Errorf("link %q is not an absolute http(s) URL without userinfo: %v", link, err)
		return
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.ParseUint(p, 10, 16); err != nil || n == 0 {
			t.Errorf("link %q has port %q", link, p)
		}
	}
}

// operationCount is the number of asynchronous operations the store holds.
func (s *Server) operationCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.store.extra.ops)
}

// TestWithPublicURL checks which base URLs WithPublicURL takes, what the links then start with, and
// that New names the problem of any other with a *PublicURLError that repeats no credentials.
func TestWithPublicURL(t *testing.T) {
	tests := []struct {
		base   string
		want   string // what links start with; "" when New must fail
		reason string // a part of the PublicURLError's Reason
	}{
		{"https://proxy.example/api", "https://proxy.example/api", ""},
		{"https://proxy.example/api/", "https://proxy.example/api", ""},
		{"http://127.0.0.1:4010", "http://127.0.0.1:4010", ""},
		{"http://127.0.0.1:4010/", "http://127.0.0.1:4010", ""},
		{"HTTPS://Proxy.Example:8443/mock/api", "https://Proxy.Example:8443/mock/api", ""},
		{"https://[::1]:8443/api", "https://[::1]:8443/api", ""},
		{"https://proxy.example/a b/api", "https://proxy.example/a%20b/api", ""},

		{"", "", "empty"},
		{"proxy.example/api", "", "scheme"},
		{"/api", "", "scheme"},
		{"ftp://proxy.example/api", "", "scheme"},
		{"https:proxy.example", "", "no host"},
		{"https:///api", "", "no host"},
		{"https://proxy.example:99999/api", "", "outside 1..65535"},
		{"https://proxy.example:0", "", "outside 1..65535"},
		{"https://proxy.example:https", "", "port"},
		{"https://a!b/api", "", "not allowed in a host name"},
		{"https://user:s3cret@proxy.example/api", "", "userinfo"},
		{"https://user:s3cret@proxy.example:nope/api", "", "port"},
		{"https://proxy.example/api?x=1", "", "query"},
		{"https://proxy.example/api?", "", "query"},
		{"https://proxy.example/api#top", "", "fragment"},
		{"https://proxy.example/api#", "", "fragment"},
		{"https://proxy.example/\x7f", "", "control"},
	}
	for _, tt := range tests {
		t.Run(tt.base, func(t *testing.T) {
			s, err := New(WithPublicURL(tt.base), WithValidator(testValidator(t)))
			if tt.want == "" {
				var pe *PublicURLError
				if !errors.As(err, &pe) || !strings.Contains(pe.Reason, tt.reason) {
					t.Fatalf("New: %v, want a *PublicURLError saying %q", err, tt.reason)
				}
				if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "user:") {
					t.Errorf("the error repeats the userinfo: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if s.cfg.publicURL != tt.want {
				t.Errorf("links start with %q, want %q", s.cfg.publicURL, tt.want)
			}
		})
	}
}

// TestLinks_PublicURL serves the mock behind a reverse proxy that adds a path prefix, as a TLS
// terminator or Prism would, and checks that with WithPublicURL the links point at the proxy whatever
// the Host the mock sees (even one it would refuse), and that following download_url goes through the
// proxy and gets the archive.
func TestLinks_PublicURL(t *testing.T) {
	var (
		upstream *url.URL
		seen     []string // the paths the proxy forwarded
		mu       sync.Mutex
	)
	proxy := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		mu.Lock()
		seen = append(seen, r.In.URL.Path)
		mu.Unlock()
		r.SetURL(upstream)
		r.Out.URL.Path = strings.TrimPrefix(r.In.URL.Path, "/mock")
		r.Out.URL.RawPath = ""
		r.Out.Host = "x:99999" // a Host the mock could make no link of
	}})
	t.Cleanup(proxy.Close)

	_, c, _ := start(t, WithPublicURL(proxy.URL+"/mock/api/"))
	u, err := url.Parse(strings.TrimSuffix(c.base, "/api"))
	if err != nil {
		t.Fatal(err)
	}
	upstream = u
	c.base = proxy.URL + "/mock/api" // the client knows only the proxy

	link := archiveURL(t, c, "my-db-123", DemoBackupID)
	anon := *c
	anon.token = ""
	got := anon.do(http.MethodGet, link, nil)
	if got.status != http.StatusOK || len(got.body) == 0 {
		t.Fatalf("download through the proxy: status %d, %d bytes", got.status, len(got.body))
	}
	r := c.do(http.MethodPost, "/databases/my-db-123/upgrade", nil)
	if loc := r.header.Get("Location"); r.status != http.StatusAccepted || !strings.HasPrefix(loc, proxy.URL+"/mock/api/databases/my-db-123/operations/") {
		t.Fatalf("upgrade: %d, Location %q, want 202 and a Location on the proxy", r.status, loc)
	}
	op := expect(t, c.do(http.MethodGet, strings.TrimPrefix(r.header.Get("Location"), c.base), nil), http.StatusOK)
	if at(op, "operation.type") != "upgrade" {
		t.Errorf("the Location serves %v, want the upgrade", op)
	}
	mu.Lock()
	defer mu.Unlock()
	download := "/mock/api/databases/my-db-123/backups/" + DemoBackupID + "/download"
	if !slices.Contains(seen, download) {
		t.Errorf("the proxy forwarded %q, not the download %s", seen, download)
	}
}
