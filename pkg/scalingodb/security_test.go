package scalingodb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"
)

func TestPathParametersStayInOneSegment(t *testing.T) {
	tests := []struct {
		id      string
		wantURI string
	}{
		{"my-db-123", "/api/databases/my-db-123/users"},
		{"a/b", "/api/databases/a%2Fb/users"},
		{"../../backups/x", "/api/databases/..%2F..%2Fbackups%2Fx/users"},
		{"a%2Fb", "/api/databases/a%252Fb/users"},
		{"a?b=c#d", "/api/databases/a%3Fb=c%23d/users"},
		{"..a", "/api/databases/..a/users"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			c, rec, _ := newTestClient(t, fixed(200, `{"database-users":[]}`))
			if _, err := c.Users.List(context.Background(), tt.id); err != nil {
				t.Fatal(err)
			}
			reqs := rec.all()
			if len(reqs) != 1 || reqs[0].RequestURI != tt.wantURI {
				t.Fatalf("server saw %+v, want %s", reqs, tt.wantURI)
			}
		})
	}
}

func TestPathParametersRejectDotSegments(t *testing.T) {
	ctx := context.Background()
	for _, id := range []string{"", ".", ".."} {
		c, rec, _ := newTestClient(t, fixed(200, `{}`))
		calls := []error{
			func() error { _, err := c.Databases.Get(ctx, id); return err }(),
			func() error { _, err := c.Backups.Get(ctx, id); return err }(),
			func() error { return c.Users.Delete(ctx, "db", id) }(),
			func() error { _, err := c.Maintenance.Get(ctx, "db", id); return err }(),
			func() error { return c.Firewall.Delete(ctx, "db", id) }(),
			func() error { _, err := c.TypeVersions.Get(ctx, id); return err }(),
		}
		for i, err := range calls {
			var ve *InvalidInputError
			if !errors.As(err, &ve) || !errors.Is(err, ErrInvalidInput) || errors.Is(err, ErrValidation) {
				t.Errorf("id %q call %d: got %v, want a *InvalidInputError", id, i, err)
			}
		}
		if n := rec.count(); n != 0 {
			t.Errorf("id %q: %d requests sent, want none", id, n)
		}
	}
}

func TestUserRules_NoRequestSent(t *testing.T) {
	ctx := context.Background()
	longPW := NewSecret(strings.Repeat("p", 65))
	create := func(p *CreateUserParams) func(c *Client) error {
		return func(c *Client) error { _, err := c.Users.Create(ctx, "db", p); return err }
	}
	tests := []struct {
		name string
		call func(c *Client) error
		ok   bool
	}{
		{"short name", create(&CreateUserParams{Name: "abc"}), false},
		{"long name", create(&CreateUserParams{Name: strings.Repeat("a", 33)}), false},
		{"upper case", create(&CreateUserParams{Name: "MyUser1"}), false},
		{"leading hyphen", create(&CreateUserParams{Name: "-myuser"}), false},
		{"trailing hyphen", create(&CreateUserParams{Name: "myuser-"}), false},
		{"double hyphen", create(&CreateUserParams{Name: "my--user"}), false},
		{"underscore", create(&CreateUserParams{Name: "my_user"}), false},
		{"short password", create(&CreateUserParams{Name: "my-user", Password: NewSecret("short-password-1")}), false},
		{"long password", func(c *Client) error { _, err := c.Users.UpdatePassword(ctx, "db", "my-user", longPW); return err }, false},
		{"nil params", create(nil), false},
		{"valid name and generated password", create(&CreateUserParams{Name: "my-user-2"}), true},
		{"valid password", create(&CreateUserParams{Name: "abc123", Password: NewSecret(strings.Repeat("x", 24))}), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec, _ := newTestClient(t, fixed(201, `{"database_user":{"name":"my-user","read_only":false,"password":"generated-password-0123456789"}}`))
			err := tt.call(c)
			if tt.ok {
				if err != nil || rec.count() != 1 {
					t.Fatalf("got %v with %d requests, want success", err, rec.count())
				}
				return
			}
			var ve *InvalidInputError
			if !errors.As(err, &ve) || !errors.Is(err, ErrInvalidInput) || errors.Is(err, ErrValidation) {
				t.Fatalf("got %v, want a *InvalidInputError", err)
			}
			if rec.count() != 0 {
				t.Fatalf("%d requests sent, want none", rec.count())
			}
			if strings.Contains(err.Error(), "short-password-1") || strings.Contains(err.Error(), longPW.Reveal()) {
				t.Errorf("error %q holds the password", err)
			}
		})
	}
}

