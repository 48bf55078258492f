package mockserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// sharedValidator is built once for the whole test binary: New is expensive.
var sharedValidator = sync.OnceValues(func() (*conformance.Validator, error) { return conformance.New() })

func testValidator(t testing.TB) *conformance.Validator {
	t.Helper()
	v, err := sharedValidator()
	if err != nil {
		t.Fatalf("conformance.New: %v", err)
	}
	return v
}

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// client calls a mock over HTTP with the right token unless told otherwise.
type client struct {
	t     testing.TB
	base  string
	token string
	http  *http.Client
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) String() string { return string(r.body) }

// start runs a demo-seeded mock on a manual clock; responses that break the spec fail the test.
func start(t testing.TB, opts ...Option) (*Server, *client, *ManualClock) {
	t.Helper()
	clk := NewManualClock(t0)
	all := append([]Option{WithSeed(DemoSeed()), WithClock(clk), WithValidator(testValidator(t))}, opts...)
	s, base := Start(t, all...)
	return s, &client{t: t, base: base, token: DefaultToken, http: &http.Client{Timeout: 30 * time.Second}}, clk
}

// do sends a request; body is JSON-encoded unless it is a string (sent as is). hdr holds name, value
// pairs.
func (c *client) do(method, path string, body any, hdr ...string) reply {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	url := path
	if strings.HasPrefix(path, "/") {
		url = c.base + path
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: data}
}

// expect checks the status of a reply and decodes its JSON body into a map.
func expect(t testing.TB, r reply, status int) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	if len(r.body) == 0 {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

// at returns the value at a dotted path of decoded JSON ("database_user.password"; numbers index
// arrays).
func at(v any, p string) any {
	for _, k := range strings.Split(p, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			var i int
			if _, err := fmt.Sscan(k, &i); err != nil || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}
