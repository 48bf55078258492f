package conformance_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// Two answers of listDatabaseUsers: the whole one lists two users; its cut form, one. Both are
// valid JSON that keeps the spec, so that only the framing tells that the cut one is cut.
const (
	oneUser  = `{"database-users":[{"name":"my-db-123","read_only":false,"protected":true}]}`
	twoUsers = `{"database-users":[{"name":"my-db-123","read_only":false,"protected":true},{"name":"other-user","read_only":true,"protected":false}]}`
)

// cutCase is one way an answer or a request can be cut: after some bytes of an announced
// Content-Length, or before the last chunk of a chunked body.
type cutCase struct {
	name    string
	chunked bool
	sent    string // the bytes that come before the connection breaks
	whole   string // the whole body; its length is the Content-Length announced
	// complete makes it no cut: the chunked body ends with its last chunk (a Content-Length
	// body is whole when sent is whole).
	complete bool
}

// cutCasesOf are the cuts every place is tested with, of a body whose whole form is whole: the
// bytes that came are valid JSON that keeps the spec (short: the dangerous case, where only the
// framing tells), or not JSON, or nothing.
func cutCasesOf(short, whole string) []cutCase {
	return []cutCase{
		{name: "Content-Length cut, the bytes that came are valid JSON", sent: short, whole: whole},
		{name: "Content-Length cut, the bytes that came are not JSON", sent: whole[:len(whole)*3/4], whole: whole},
		{name: "Content-Length cut before any byte", sent: "", whole: whole},
		{name: "chunked cut before its last chunk, the bytes that came are valid JSON", chunked: true, sent: short},
		{name: "chunked cut before its last chunk, the bytes that came are not JSON", chunked: true, sent: whole[:len(whole)*3/4]},
	}
}

var cutCases = cutCasesOf(oneUser, twoUsers)

// framing is the end of the header of a raw HTTP/1.1 message of the case: its framing header and the body
// bytes that come before the cut.
func (c cutCase) framing() string {
	if c.chunked {
		if c.sent == "" {
			return "Transfer-Encoding: chunked\r\n\r\n"
		}
		end := ""
		if c.complete {
			end = "0\r\n\r\n"
		}
		return fmt.Sprintf("Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n%s", len(c.sent), c.sent, end)
	}
	return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(c.whole), c.sent)
}

// cutAPI serves GET /api/databases/{id}/users on 127.0.0.1 with c's cut answer: the
// connection closes where the body is cut.
func cutAPI(t *testing.T, c cutCase) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n" + c.framing())
		_ = buf.Flush()
	}))
	t.Cleanup(srv.Close)
	return srv
}

// A cut answer fails the round trip with a transport error that wraps io.ErrUnexpectedEOF (as
// net/http's own body reader does), not a *ViolationError, even with ReportOnly: never is a cut
// body, valid JSON or not, given to the caller as a whole one. Before the fix, a cut that was
// valid JSON passed as the whole answer and one that was not was a violation.
func TestValidator_Transport_CutAnswer(t *testing.T) {
	v := newValidator(t)
	for _, tc := range cutCases {
		for _, reportOnly := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, report only %v", tc.name, reportOnly), func(t *testing.T) {
				srv := cutAPI(t, tc)
				var reported atomic.Int32
				opts := []conformance.TransportOption{conformance.OnTransportViolation(func(*conformance.ViolationError) { reported.Add(1) })}
				if reportOnly {
					opts = append(opts, conformance.ReportOnly())
				}
				client := &http.Client{Transport: v.Transport(&http.Transport{}, opts...)}
				resp, err := client.Get(srv.URL + "/api/databases/my-db-123/users")
				if err == nil {
					body, _ := io.ReadAll(resp.Body)
					_ = resp.Body.Close()
					t.Fatalf("a cut answer passed as whole: %d bytes %q", len(body), body)
				}
				checkCutError(t, err, "response", "listDatabaseUsers", tc)
				if n := reported.Load(); n != 0 {
					t.Errorf("%d violations reported for a cut answer, want none", n)
				}
			})
		}
	}
}