func TestSecret_NeverPrinted(t *testing.T) {
	const pw = "K_gaef6ripo7Ao4Uaxai6Kiey"
	u := &DatabaseUser{Name: "my-user", Password: NewSecret(pw)}
	var logBuf, textBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("user", "user", u, "password", u.Password)
	slog.New(slog.NewTextHandler(&textBuf, nil)).Info("user", "password", u.Password, "link", httpx.NewSignedURL("https://x/a?token="+pw))
	js, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"%v": fmt.Sprintf("%v", u), "%+v": fmt.Sprintf("%+v", *u), "%#v": fmt.Sprintf("%#v", *u),
		"%s": fmt.Sprintf("%s", u.Password), "%q": fmt.Sprintf("%q", u.Password), "%x": fmt.Sprintf("%x", u.Password),
		"String": u.String(), "json": string(js), "slog": logBuf.String(), "slog text": textBuf.String(),
	}
	for name, out := range outputs {
		if strings.Contains(out, pw) {
			t.Errorf("%s output %q holds the password", name, out)
		}
		if !strings.Contains(out, "redacted") {
			t.Errorf("%s output %q does not say the value is redacted", name, out)
		}
	}
	if u.Password.Reveal() != pw || !u.Password.Equal(NewSecret(pw)) {
		t.Error("Reveal does not give the real value")
	}
}

func TestSignedURL_Redacted(t *testing.T) {
	s := httpx.NewSignedURL("https://db-api.example/api/databases/d/backups/b/download?token=tok-SECRET")
	for _, out := range []string{s.String(), fmt.Sprintf("%v", s), fmt.Sprintf("%#v", s), fmt.Sprintf("%+v", s)} {
		if strings.Contains(out, "tok-SECRET") {
			t.Errorf("output %q holds the token", out)
		}
	}
	if !strings.Contains(s.URL(), "tok-SECRET") {
		t.Error("URL must reveal the token")
	}
}

// TestNoSecretsInErrorsAndLogs drives failing calls with a token, a
// password and a logger, and looks for the secrets in every error and log line.
func TestNoSecretsInErrorsAndLogs(t *testing.T) {
	const pw = "Pa55word-Pa55word-Pa55word-SECRET"
	var logBuf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, _, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/users"):
			writeJSON(w, 422, `{"errors":{"password":["is too weak"]}}`)
		case strings.HasSuffix(r.URL.Path, "/archive"):
			writeJSON(w, 200, `{"download_url":"http://`+r.Host+`/dl?token=dl-SECRET-token"}`)
		case r.URL.Path == "/dl":
			writeJSON(w, 500, `{"error":"storage down"}`)
		case strings.HasPrefix(r.URL.Path, "/api/backups/"):
			writeJSON(w, 200, `{"database_backup":{"id":"b","status":"done","created_at":"2026-01-02T03:04:05Z","size":10}}`)
		default:
			writeJSON(w, 401, `{"error":"unauthorized"}`)
		}
	}, WithLogger(logger))
	ctx := context.Background()
	var errs []error
	_, err := c.Users.Create(ctx, "db", &CreateUserParams{Name: "my-user", Password: NewSecret(pw)})
	errs = append(errs, err)
	_, err = c.Databases.Get(ctx, "db")
	errs = append(errs, err)
	_, err = c.Backups.DownloadAt(ctx, "db", "b", discardAt{}, WithDownloadRetry(RetryPolicy{MaxAttempts: 2, MinWait: 1, MaxWait: 1}))
	errs = append(errs, err)
	for i, err := range errs {
		if err == nil {
			t.Fatalf("call %d: want an error", i)
		}
		for _, secret := range []string{pw, testToken, "dl-SECRET-token"} {
			if strings.Contains(err.Error(), secret) || strings.Contains(fmt.Sprintf("%+v", err), secret) {
				t.Errorf("error %q holds a secret", err)
			}
		}
	}
	for _, want := range []string{"operation=createDatabaseUser", "status=422", "download resumes", "performing request"} {
		if !strings.Contains(logBuf.String(), want) {
			t.Errorf("logs lack %q:\n%s", want, logBuf.String())
		}
	}
	for _, secret := range []string{pw, testToken, "dl-SECRET-token"} {
		if strings.Contains(logBuf.String(), secret) {
			t.Errorf("logs hold a secret:\n%s", logBuf.String())
		}
	}
}

