package cli

import (
	"net/http"
	"sync/atomic"
	"testing"

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
