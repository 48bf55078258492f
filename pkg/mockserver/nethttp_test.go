package mockserver

import (
	"io"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServer_NetHTTPAnswers sends, on raw connections, the malformed requests that net/http answers
// itself, before any handler of the mock runs, and checks each answer byte for byte (but the Date
// header): the table of them in docs/mock.md is this test's. None gets the spec's JSON Error body or an
// X-Request-Id, and the mock's request counter does not move; a well-formed request of a protocol
// net/http takes (HTTP/1.9, served as HTTP/1.1) does reach the mock.
func TestServer_NetHTTPAnswers(t *testing.T) {
	plain := func(status, body string) string {
		return "HTTP/1.1 " + status + "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n" + body
	}
	// echo is plain with its status line as the body, as net/http answers most malformed requests.
	echo := func(status string) string { return plain(status, status) }
	const get = "GET /api/databases/my-db-123 "
	const post = "POST /api/databases/my-db-123/users HTTP/1.1\r\nHost: mock\r\n"
	tests := []struct {
		name, request, want string
	}{
		{"header over 1 MiB (http.DefaultMaxHeaderBytes)",
			get + "HTTP/1.1\r\nHost: mock\r\nX-Pad: " + strings.Repeat("a", 1<<20+8<<10) + "\r\n\r\n", echo("431 Request Header Fields Too Large")},
		{"HTTP/2.0 request line", get + "HTTP/2.0\r\nHost: mock\r\n\r\n", echo("505 HTTP Version Not Supported: unsupported protocol version")},
		{"HTTP/0.9 request line", get + "HTTP/0.9\r\nHost: mock\r\n\r\n", echo("505 HTTP Version Not Supported: unsupported protocol version")},
		{"Transfer-Encoding: gzip", post + "Transfer-Encoding: gzip\r\n\r\n",
			plain("501 Not Implemented", "Unsupported transfer encoding")},
		{"Transfer-Encoding: gzip, chunked", post + "Transfer-Encoding: gzip, chunked\r\n\r\n",
			plain("501 Not Implemented", "Unsupported transfer encoding")},
		{"Expect other than 100-continue", get + "HTTP/1.1\r\nHost: mock\r\nExpect: 200-ok\r\n\r\n",
			"HTTP/1.1 417 Expectation Failed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"},
		{"request line that is no request line", "GARBAGE\r\n\r\n", echo("400 Bad Request")},
		{"request line without protocol", get + "\r\n\r\n", echo("400 Bad Request")},
		{"Host with a space", get + "HTTP/1.1\r\nHost: a b\r\n\r\n", echo("400 Bad Request: malformed Host header")},
		{"Host with userinfo", get + "HTTP/1.1\r\nHost: user@mock\r\n\r\n", echo("400 Bad Request: malformed Host header")},
		{"HTTP/1.1 without Host", get + "HTTP/1.1\r\n\r\n", echo("400 Bad Request: missing required Host header")},
		{"two Host headers", get + "HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", echo("400 Bad Request")},
		{"header name with a space", get + "HTTP/1.1\r\nHost: mock\r\nBad Header: x\r\n\r\n", echo("400 Bad Request: invalid header name")},
		{"control character in a header value", get + "HTTP/1.1\r\nHost: mock\r\nX-A: a\x01b\r\n\r\n", echo("400 Bad Request")},
		{"Content-Length that is no number", post + "Content-Length: abc\r\n\r\n", echo("400 Bad Request")},
	}
	s, c, _ := start(t)
	date := regexp.MustCompile(`\r\nDate: [^\r]*`)
	exchange := func(t *testing.T, request string) string {
		t.Helper()
		conn := dial(t, c.base)
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		// Written aside: net/http answers a header over the limit, and closes, before reading it all.
		go func() { _, _ = io.WriteString(conn, request) }()
		got, err := io.ReadAll(conn) // every answer closes the connection
		if err != nil {
			t.Fatalf("read the answer: %v (so far %q)", err, got)
		}
		return date.ReplaceAllString(string(got), "")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := s.reqSeq.Load()
			if got := exchange(t, tt.request); got != tt.want {
				t.Errorf("answer\n%q\nwant\n%q", got, tt.want)
			}
			if n := s.reqSeq.Load(); n != before {
				t.Errorf("the mock's handler ran (%d requests, %d before)", n, before)
			}
		})
	}
	t.Run("control: HTTP/1.9 reaches the mock", func(t *testing.T) {
		before := s.reqSeq.Load()
		got := exchange(t, get+"HTTP/1.9\r\nHost: mock\r\nConnection: close\r\n\r\n")
		if !strings.HasPrefix(got, "HTTP/1.1 401 Unauthorized\r\n") || !strings.Contains(got, "X-Request-Id: mock-") || s.reqSeq.Load() != before+1 {
			t.Errorf("answer %q: want the mock's own 401", got)
		}
	})
}