func TestTokenAndHeaders(t *testing.T) {
	c, rec, _ := newTestClient(t, fixed(200, `{"database-users":[]}`), WithUserAgent("my-app/1.0"))
	if _, err := c.Users.List(context.Background(), "db"); err != nil {
		t.Fatal(err)
	}
	h := rec.all()[0].Header
	if h.Get("Authorization") != "Bearer "+testToken || h.Get("User-Agent") != "my-app/1.0" || h.Get("Accept") != "application/json" {
		t.Errorf("headers: %v", h)
	}
}

func TestNew_Options(t *testing.T) {
	tests := []struct {
		name    string
		opts    []Option
		wantURL string
		wantErr bool
	}{
		{"default region", nil, "https://db-api.osc-fr1.scalingo.com/api", false},
		{"secnum", []Option{WithRegion("osc-secnum-fr1")}, "https://db-api.osc-secnum-fr1.scalingo.com/api", false},
		{"unknown region", []Option{WithRegion("us-east-1")}, "", true},
		{"base URL gets /api", []Option{WithBaseURL("http://127.0.0.1:8080")}, "http://127.0.0.1:8080/api", false},
		{"base URL keeps /api", []Option{WithBaseURL("http://127.0.0.1:8080/api/")}, "http://127.0.0.1:8080/api", false},
		{"relative base URL", []Option{WithBaseURL("/api")}, "", true},
		{"base URL with query", []Option{WithBaseURL("http://h/api?token=x")}, "", true},
		{"empty token", []Option{WithToken("")}, "", true},
		{"nil http client", []Option{WithHTTPClient(nil)}, "", true},
		{"negative retry", []Option{WithRetry(RetryPolicy{MaxAttempts: -1})}, "", true},
		{"bad user agent", []Option{WithUserAgent("a\nb")}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.opts...)
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidInput) {
					t.Fatalf("got %v, want an invalid input error", err)
				}
				return
			}
			if err != nil || c.BaseURL() != tt.wantURL {
				t.Fatalf("got %v, %v; want %s", c, err, tt.wantURL)
			}
		})
	}
}

