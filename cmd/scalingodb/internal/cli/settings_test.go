package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/env"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/exit"
)

// TestSettings_TrimWhitespace gives the token and the database with the
// newline that a secret read from a file keeps (a Kubernetes secret made
// with --from-file, VAR=$(cat file) in some shells, a CRLF .env file): it
// is not part of the value. Kept, the token made every request fail
// before it was sent, reported as an unreachable API (exit 6: "check the
// network"), and the database was not found under a name that looks
// right once its newline is stripped from the message.
func TestSettings_TrimWhitespace(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" || !strings.HasSuffix(r.URL.Path, "/databases/my-db-123/users") {
			respond(w, http.StatusNotFound, "req-1", `{"error":"not found: `+r.URL.Path+`","resource":"database"}`)
			return
		}
		answer(w, http.StatusOK, `{"database-users":[]}`)
	}))
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		name string
		vars map[string]string
		args []string
	}{
		{"variables", map[string]string{env.Token: "tok\n", env.Database: "my-db-123\r\n"}, nil},
		{"flags", map[string]string{}, []string{"--token", " tok\n", "--database", "my-db-123\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.vars[env.APIURL] = srv.URL
			var out, errOut bytes.Buffer
			io := &IO{In: strings.NewReader(""), Out: &out, Err: &errOut, Getenv: func(k string) string { return tc.vars[k] }}
			code := Run(context.Background(), append([]string{"users", "list", "-o", "json"}, tc.args...), io)
			if code != exit.OK {
				t.Errorf("exit code %d, want 0; stderr: %s", code, errOut.String())
			}
		})
	}
}

// TestSettings_RequestTimeoutBoundsAddonList checks that --request-timeout
// bounds the request that finds the addon of --app --addon TYPE, as it
// bounds every other: a main API that does not answer fails the run once
// the timeout has run out (exit 6), not after the 30 s of the library's
// default.
func TestSettings_RequestTimeoutBoundsAddonList(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/tokens/exchange" {
			answer(w, http.StatusOK, `{"token":"bearer"}`)
			return
		}
		<-r.Context().Done() // the list of addons never comes
	}))
	t.Cleanup(srv.Close)
	vars := map[string]string{env.APIToken: "tk-us-x", env.AuthURL: srv.URL, env.MainAPI: srv.URL, env.APIURL: srv.URL}
	var out, errOut bytes.Buffer
	io := &IO{In: strings.NewReader(""), Out: &out, Err: &errOut, Getenv: func(k string) string { return vars[k] }}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	code := Run(ctx, []string{"--app", "my-app", "--addon", "postgresql", "--request-timeout", "100ms", "users", "list"}, io)
	if code != exit.Unreachable {
		t.Errorf("exit code %d, want %d; stderr: %s", code, exit.Unreachable, errOut.String())
	}
	// A bound, not a speed figure: 100 ms asked, the library's default is 30 s.
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the run took %s with --request-timeout 100ms; stderr: %s", took, errOut.String())
	}
}

// TestSettings_MalformedToken gives a token with a control character or a
// space inside it (a pasted escape sequence, two lines joined): no request
// can carry it. It was sent anyway, the transport refused the header, and
// the run blamed the network (exit 6). It is now bad usage (exit 2),
// refused before any request, saying which setting is malformed without
// printing the token.
func TestSettings_MalformedToken(t *testing.T) {
	const secret = "s3cr3t"
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		answer(w, http.StatusOK, `{"database-users":[]}`)
	}))
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		name string
		vars map[string]string
		args []string
		want string
	}{
		{"variable, control", map[string]string{env.Token: secret + "\x01tok"}, nil, env.Token},
		{"variable, DEL", map[string]string{env.Token: secret + "\x7ftok"}, nil, env.Token},
		{"variable, two lines", map[string]string{env.Token: secret + "\ntok"}, nil, env.Token},
		{"flag, escape", map[string]string{}, []string{"--token", secret + "\x1b[Atok"}, "--token"},
		{"flag, space", map[string]string{}, []string{"--token", secret + " tok"}, "--token"},
		{"API token, control", map[string]string{env.APIToken: secret + "\x01tok", env.App: "my-app", env.Addon: "postgresql"}, nil, env.APIToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.vars[env.APIURL], tc.vars[env.AuthURL], tc.vars[env.MainAPI] = srv.URL, srv.URL, srv.URL
			if tc.vars[env.App] == "" {
				tc.vars[env.Database] = "my-db-123"
			}
			requests.Store(0)
			var out, errOut bytes.Buffer
			io := &IO{In: strings.NewReader(""), Out: &out, Err: &errOut, Getenv: func(k string) string { return tc.vars[k] }}
			code := Run(context.Background(), append([]string{"users", "list"}, tc.args...), io)
			if code != exit.Usage || requests.Load() != 0 {
				t.Errorf("exit code %d after %d requests, want %d and none; stderr: %s", code, requests.Load(), exit.Usage, errOut.String())
			}
			if msg := errOut.String(); !strings.Contains(msg, "malformed") || !strings.Contains(msg, tc.want) || strings.Contains(msg, secret) {
				t.Errorf("stderr %q: want it to say the token of %s is malformed, without the token", msg, tc.want)
			}
		})
	}
}
