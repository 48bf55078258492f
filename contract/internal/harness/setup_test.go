package harness

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/scalingodb/dbapi-go/gen/dbapispec"
	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// The set-ups the harness's tests share: the spec and its validator, servers on 127.0.0.1 that answer
// what net/http's server would not send or nothing at all, and the check of a failure to reach
// the target.

// embedded loads the embedded spec and builds the validator over it: the set-up of every test
// that checks the harness against the spec.
func embedded(t testing.TB) (*openapi3.T, *conformance.Validator) {
	t.Helper()
	var v *conformance.Validator
	doc, err := dbapispec.GetSpec()
	if err == nil {
		v, err = conformance.New()
	}
	if err != nil {
		t.Fatal(err)
	}
	return doc, v
}

// rawServer answers each request with the bytes raw gives for it, written as they are on the
// hijacked connection, which is then closed: a 204 with a body, an answer cut short. It returns
// the server's URL.
func rawServer(t *testing.T, raw func(*http.Request) string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString(raw(r))
		_ = buf.Flush()
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// cutAnswer is a 200 JSON answer whose header ends with framing: a Content-Length or chunked
// encoding followed by fewer body bytes than it announces.
func cutAnswer(framing string) func(*http.Request) string {
	return func(*http.Request) string {
		return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n" + framing
	}
}

// silentURL returns the URL of a server on 127.0.0.1 that takes requests and never answers.
func silentURL(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(srv.Close)
	return srv.URL
}

// closedURL returns the URL of a server on 127.0.0.1 that no longer listens.
func closedURL() string {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	return srv.URL
}

// checkUnreachable fails t unless err is an *UnreachableError whose message is one plain line
// holding each of want, and neither a URL query nor the tests' token s3cret.
func checkUnreachable(t *testing.T, err error, want ...string) {
	t.Helper()
	var ue *UnreachableError
	if !errors.As(err, &ue) {
		t.Fatalf("got %T %v, want an *UnreachableError", err, err)
	}
	msg := err.Error()
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q does not hold %q", msg, w)
		}
	}
	if strings.ContainsAny(msg, "\n?") || strings.Contains(msg, "&{") || strings.Contains(msg, "s3cret") {
		t.Errorf("message %q is not one plain line without a query and a token", msg)
	}
}
