package auth

import (
	"context"
	"encoding/base64"
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

// jwtWith returns a JWT (unsigned: the client checks no signature) whose
// payload is claims, with a serial to tell tokens apart.
func jwtWith(claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc([]byte(claims)) + ".c2ln"
}

// TestAddonTokenSource_RenewsByTheTokensExp proves that the source reads
// the exp claim of the JWTs it gets (the exchanged bearer token and the
// addon token) and renews them five minutes before it (half the lifetime
// for a token of less than ten minutes), never later than the hour it
// assumes; an exp in the past, absurdly far ahead or absent (an opaque
// token) leaves the hour. Before the fix, a 10-minute token was used for
// 55 minutes, and every call after its 10th minute failed with a 401.
func TestAddonTokenSource_RenewsByTheTokensExp(t *testing.T) {
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	type step struct {
		at      time.Duration // since start
		renewed bool          // a new addon token is fetched at this step
	}
	tests := []struct {
		name  string
		token func(now time.Time, n int64) string // the n-th token issued at now
		steps []step
	}{
		{"10-minute tokens", func(now time.Time, n int64) string {
			return jwtWith(fmt.Sprintf(`{"exp":%d,"n":%d}`, now.Add(10*time.Minute).Unix(), n))
		}, []step{{0, true}, {4 * time.Minute, false}, {5*time.Minute + time.Second, true}, {9 * time.Minute, false}, {11 * time.Minute, true}}},
		{"2-hour tokens: the hour still bounds them", func(now time.Time, n int64) string {
			return jwtWith(fmt.Sprintf(`{"exp":%d,"n":%d}`, now.Add(2*time.Hour).Unix(), n))
		}, []step{{0, true}, {54 * time.Minute, false}, {56 * time.Minute, true}, {100 * time.Minute, false}}},
		{"4-minute tokens: renewed at half their life", func(now time.Time, n int64) string {
			return jwtWith(fmt.Sprintf(`{"exp":%d,"n":%d}`, now.Add(4*time.Minute).Unix(), n))
		}, []step{{0, true}, {time.Minute, false}, {2*time.Minute + time.Second, true}, {3 * time.Minute, false}}},
		{"a fractional exp", func(now time.Time, n int64) string {
			return jwtWith(fmt.Sprintf(`{"exp":%d.5,"n":%d}`, now.Add(10*time.Minute).Unix(), n))
		}, []step{{0, true}, {4 * time.Minute, false}, {6 * time.Minute, true}}},
		{"an exp in the past is not trusted", func(now time.Time, n int64) string {
			return jwtWith(fmt.Sprintf(`{"exp":%d,"n":%d}`, now.Add(-time.Minute).Unix(), n))
		}, []step{{0, true}, {30 * time.Minute, false}, {56 * time.Minute, true}}},
		{"an exp absurdly far ahead is not trusted", func(now time.Time, n int64) string {
			return jwtWith(fmt.Sprintf(`{"exp":1e300,"n":%d}`, n))
		}, []step{{0, true}, {54 * time.Minute, false}, {56 * time.Minute, true}}},
		{"an exp that is no number", func(now time.Time, n int64) string {
			return jwtWith(fmt.Sprintf(`{"exp":"soon","n":%d}`, n))
		}, []step{{0, true}, {54 * time.Minute, false}, {56 * time.Minute, true}}},
		{"an opaque token", func(now time.Time, n int64) string {
			return fmt.Sprintf("opaque-%d", n)
		}, []step{{0, true}, {54 * time.Minute, false}, {56 * time.Minute, true}}},
		{"a payload that is not base64", func(now time.Time, n int64) string {
			return fmt.Sprintf("a.%%%%%%.b%d", n)
		}, []step{{0, true}, {54 * time.Minute, false}, {56 * time.Minute, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				mu               sync.Mutex
				now              = start
				bearer           string
				exchanges, addon atomic.Int64
			)
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				switch r.URL.Path {
				case "/v1/tokens/exchange":
					bearer = tt.token(now, exchanges.Add(1))
					writeJSON(w, 200, fmt.Sprintf(`{"token":%q}`, bearer))
				case "/v1/apps/my-app/addons/ad-123/token":
					if r.Header.Get("Authorization") != "Bearer "+bearer {
						writeJSON(w, 401, `{"error":"unauthorized"}`)
						return
					}
					writeJSON(w, 200, fmt.Sprintf(`{"addon":{"token":%q}}`, tt.token(now, addon.Add(1))))
				}
			}))
			t.Cleanup(srv.Close)
			ts, err := NewAddonTokenSource(AddonTokenConfig{APIToken: NewSecret("tk-us-API-SECRET"), App: "my-app", AddonID: "ad-123", AuthURL: srv.URL, APIURL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			ts.now = clock
			var last string
			var fetches int64
			for i, s := range tt.steps {
				mu.Lock()
				now = start.Add(s.at)
				mu.Unlock()
				got, err := ts.Token(context.Background())
				if err != nil {
					t.Fatalf("step %d (%v): %v", i, s.at, err)
				}
				if s.renewed {
					fetches++
				}
				if (got != last) != s.renewed || addon.Load() != fetches {
					t.Fatalf("step %d (%v): renewed %t (%d fetches), want %t (%d)", i, s.at, got != last, addon.Load(), s.renewed, fetches)
				}
				// The bearer token lives as long as the addon token: it is
				// renewed with it, never used past its own exp.
				if exchanges.Load() != addon.Load() {
					t.Fatalf("step %d: %d exchanges for %d addon tokens", i, exchanges.Load(), addon.Load())
				}
				last = got
			}
		})
	}
}

// FuzzRenewAt feeds renewAt any token: it never panics, and the renewal
// comes after now and no later than the hour's renewal point.
func FuzzRenewAt(f *testing.F) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, claims := range []string{`{"exp":1767269400}`, `{"exp":1767269400.5}`, `{"exp":-1}`, `{"exp":1e308}`, `{"exp":"x"}`, `{}`, `[]`, `null`} {
		f.Add(jwtWith(claims))
	}
	f.Add("opaque")
	f.Add("a..b")
	f.Fuzz(func(t *testing.T, token string) {
		got := renewAt(token, now)
		if !got.After(now) || got.After(now.Add(addonTokenLifetime-renewBefore)) {
			t.Fatalf("renewAt(%q) = %v, want in (now, now+55min]", token, got.Sub(now))
		}
	})
}