// checkCutError asserts that err is the *conformance.TruncatedBodyError of tc's cut, found by
// errors.As and errors.Is(io.ErrUnexpectedEOF), and no *ViolationError.
func checkCutError(t *testing.T, err error, in, op string, tc cutCase) {
	t.Helper()
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("err = %v, want one that wraps io.ErrUnexpectedEOF", err)
	}
	if ve := (*conformance.ViolationError)(nil); errors.As(err, &ve) {
		t.Fatalf("err = %v, a *ViolationError: a cut body is no contract violation", err)
	}
	var te *conformance.TruncatedBodyError
	if !errors.As(err, &te) {
		t.Fatalf("err = %T %v, want a *conformance.TruncatedBodyError", err, err)
	}
	if !errors.Is(err, conformance.ErrTruncatedBody) {
		t.Errorf("errors.Is(err, ErrTruncatedBody) is false")
	}
	want := int64(len(tc.whole))
	if tc.chunked {
		want = -1
	}
	if te.In != in || te.OperationID != op || te.Read != int64(len(tc.sent)) || te.Announced != want {
		t.Errorf("got %+v, want In %q, OperationID %q, Read %d, Announced %d", te, in, op, len(tc.sent), want)
	}
	if !strings.Contains(err.Error(), op) || !strings.Contains(err.Error(), "cut") {
		t.Errorf("message %q does not name the operation and the cut", err)
	}
}

// The bytes that came are valid JSON: the case is dangerous only if they keep the spec.
func TestCutCases_prefixesKeepTheSpec(t *testing.T) {
	v := newValidator(t)
	req := httptest.NewRequest("GET", "/api/databases/my-db-123/users", nil)
	for _, body := range []string{oneUser, twoUsers} {
		if !json.Valid([]byte(body)) {
			t.Fatalf("%s is not JSON", body)
		}
		h := http.Header{"Content-Type": {"application/json"}}
		if err := v.ValidateResponse(req, 200, h, []byte(body)); err != nil {
			t.Errorf("%s breaks the spec: %v", body, err)
		}
	}
}

// rawRequest sends a request to addr whose body is cut as tc says, the write side closed where
// the body is cut, and returns the answer.
func rawRequest(t *testing.T, addr, method, path string, tc cutCase) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	msg := method + " " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\n" + tc.framing()
	if _, err := io.WriteString(conn, msg); err != nil {
		t.Fatal(err)
	}
	_ = conn.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a cut request: %v", err)
	}
	return resp
}

// Two bodies of createDatabaseUser, both valid: the whole one, and the shorter one that comes
// when it is cut where the bytes happen to be JSON.
const (
	shortUserReq = `{"database_user":{"name":"my-user"}}`
	wholeUserReq = `{"database_user":{"name":"my-user","read_only":true,"protected":false}}`
)

var requestCuts = cutCasesOf(shortUserReq, wholeUserReq)

const usersPath = "/api/databases/my-db-123/users"

// readRequest parses a request to path whose body is cut as tc says, as a server reads it from
// the wire: its body is net/http's own reader, which fails where the body is cut.
func readRequest(t *testing.T, method, path string, tc cutCase) *http.Request {
	t.Helper()
	msg := method + " " + path + " HTTP/1.1\r\nHost: api.test\r\nContent-Type: application/json\r\n" + tc.framing()
	req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(msg)))
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestCutRequestCases_bodiesKeepTheSpec(t *testing.T) {
	v := newValidator(t)
	for _, body := range []string{shortUserReq, wholeUserReq} {
		req := httptest.NewRequest("POST", usersPath, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if _, err := v.ValidateRequest(req); err != nil {
			t.Errorf("%s breaks the spec: %v", body, err)
		}
	}
}

// ValidateRequest fails a cut body with a *TruncatedBodyError, not a violation, and leaves a
// body whose reads fail: never the bytes that came as a whole body. A whole body passes. Before
// the fix, a cut that was valid JSON passed and one that was not was a violation.
func TestValidator_ValidateRequest_CutBody(t *testing.T) {
	v := newValidator(t)
	for _, tc := range requestCuts {
		t.Run(tc.name, func(t *testing.T) {
			req := readRequest(t, "POST", usersPath, tc)
			route, err := v.ValidateRequest(req)
			if err == nil {
				t.Fatal("a cut request body passed")
			}
			checkCutError(t, err, "request", "createDatabaseUser", tc)
			if route == nil || route.Operation.ID != "createDatabaseUser" {
				t.Errorf("route = %+v, want createDatabaseUser", route)
			}
			if data, rerr := io.ReadAll(req.Body); rerr == nil {
				t.Errorf("the body read again gives %q and no error", data)
			}
		})
	}
	for _, whole := range wholeCases(wholeUserReq) {
		req := readRequest(t, "POST", usersPath, whole)
		if _, err := v.ValidateRequest(req); err != nil {
			t.Errorf("%s: %v", whole.name, err)
		}
		if data, _ := io.ReadAll(req.Body); string(data) != wholeUserReq {
			t.Errorf("%s: restored as %q", whole.name, data)
		}
	}
}

// wholeCases are the uncut forms of body: with its Content-Length, and chunked to its last
// chunk.
func wholeCases(body string) []cutCase {
	return []cutCase{
		{name: "whole, Content-Length", sent: body, whole: body},
		{name: "whole, chunked", chunked: true, sent: body, complete: true},
	}
}

// The middleware answers a cut request 400 with the spec's error body, naming the cut, and the
// handler never runs: neither in process nor behind a real server whose client closes its side
// where the body is cut. Before the fix, a cut that was valid JSON reached the handler.
func TestValidator_Middleware_CutRequest(t *testing.T) {
	v := newValidator(t)
	var calls atomic.Int32
	h := v.Middleware(handlerFor(201, "application/json", newUser, &calls))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	for _, tc := range requestCuts {
		for _, overTCP := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, over TCP %v", tc.name, overTCP), func(t *testing.T) {
				calls.Store(0)
				var resp *http.Response
				if overTCP {
					resp = rawRequest(t, srv.Listener.Addr().String(), "POST", usersPath, tc)
				} else {
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, readRequest(t, "POST", usersPath, tc))
					resp = rec.Result()
				}
				body, err := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				if err != nil {
					t.Fatal(err)
				}
				if n := calls.Load(); n != 0 {
					t.Fatalf("the handler ran %d times for a cut request (answer %d %s)", n, resp.StatusCode, body)
				}
				if resp.StatusCode != http.StatusBadRequest {
					t.Fatalf("status %d %s, want 400", resp.StatusCode, body)
				}
				var got struct{ Error string }
				if err := json.Unmarshal(body, &got); err != nil || !strings.Contains(got.Error, "cut") {
					t.Errorf("body %s, want {\"error\": ...} naming the cut", body)
				}
				req := httptest.NewRequest("POST", usersPath, nil)
				if err := v.ValidateResponse(req, resp.StatusCode, resp.Header, body); err != nil {
					t.Errorf("the answer breaks the spec: %v", err)
				}
			})
		}
	}
	for _, whole := range wholeCases(wholeUserReq) {
		t.Run(whole.name+" reaches the handler", func(t *testing.T) {
			calls.Store(0)
			resp := rawRequest(t, srv.Listener.Addr().String(), "POST", usersPath, whole)
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusCreated || calls.Load() != 1 {
				t.Errorf("status %d, handler ran %d times; want 201 and once", resp.StatusCode, calls.Load())
			}
		})
	}
}

