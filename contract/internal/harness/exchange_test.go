package harness

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// A violation comes out of the recorder's client with the exchange it was met on: the request
// as it went on the wire, which token it carried (named, never kept), the answer's status,
// headers and first bytes; a request that matches no operation comes with no answer; a valid
// answer reports nothing.
func TestExchangeRecorder(t *testing.T) {
	long := `{"database_users":[{"name":"` + strings.Repeat("é", 3000) + `","read_only":"yes"}]}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "req-1")
		w.Header().Set("Set-Cookie", "session=abcdef123456")
		switch {
		case strings.HasSuffix(r.URL.Path, "/users") && r.Method == http.MethodGet && r.URL.Query().Get("long") != "":
			_, _ = io.WriteString(w, long)
		case strings.HasSuffix(r.URL.Path, "/users") && r.Method == http.MethodGet:
			_, _ = io.WriteString(w, `{"database_users":[{"name":"u","read_only":"yes"}]}`)
		case strings.HasSuffix(r.URL.Path, "/users"):
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"database_user":{"name":"u","password":"s3cr3t-pass","read_only":1}}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"error":"not found"}`)
		}
	}))
	defer srv.Close()
	_, v := embedded(t)
	var mu sync.Mutex
	var got []*Exchange
	rec := ExchangeRecorder{Tokens: map[string]string{EnvToken: "main-token-123", EnvForeignToken: "other-token-456"}}
	client := &http.Client{Transport: rec.Outer(BodilessCheck(v, v.Transport(RewriteBasePath(srv.URL+"/api", "/v1", rec.Inner(http.DefaultTransport))), nil),
		func(_ *conformance.ViolationError, x *Exchange) {
			mu.Lock()
			got = append(got, x)
			mu.Unlock()
		})}
	base := srv.URL + "/api/databases/my-db-123"
	send := func(method, url, token, body string) {
		t.Helper()
		var r io.Reader
		if body != "" {
			r = strings.NewReader(body)
		}
		req, err := http.NewRequest(method, url, r)
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := client.Do(req)
		var ve *conformance.ViolationError
		if err != nil && !errors.As(err, &ve) {
			t.Fatalf("%s %s: %v", method, url, err)
		}
		if resp != nil {
			_ = resp.Body.Close()
		}
	}
	tests := []struct {
		name               string
		method, url, token string
		body               string
		check              func(t *testing.T, x *Exchange)
	}{
		{"a schema violation", "GET", base + "/users", "main-token-123", "", func(t *testing.T, x *Exchange) {
			if x.Token != EnvToken || x.Status != 200 || x.URL != srv.URL+"/v1/databases/my-db-123/users" {
				t.Errorf("token %q, status %d, url %q", x.Token, x.Status, x.URL)
			}
			if x.Body != `{"database_users":[{"name":"u","read_only":"yes"}]}` || x.BodyCut || x.BodyNotRead {
				t.Errorf("body %q cut %v not read %v", x.Body, x.BodyCut, x.BodyNotRead)
			}
			h := map[string]string{}
			for _, l := range x.Header {
				h[l.Name] = l.Value
			}
			if h["X-Request-Id"] != "req-1" || h["Set-Cookie"] != Redacted || h["Content-Type"] != "application/json" || h["Content-Length"] == "" {
				t.Errorf("header %v", h)
			}
		}},
		{"the other token, a body sent", "POST", base + "/users", "other-token-456", `{"database_user":{"name":"u","password":"chosen-pass"}}`, func(t *testing.T, x *Exchange) {
			if x.Token != EnvForeignToken || x.Method != "POST" || x.Status != 201 {
				t.Errorf("token %q method %q status %d", x.Token, x.Method, x.Status)
			}
			if !strings.Contains(x.RequestBody, `"name":"u"`) || len(x.RequestHeader) == 0 || x.RequestHeader[0] != (HeaderLine{"Content-Type", "application/json"}) {
				t.Errorf("request body %q header %v", x.RequestBody, x.RequestHeader)
			}
		}},
		{"a long body is cut", "GET", base + "/users?long=1", "", "", func(t *testing.T, x *Exchange) {
			if x.Token != "" || !x.BodyCut || len(x.Body) > maxExchangeBody || !strings.HasPrefix(x.Body, `{"database_users"`) {
				t.Errorf("token %q cut %v len %d", x.Token, x.BodyCut, len(x.Body))
			}
			if !strings.HasSuffix(x.Body, "é") {
				t.Errorf("the body is cut inside a rune: %q", x.Body[len(x.Body)-4:])
			}
		}},
		{"no operation", "GET", srv.URL + "/api/nowhere", "an-unnamed-token", "", func(t *testing.T, x *Exchange) {
			if x.Status != 0 || x.URL != srv.URL+"/api/nowhere" || x.Token != "a token the run does not name" {
				t.Errorf("status %d url %q token %q", x.Status, x.URL, x.Token)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			got = nil
			mu.Unlock()
			send(tt.method, tt.url, tt.token, tt.body)
			mu.Lock()
			defer mu.Unlock()
			if len(got) != 1 || got[0] == nil {
				t.Fatalf("%d exchanges reported, want 1", len(got))
			}
			tt.check(t, got[0])
			b, _ := jsonString(got[0])
			for _, secret := range []string{"main-token-123", "other-token-456", "an-unnamed-token", "abcdef123456"} {
				if strings.Contains(b, secret) {
					t.Errorf("the exchange keeps %q", secret)
				}
			}
		})
	}
	mu.Lock()
	got = nil
	mu.Unlock()
	send("GET", base, "main-token-123", "")
	if len(got) != 0 {
		t.Errorf("a valid answer reported %d exchanges", len(got))
	}
}

func TestAddJUnitProperties(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.xml")
	in := "<testsuites>\n  <testsuite name=\"s\">\n    <properties>\n      <property name=\"a\" value=\"b\"></property>\n    </properties>\n" +
		"    <testcase><properties><property name=\"x\" value=\"y\"></property></properties></testcase>\n  </testsuite>\n</testsuites>\n"
	if err := os.WriteFile(path, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := AddJUnitProperties(path, [2]string{"suite_version", `v1 "<x>"`}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	out := string(b)
	i := strings.Index(out, `<property name="suite_version" value="v1 &#34;&lt;x&gt;&#34;"></property>`)
	if i < 0 || i > strings.Index(out, "<testcase>") {
		t.Errorf("the property is not in the suite's properties:\n%s", out)
	}
	if err := os.WriteFile(path, []byte("<testsuites></testsuites>"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := AddJUnitProperties(path, [2]string{"a", "b"}); err == nil {
		t.Error("a report without properties: no error")
	}
}

// A curl command names the token by its variable, which redaction leaves alone; a credential
// is still redacted.
func TestRedact_ShellVariable(t *testing.T) {
	r := &Redactor{}
	for in, want := range map[string]string{
		`-H "Authorization: Bearer $DB_BEARER_TOKEN"`: `-H "Authorization: Bearer $DB_BEARER_TOKEN"`,
		`Authorization: Bearer abc$def`:               `Authorization: Bearer ` + Redacted,
		`Authorization: Bearer tok123`:                `Authorization: Bearer ` + Redacted,
	} {
		if got := r.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func jsonString(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
