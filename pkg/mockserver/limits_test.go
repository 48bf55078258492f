package mockserver

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// dial opens a raw connection to the mock behind base (a Start URL), so that a test can frame a
// request as it likes and send it at its own pace.
func dial(t *testing.T, base string) net.Conn {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// paddedUser is a valid createDatabaseUser body of exactly n bytes: JSON padded with spaces.
func paddedUser(n int) []byte {
	b := []byte(`{"database_user":{"name":"padded-user"}}`)
	return append(b, bytes.Repeat([]byte(" "), n-len(b))...)
}

// TestLimits_BodyCap sends bodies around MaxBodyBytes, framed by Content-Length or chunked, and
// checks that those over it get the spec's 413 before authentication and validation, and that a body
// of exactly the cap is served.
func TestLimits_BodyCap(t *testing.T) {
	tests := []struct {
		name    string
		length  string // the Content-Length header, "" for a chunked body
		body    []byte // sent after the header; a Content-Length larger than the body is never completed
		token   string
		status  int
		created bool
	}{
		{"content-length over the cap, no body sent", "104857600", nil, DefaultToken, http.StatusRequestEntityTooLarge, false},
		{"content-length of the cap plus one", fmt.Sprint(MaxBodyBytes + 1), paddedUser(MaxBodyBytes + 1), DefaultToken, http.StatusRequestEntityTooLarge, false},
		{"chunked, the cap plus one", "", paddedUser(MaxBodyBytes + 1), DefaultToken, http.StatusRequestEntityTooLarge, false},
		{"chunked, 8 MiB of JSON that is not valid", "", bytes.Repeat([]byte("{"), 8<<20), DefaultToken, http.StatusRequestEntityTooLarge, false},
		{"chunked, over the cap, no token", "", paddedUser(2 * MaxBodyBytes), "", http.StatusRequestEntityTooLarge, false},
		{"content-length of the cap exactly", fmt.Sprint(MaxBodyBytes), paddedUser(MaxBodyBytes), DefaultToken, http.StatusCreated, true},
		{"chunked, the cap exactly", "", paddedUser(MaxBodyBytes), DefaultToken, http.StatusCreated, true},
		{"chunked, empty", "", nil, DefaultToken, http.StatusBadRequest, false},
	}
	v := testValidator(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, c, _ := start(t)
			req, resp, body := sendRaw(t, c.base, http.MethodPost, "/databases/my-db-123/users", tc.token, tc.length, tc.body)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			created := false
			for _, u := range s.Users("my-db-123") {
				created = created || u.Name == "padded-user"
			}
			if created != tc.created {
				t.Errorf("user created: %v, want %v", created, tc.created)
			}
			if tc.status != http.StatusRequestEntityTooLarge {
				return
			}
			// The answer is the spec's, and ends the connection.
			if err := v.ValidateResponse(req, resp.StatusCode, resp.Header, body); err != nil {
				t.Errorf("the 413 breaks the spec: %v", err)
			}
			var e dbapi.Error
			if err := json.Unmarshal(body, &e); err != nil || e.Code == nil || *e.Code != "request_too_large" {
				t.Errorf("body %s", body)
			}
			if !resp.Close {
				t.Error("the connection is kept open after a 413")
			}
		})
	}
}

// sendRaw sends method path (under base, a Start URL) on a connection of its own, with token when
// it is not empty, and body framed by a Content-Length header of length, or chunked when length is
// "". The body is written on the side, as the server may stop reading it. sendRaw returns the
// request as http.ReadResponse needs it, the answer and the answer's body.
func sendRaw(t *testing.T, base, method, path, token, length string, body []byte) (*http.Request, *http.Response, []byte) {
	t.Helper()
	conn := dial(t, base)
	u, err := url.Parse(base + path)
	if err != nil {
		t.Fatal(err)
	}
	head := method + " " + u.Path + " HTTP/1.1\r\nHost: mock\r\nContent-Type: application/json\r\n"
	if token != "" {
		head += "Authorization: Bearer " + token + "\r\n"
	}
	if length != "" {
		head += "Content-Length: " + length + "\r\n"
	} else {
		head += "Transfer-Encoding: chunked\r\n"
	}
	go func() { // errors ignored: the server may stop reading
		_, _ = io.WriteString(conn, head+"\r\n")
		if length != "" {
			_, _ = conn.Write(body)
			return
		}
		cw := httputil.NewChunkedWriter(conn)
		for b := body; len(b) > 0; b = b[min(len(b), 64<<10):] {
			if _, err := cw.Write(b[:min(len(b), 64<<10)]); err != nil {
				return
			}
		}
		_ = cw.Close()
		_, _ = io.WriteString(conn, "\r\n")
	}()
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	req, _ := http.NewRequest(method, base+path, nil)
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatalf("%s %s: no answer: %v", method, path, err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return req, resp, got
}

// TestLimits_BodyIgnored sends bodies far over MaxBodyBytes to operations that take no body and to
// a path no operation serves: the body is not read, and the answer is the one the spec describes
// for the operation (or a 404), never a 413 the operation does not list.
func TestLimits_BodyIgnored(t *testing.T) {
	big := bytes.Repeat([]byte("{"), 2*MaxBodyBytes)
	tests := []struct {
		name, method, path, length string
		body                       []byte
		status                     int
	}{
		{"listDatabaseUsers, chunked", http.MethodGet, "/databases/my-db-123/users", "", big, http.StatusOK},
		{"listDatabaseUsers, content-length never sent", http.MethodGet, "/databases/my-db-123/users", "104857600", nil, http.StatusOK},
		{"getDatabase, content-length", http.MethodGet, "/databases/my-db-123", fmt.Sprint(len(big)), big, http.StatusOK},
		{"deleteDatabaseUser, chunked", http.MethodDelete, "/databases/my-db-123/users/reporting", "", big, http.StatusNoContent},
		{"no operation, chunked", http.MethodGet, "/nothing-here", "", big, http.StatusNotFound},
	}
	v := testValidator(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, c, _ := start(t)
			req, resp, body := sendRaw(t, c.base, tc.method, tc.path, DefaultToken, tc.length, tc.body)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if tc.status == http.StatusNotFound {
				return
			}
			if err := v.ValidateResponse(req, resp.StatusCode, resp.Header, body); err != nil {
				t.Errorf("the answer breaks the spec: %v", err)
			}
		})
	}
}

