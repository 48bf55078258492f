package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/env"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/exit"
)

// TestUsersUpdateRefusesNameFormatBeforeRequest checks that -o name, which
// cannot print a generated password, is refused before the password is
// sent: refused after, the user's password would have changed to one that
// nobody was ever shown, with an exit code (2) that says nothing happened.
func TestUsersUpdateRefusesNameFormatBeforeRequest(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want int
		sent bool
	}{
		{"generated, -o name", []string{"users", "update", "reporting", "--generate-password", "-o", "name"}, exit.Usage, false},
		{"generated, -o json", []string{"users", "update", "reporting", "--generate-password", "-o", "json"}, exit.OK, true},
		{"unknown format", []string{"users", "update", "reporting", "--generate-password", "-o", "yaml"}, exit.Usage, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var requests atomic.Int32
			code, stdout, stderr := runAgainstOut(t, func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				answer(w, http.StatusOK, `{"database_user":{"name":"reporting","read_only":false,"protected":false,"password_encryption":"SCRAM-SHA-256"}}`)
			}, tc.args...)
			if code != tc.want {
				t.Fatalf("exit code %d, want %d; stderr: %s", code, tc.want, stderr)
			}
			if sent := requests.Load() > 0; sent != tc.sent {
				t.Errorf("%d requests sent, want sent=%v; stdout %q, stderr %q", requests.Load(), tc.sent, stdout, stderr)
			}
		})
	}
}

// TestPasswordStdin_RefusesTerminal runs the commands that take
// --password-stdin with a terminal as stdin: what is typed there is
// echoed, so the password would show on the screen (and in its
// scrollback, a recorded session). They refuse it, as --token-stdin does,
// before any request.
func TestPasswordStdin_RefusesTerminal(t *testing.T) {
	for _, args := range [][]string{
		{"users", "create", "piped01", "--password-stdin"},
		{"users", "update", "reporting", "--password-stdin"},
		{"users", "rotate-password", "reporting", "--password-file", filepath.Join(t.TempDir(), "pw"), "--password-stdin"},
	} {
		t.Run(args[1], func(t *testing.T) {
			var requests atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				answer(w, http.StatusOK, `{"database_user":{"name":"x","read_only":false,"protected":false,"password_encryption":"SCRAM-SHA-256"}}`)
			}))
			t.Cleanup(srv.Close)
			vars := map[string]string{env.Database: "my-db-123", env.Token: "t", env.APIURL: srv.URL}
			var out, errOut bytes.Buffer
			io := &IO{In: strings.NewReader("correct-horse-battery-staple-42\n"), InTTY: true, Out: &out, Err: &errOut,
				Getenv: func(k string) string { return vars[k] }}
			code := Run(context.Background(), args, io)
			if code != exit.Usage || requests.Load() != 0 {
				t.Errorf("exit code %d with %d requests, want %d and none; stderr: %s", code, requests.Load(), exit.Usage, errOut.String())
			}
			if !strings.Contains(errOut.String(), "--password-stdin reads a pipe, not a terminal") {
				t.Errorf("stderr %q does not say why", errOut.String())
			}
		})
	}
}