func TestSlogAdapter_RedactsQueries(t *testing.T) {
	var buf bytes.Buffer
	a := httpx.LogAdapter{L: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	a.Debug("retrying request", "request", "GET http://h/api/x?token=tok-SECRET (status: 503)", "timeout", 1)
	a.Error("request failed", "error", httpx.RedactError(&url.Error{Op: "Get", URL: "http://h/dl?token=tok-SECRET", Err: errors.New("EOF")}))
	out := buf.String()
	if strings.Contains(out, "tok-SECRET") || !strings.Contains(out, "http://h/api/x?[redacted]") || !strings.Contains(out, "retrying request") {
		t.Fatalf("log output:\n%s", out)
	}
}

// TestRedirects_BodyStaysHome proves that a request with a body (a chosen
// password, a user to create) never follows a 307 or 308 to another
// origin, which would resend the body there: the bearer token is dropped
// for such an origin, and so must be the password in the body. The call
// fails with a *RedirectError, and the other origin sees nothing. A
// redirect within the origin still carries the body.
func TestRedirects_BodyStaysHome(t *testing.T) {
	const password = "pw-SECRET-0123456789abcdefghij"
	var reached atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		body, _ := io.ReadAll(r.Body)
		if strings.Contains(string(body), password) {
			t.Errorf("the other origin got the password in a %s body", r.Method)
		}
		writeJSON(w, 200, `{"database_user":{"name":"my-user","read_only":false,"password":"x"}}`)
	}))
	t.Cleanup(other.Close)
	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(strconv.Itoa(status)+" to another origin", func(t *testing.T) {
			reached.Store(0)
			c, _, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+r.URL.Path, status)
			})
			_, err := c.Users.UpdatePassword(context.Background(), "db", "my-user", NewSecret(password))
			var re *RedirectError
			if !errors.As(err, &re) {
				t.Errorf("UpdatePassword: %v, want a *RedirectError", err)
			}
			if err != nil && strings.Contains(err.Error(), password) {
				t.Errorf("the error %q holds the password", err)
			}
			if n := reached.Load(); n != 0 {
				t.Errorf("the other origin was reached %d times", n)
			}
		})
	}
	t.Run("307 within the origin", func(t *testing.T) {
		var moved atomic.Value
		c, _, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, "/moved") {
				http.Redirect(w, r, r.URL.Path+"/moved", http.StatusTemporaryRedirect)
				return
			}
			body, _ := io.ReadAll(r.Body)
			moved.Store(string(body))
			writeJSON(w, 200, `{"database_user":{"name":"my-user","read_only":false}}`)
		})
		if _, err := c.Users.UpdatePassword(context.Background(), "db", "my-user", NewSecret(password)); err != nil {
			t.Fatal(err)
		}
		if b, _ := moved.Load().(string); !strings.Contains(b, password) {
			t.Errorf("the redirect within the origin lost the body: %q", b)
		}
	})
}

// TestRedirects_ChangesAreNeverAnsweredElsewhere proves that a request that
// changes something (any method but GET and HEAD) follows no redirect that
// would have another origin answer it, nor one that turns it into a GET
// (what Go does on a 301, 302 or 303): either way the change would not
// reach the API, and the answer of the other origin, or of the GET, would
// read as its success. The call fails with a *RedirectError, and the
// target sees nothing.
func TestRedirects_ChangesAreNeverAnsweredElsewhere(t *testing.T) {
	var reached atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(other.Close)
	tests := []struct {
		name   string
		status int
		away   bool
		call   func(*Client) error
	}{
		{"DELETE, 307 to another origin", http.StatusTemporaryRedirect, true, func(c *Client) error {
			return c.Users.Delete(context.Background(), "db", "my-user")
		}},
		{"DELETE, 308 to another origin", http.StatusPermanentRedirect, true, func(c *Client) error {
			return c.Firewall.Delete(context.Background(), "db", "rule-1")
		}},
		{"DELETE, 302 within the origin", http.StatusFound, false, func(c *Client) error {
			return c.Users.Delete(context.Background(), "db", "my-user")
		}},
		{"POST, 301 within the origin", http.StatusMovedPermanently, false, func(c *Client) error {
			_, err := c.Backups.Create(context.Background(), "db")
			return err
		}},
		{"POST, 303 to another origin", http.StatusSeeOther, true, func(c *Client) error {
			return c.Databases.Ping(context.Background(), "db")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reached.Store(0)
			var moved atomic.Int64
			c, _, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/moved") {
					moved.Add(1)
					writeJSON(w, 200, `{"ok":true}`)
					return
				}
				to := r.URL.Path + "/moved"
				if tt.away {
					to = other.URL + r.URL.Path
				}
				http.Redirect(w, r, to, tt.status)
			})
			err := tt.call(c)
			var re *RedirectError
			if !errors.As(err, &re) {
				t.Errorf("err = %v, want a *RedirectError", err)
			}
			if n := reached.Load() + moved.Load(); n != 0 {
				t.Errorf("the redirect target was reached %d times", n)
			}
		})
	}
}
