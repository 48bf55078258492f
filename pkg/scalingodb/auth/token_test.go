package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"
)

// authFake plays the auth API and the main API for NewAddonTokenSource.
type authFake struct {
	exchanges atomic.Int64
	addons    atomic.Int64
	delay     time.Duration
	addonBody string
}

func (f *authFake) start(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/tokens/exchange":
			user, pass, ok := r.BasicAuth()
			if r.Method != http.MethodPost || !ok || user != "" || pass != "tk-us-API-SECRET" {
				writeJSON(w, 401, `{"error":"unauthorized"}`)
				return
			}
			f.exchanges.Add(1)
			time.Sleep(f.delay)
			writeJSON(w, 200, `{"token":"jwt-SECRET"}`)
		case "/v1/apps/my-app/addons/ad-123/token":
			if r.Method != http.MethodPost || r.Header.Get("Authorization") != "Bearer jwt-SECRET" {
				writeJSON(w, 401, `{"error":"unauthorized"}`)
				return
			}
			n := f.addons.Add(1)
			time.Sleep(f.delay)
			body := f.addonBody
			if body == "" {
				body = fmt.Sprintf(`{"addon":{"id":"ad-123","token":"addon-token-%d"}}`, n)
			}
			writeJSON(w, 200, body)
		default:
			writeJSON(w, 404, `{"error":"not found"}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func newFakeSource(t *testing.T, f *authFake) *AddonTokenSource {
	t.Helper()
	srv := f.start(t)
	ts, err := NewAddonTokenSource(AddonTokenConfig{APIToken: NewSecret("tk-us-API-SECRET"), App: "my-app", AddonID: "ad-123", AuthURL: srv.URL, APIURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func TestAddonTokenSource_ConcurrentCallersShareOneExchange(t *testing.T) {
	f := &authFake{delay: 20 * time.Millisecond}
	ts := newFakeSource(t, f)
	var wg sync.WaitGroup
	tokens := make([]string, 100)
	errs := make([]error, 100)
	for i := range 100 {
		wg.Go(func() { tokens[i], errs[i] = ts.Token(context.Background()) })
	}
	wg.Wait()
	for i := range 100 {
		if errs[i] != nil || tokens[i] != "addon-token-1" {
			t.Fatalf("caller %d: %q, %v", i, tokens[i], errs[i])
		}
	}
	if f.exchanges.Load() != 1 || f.addons.Load() != 1 {
		t.Fatalf("%d exchanges and %d addon token requests, want 1 and 1", f.exchanges.Load(), f.addons.Load())
	}
}

func TestAddonTokenSource_RenewsBeforeExpiry(t *testing.T) {
	f := &authFake{}
	ts := newFakeSource(t, f)
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	ts.now = func() time.Time { return now }
	ctx := context.Background()
	steps := []struct {
		advance time.Duration
		want    string
	}{
		{0, "addon-token-1"},
		{30 * time.Minute, "addon-token-1"},
		{24 * time.Minute, "addon-token-1"}, // 54 min: still more than 5 min left
		{2 * time.Minute, "addon-token-2"},  // 56 min: renewed
		{10 * time.Minute, "addon-token-2"},
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		got, err := ts.Token(ctx)
		if err != nil || got != s.want {
			t.Fatalf("step %d: got %q, %v; want %q", i, got, err, s.want)
		}
	}
	if f.exchanges.Load() != 2 {
		t.Errorf("%d exchanges, want 2 (the bearer token expires too)", f.exchanges.Load())
	}
	ts.Invalidate()
	if got, _ := ts.Token(ctx); got != "addon-token-3" {
		t.Errorf("after Invalidate: %q", got)
	}
}

func TestAddonTokenSource_Errors(t *testing.T) {
	f := &authFake{addonBody: `{"app":{"token":"x"}}`}
	ts := newFakeSource(t, f)
	_, err := ts.Token(context.Background())
	if !errors.Is(err, httpx.ErrMalformedResponse) {
		t.Fatalf("missing envelope: got %v", err)
	}
	// A failed fetch is not cached.
	f.addonBody = ""
	if tok, err := ts.Token(context.Background()); err != nil || tok == "" {
		t.Fatalf("after recovery: %q, %v", tok, err)
	}
	bad, err := NewAddonTokenSource(AddonTokenConfig{APIToken: NewSecret("tk-us-WRONG-SECRET"), App: "my-app", AddonID: "ad-123", AuthURL: f.start(t).URL, APIURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.Token(context.Background())
	if !errors.Is(err, httpx.ErrUnauthorized) || strings.Contains(err.Error(), "tk-us-WRONG-SECRET") {
		t.Fatalf("wrong API token: got %v", err)
	}
	cfg := AddonTokenConfig{APIToken: NewSecret("tk-us-API-SECRET"), BearerToken: NewSecret("bearer-SECRET")}
	if s := fmt.Sprintf("%v %+v %#v %v %+v %#v %v %+v %#v", ts, ts, ts, StaticToken("static-SECRET"), StaticToken("static-SECRET"), StaticToken("static-SECRET"), cfg, cfg, &cfg); strings.Contains(s, "SECRET") {
		t.Errorf("printing token sources leaks: %s", s)
	}
	for _, cfg := range []AddonTokenConfig{{App: "a", AddonID: "b"}, {APIToken: NewSecret("x"), AddonID: "b"}, {APIToken: NewSecret("x"), App: "a", AddonID: "b", Region: "mars"}} {
		if _, err := NewAddonTokenSource(cfg); !errors.Is(err, httpx.ErrInvalidInput) {
			t.Errorf("config %+v: got %v", cfg, err)
		}
	}
}

// TestAddonTokenSource_UserAgent checks the User-Agent of both token
// requests: the configured one, else DefaultUserAgent (never Go's own).
func TestAddonTokenSource_UserAgent(t *testing.T) {
	for _, tc := range []struct{ give, want string }{
		{"", httpx.DefaultUserAgent},
		{"scalingodb/1.2.3 (go1.26; linux/amd64)", "scalingodb/1.2.3 (go1.26; linux/amd64)"},
	} {
		var mu sync.Mutex
		var agents []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			agents = append(agents, r.URL.Path+" "+r.Header.Get("User-Agent"))
			mu.Unlock()
			if r.URL.Path == "/v1/tokens/exchange" {
				writeJSON(w, 200, `{"token":"jwt-SECRET"}`)
				return
			}
			writeJSON(w, 200, `{"addon":{"token":"addon-token"}}`)
		}))
		ts, err := NewAddonTokenSource(AddonTokenConfig{APIToken: NewSecret("tk-us-API-SECRET"), App: "my-app", AddonID: "ad-123",
			AuthURL: srv.URL, APIURL: srv.URL, UserAgent: tc.give})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ts.Token(context.Background()); err != nil {
			t.Fatal(err)
		}
		srv.Close()
		want := []string{"/v1/tokens/exchange " + tc.want, "/v1/apps/my-app/addons/ad-123/token " + tc.want}
		if strings.Join(agents, "\n") != strings.Join(want, "\n") {
			t.Errorf("UserAgent %q: requests %q, want %q", tc.give, agents, want)
		}
	}
	if _, err := NewAddonTokenSource(AddonTokenConfig{APIToken: NewSecret("tk"), App: "a", AddonID: "b", UserAgent: "x\r\nEvil: 1"}); err == nil {
		t.Error("a User-Agent with a line break was accepted")
	}
}

// writeJSON answers status with a JSON body.
func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// TestAddonTokenSource_RedirectsKeepCredentialsHome redirects the token
// endpoints to another origin (same host, another port): the API token and
// the exchanged bearer token must not arrive there.
func TestAddonTokenSource_RedirectsKeepCredentialsHome(t *testing.T) {
	var leaked sync.Map
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a := r.Header.Get("Authorization"); a != "" {
			leaked.Store(r.URL.Path, a)
		}
		writeJSON(w, 200, `{"token":"jwt-SECRET","addon":{"id":"ad-123","token":"addon-token"}}`)
	}))
	t.Cleanup(other.Close)
	for _, path := range []string{"/v1/tokens/exchange", "/v1/apps/my-app/addons/ad-123/token"} {
		t.Run(path, func(t *testing.T) {
			f := &authFake{}
			home := f.start(t)
			front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == path {
					http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
					return
				}
				// Everything else goes to the real fake.
				req, _ := http.NewRequestWithContext(r.Context(), r.Method, home.URL+r.URL.Path, r.Body)
				req.Header = r.Header.Clone()
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				defer resp.Body.Close()
				w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
				w.WriteHeader(resp.StatusCode)
				_, _ = io.Copy(w, resp.Body)
			}))
			t.Cleanup(front.Close)
			ts, err := NewAddonTokenSource(AddonTokenConfig{APIToken: NewSecret("tk-us-API-SECRET"), App: "my-app", AddonID: "ad-123", AuthURL: front.URL, APIURL: front.URL})
			if err != nil {
				t.Fatal(err)
			}
			_, _ = ts.Token(context.Background()) // fails or not: only the leak matters
			if a, ok := leaked.Load(path); ok {
				t.Fatalf("the other origin received Authorization %q", a)
			}
		})
	}
}