// ValidateResponse fails a body shorter than its Content-Length with a *TruncatedBodyError,
// not a violation; a whole body passes, and a 204 announcing a body stays a violation.
func TestValidator_ValidateResponse_CutBody(t *testing.T) {
	v := newValidator(t)
	req := httptest.NewRequest("GET", usersPath, nil)
	for _, tc := range cutCases {
		if tc.chunked {
			continue // a byte slice keeps no chunked framing: only the transport sees that cut
		}
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{"Content-Type": {"application/json"}, "Content-Length": {fmt.Sprint(len(tc.whole))}}
			err := v.ValidateResponse(req, 200, h, []byte(tc.sent))
			checkCutError(t, err, "response", "listDatabaseUsers", tc)
		})
	}
	h := http.Header{"Content-Type": {"application/json"}, "Content-Length": {fmt.Sprint(len(twoUsers))}}
	if err := v.ValidateResponse(req, 200, h, []byte(twoUsers)); err != nil {
		t.Errorf("whole body: %v", err)
	}
	del := httptest.NewRequest("DELETE", "/api/databases/my-db-123/users/my-user", nil)
	err := v.ValidateResponse(del, 204, http.Header{"Content-Length": {"12"}}, nil)
	if ve := (*conformance.ViolationError)(nil); !errors.As(err, &ve) {
		t.Errorf("204 with Content-Length 12: %v, want a *ViolationError", err)
	}
}

// A request body whose read fails (a reset connection, a read deadline) is refused as unreadable,
// and the body left in the request fails too: a handler never reads the part that came, nor an
// empty body, as the whole one. Before the fix, the part that came (later: nothing) was put back.
func TestValidator_ValidateRequest_FailingBody(t *testing.T) {
	v := newValidator(t)
	reset := errors.New("connection reset by peer")
	for _, length := range []int64{-1, int64(len(wholeUserReq))} {
		req := httptest.NewRequest("POST", usersPath, io.MultiReader(strings.NewReader(shortUserReq), iotest.ErrReader(reset)))
		req.Header.Set("Content-Type", "application/json")
		req.ContentLength = length
		_, err := v.ValidateRequest(req)
		var ve *conformance.ViolationError
		if !errors.As(err, &ve) || ve.Violations[0].Kind != conformance.KindBody {
			t.Errorf("Content-Length %d: err = %v, want a body violation", length, err)
		}
		if data, rerr := io.ReadAll(req.Body); !errors.Is(rerr, reset) {
			t.Errorf("Content-Length %d: the body read again gives %q, %v; want the read's error", length, data, rerr)
		}
	}
}
