package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
