package mockserver

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// TestCheckResponses proves the mock's own answers are checked: a broken answer is reported every
// time (memoised or not), a valid one never.
func TestCheckResponses(t *testing.T) {
	for _, memo := range []bool{true, false} {
		var got []error
		s, err := New(WithValidator(testValidator(t)), WithResponseViolationHandler(func(err error) { got = append(got, err) }),
			func(c *config) { c.noMemo = !memo })
		if err != nil {
			t.Fatal(err)
		}
		answer := func(body string) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(body))
			})
		}
		tests := []struct {
			body string
			bad  bool
		}{
			{`{"database-users":[{"name":"metabase","read_only":true}]}`, false},
			{`{"database-users":[{"name":"metabase","read_only":true}]}`, false},
			{`{"database-users":[{"name":1,"read_only":true}]}`, true},
			{`{"database-users":[{"name":1,"read_only":true}]}`, true},
			{`{"database_users":[]}`, true},
		}
		want := 0
		for _, tc := range tests {
			req := httptest.NewRequest(http.MethodGet, "/api/databases/my-db-123/users", nil)
			w := httptest.NewRecorder()
			s.checkResponses(answer(tc.body)).ServeHTTP(w, req)
			if w.Body.String() != tc.body {
				t.Errorf("memo %v: body changed to %q", memo, w.Body)
			}
			if tc.bad {
				want++
			}
			if len(got) != want {
				t.Fatalf("memo %v: %q: %d violations reported, want %d", memo, tc.body, len(got), want)
			}
		}
		var ve *conformance.ViolationError
		if !errors.As(got[0], &ve) {
			t.Errorf("violation %T is not a *conformance.ViolationError", got[0])
		}
	}
}