// TestLimits_BodyCapClient checks that a Go client sending a body far over the cap gets the 413,
// though the server stops reading it.
func TestLimits_BodyCapClient(t *testing.T) {
	_, c, _ := start(t)
	for _, length := range []int64{-1, 100 << 20} { // chunked, then with a Content-Length
		req, _ := http.NewRequest(http.MethodPost, c.base+"/databases/my-db-123/users", io.LimitReader(zeros{}, 100<<20))
		req.ContentLength = length
		req.Header.Set("Authorization", "Bearer "+DefaultToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.http.Do(req)
		if err != nil {
			t.Fatalf("length %d: %v", length, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("length %d: status %d, want 413", length, resp.StatusCode)
		}
	}
}

// zeros is an endless reader of '0' bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	return len(p), nil
}

// TestLimits_SlowBody checks that a body trickling in at 2 bytes a second is cut at the read timeout,
// with no answer and no effect, while the same body sent at once is served.
func TestLimits_SlowBody(t *testing.T) {
	body := `{"database_user":{"name":"slow-user"}}`
	head := fmt.Sprintf("POST /api/databases/my-db-123/users HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", DefaultToken, len(body))
	for _, slow := range []bool{true, false} {
		t.Run(fmt.Sprintf("slow=%v", slow), func(t *testing.T) {
			s, c, _ := start(t, WithTimeouts(Timeouts{Read: 300 * time.Millisecond}))
			conn := dial(t, c.base)
			_, _ = io.WriteString(conn, head)
			stop := make(chan struct{})
			defer close(stop)
			go func() {
				for i := range len(body) {
					if slow {
						select {
						case <-stop:
							return
						case <-time.After(500 * time.Millisecond): // 2 bytes a second
						}
					}
					if _, err := io.WriteString(conn, body[i:i+1]); err != nil {
						return
					}
				}
			}()
			begin := time.Now()
			_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			if !slow {
				resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
				if err != nil || resp.StatusCode != http.StatusCreated {
					t.Fatalf("answer %v, %v: want 201", resp, err)
				}
				return
			}
			got, err := io.ReadAll(conn)
			{
				// Cut: the connection ends with nothing read, long before the body could be complete
				// (about 19 s) or the test's deadline.
				var ne net.Error
				if len(got) != 0 || (errors.As(err, &ne) && ne.Timeout()) {
					t.Fatalf("read %q, %v: want the connection closed with no answer", got, err)
				}
				if d := time.Since(begin); d > 5*time.Second {
					t.Errorf("cut after %v with a 300ms read timeout", d)
				}
				if len(s.Users("my-db-123")) != 3 {
					t.Error("the cut request created its user")
				}
			}
		})
	}
}

// TestLimits_Idle checks that an idle keep-alive connection is closed after the idle timeout, and
// kept open before it.
func TestLimits_Idle(t *testing.T) {
	for _, tc := range []struct {
		idle   time.Duration
		wait   time.Duration // how long the test waits for the close
		closed bool
	}{
		{200 * time.Millisecond, 5 * time.Second, true},
		{time.Minute, 700 * time.Millisecond, false},
	} {
		t.Run(tc.idle.String(), func(t *testing.T) {
			_, c, _ := start(t, WithTimeouts(Timeouts{Idle: tc.idle}))
			conn := dial(t, c.base)
			_, _ = io.WriteString(conn, "GET /api/databases/my-db-123 HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer "+DefaultToken+"\r\n\r\n")
			br := bufio.NewReader(conn)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || resp.Close {
				t.Fatalf("status %d, close %v: want 200 on a kept-alive connection", resp.StatusCode, resp.Close)
			}
			_ = conn.SetReadDeadline(time.Now().Add(tc.wait))
			_, err = br.ReadByte()
			var ne net.Error
			timedOut := errors.As(err, &ne) && ne.Timeout()
			if tc.closed && (timedOut || !errors.Is(err, io.EOF)) {
				t.Errorf("after %v idle: %v, want the server to close the connection (EOF)", tc.wait, err)
			}
			if !tc.closed && !timedOut {
				t.Errorf("closed before the idle timeout: %v", err)
			}
		})
	}
}

// TestLimits_WriteDeadline checks that the write deadline bounds each write, not the answer: a
// bandwidth-capped download lasting several times the deadline completes, while a client that stops
// reading for longer than it loses the connection.
func TestLimits_WriteDeadline(t *testing.T) {
	t.Run("long capped download", func(t *testing.T) {
		const id, size = DemoBackupID, 1234567
		_, c, _ := start(t, WithBandwidthLimit(2<<20), WithTimeouts(Timeouts{Write: 100 * time.Millisecond}))
		u := archiveURL(t, c, "my-db-123", id)
		begin := time.Now()
		r := c.do(http.MethodGet, u, nil)
		d := time.Since(begin)
		want, _ := io.ReadAll(ArchiveContent(id, size))
		if r.status != http.StatusOK || !bytes.Equal(r.body, want) {
			t.Fatalf("status %d, %d of %d bytes", r.status, len(r.body), size)
		}
		if d < 400*time.Millisecond { // 1.2 MB at 2 MiB/s: about 0.6 s, 6 times the deadline
			t.Errorf("the download took %v: the bandwidth cap did not hold it over the deadline", d)
		}
	})
	t.Run("client stops reading", func(t *testing.T) {
		s, c, _ := start(t, WithTimeouts(Timeouts{Write: 200 * time.Millisecond}))
		u, _ := url.Parse(s.downloadURLForTest(c.base, "my-db-123", DemoLargeBackupID)) // 64 MiB
		conn := dial(t, c.base)
		_, _ = io.WriteString(conn, "GET "+u.RequestURI()+" HTTP/1.1\r\nHost: mock\r\n\r\n")
		time.Sleep(1500 * time.Millisecond) // the socket buffers fill, a write blocks past its deadline
		_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != http.StatusOK || err == nil || n >= 64<<20 {
			t.Errorf("status %d, read %d of %d bytes, %v: want the answer cut", resp.StatusCode, n, 64<<20, err)
		}
	})
}

func TestWithTimeouts(t *testing.T) {
	tests := []struct {
		name string
		in   Timeouts
		want Timeouts
		err  bool
	}{
		{"defaults", Timeouts{}, Timeouts{ReadHeader: 10 * time.Second, Read: 30 * time.Second, Write: 30 * time.Second, Idle: 60 * time.Second}, false},
		{"some set", Timeouts{Read: time.Second, Idle: time.Hour}, Timeouts{ReadHeader: 10 * time.Second, Read: time.Second, Write: 30 * time.Second, Idle: time.Hour}, false},
		{"negative", Timeouts{Write: -time.Second}, Timeouts{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(WithValidator(testValidator(t)), WithTimeouts(tc.in))
			if tc.err {
				if err == nil {
					t.Fatal("New succeeded")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, s.cfg.timeouts); diff != "" {
				t.Errorf("timeouts (-want +got):\n%s", diff)
			}
			hs := s.HTTPServer()
			if hs.ReadHeaderTimeout != tc.want.ReadHeader || hs.IdleTimeout != tc.want.Idle || hs.ReadTimeout != 0 || hs.WriteTimeout != 0 || hs.Handler == nil {
				t.Errorf("HTTPServer: %+v", hs)
			}
		})
	}
}

// TestLimits_CutBody sends a create whose body the client cuts (it half-closes the connection) before
// the body is whole, framed by Content-Length or chunked, and checks that the mock answers nothing and
// creates nothing: the part that came is never taken for the whole body, even when it is valid JSON.
func TestLimits_CutBody(t *testing.T) {
	body := `{"database_user":{"name":"cut-user"}}`
	head := "POST /api/databases/my-db-123/users HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer " + DefaultToken + "\r\nContent-Type: application/json\r\n"
	tests := []struct {
		name, request string
	}{
		{"content-length, valid JSON came", head + fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body)+10) + body},
		{"chunked, valid JSON came, no last chunk", head + "Transfer-Encoding: chunked\r\n\r\n" + fmt.Sprintf("%x\r\n%s\r\n", len(body), body)},
		{"chunked, cut inside a chunk", head + "Transfer-Encoding: chunked\r\n\r\n" + fmt.Sprintf("%x\r\n%s", len(body)+10, body)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c, _ := start(t)
			before := len(s.Users("my-db-123"))
			conn := dial(t, c.base)
			if _, err := io.WriteString(conn, tt.request); err != nil {
				t.Fatal(err)
			}
			_ = conn.(*net.TCPConn).CloseWrite()
			_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			got, _ := io.ReadAll(conn)
			if len(got) != 0 {
				t.Errorf("answer %q to a cut body, want none", got)
			}
			if n := len(s.Users("my-db-123")); n != before {
				t.Errorf("%d users after a cut create, %d before: the part that came was served as the whole body", n, before)
			}
		})
	}
}
