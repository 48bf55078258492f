package respcheck

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/respond"
)

// TestCheckResponses proves the answers are checked: a broken answer is reported every
// time (memoised or not), a valid one never.
func TestCheckResponses(t *testing.T) {
	v, err := conformance.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, memo := range []bool{true, false} {
		var got []error
		c := New(v, memo, func(err error) { got = append(got, err) })
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
			c.Middleware(answer(tc.body)).ServeHTTP(w, req)
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

// TestCheckResponses_CachedList: an answer written from a cached list body marks the body valid
// once it passes, so that it is not validated again; a broken one is never marked and is reported
// every time it is served.
func TestCheckResponses_CachedList(t *testing.T) {
	v, err := conformance.New()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		items string
		valid bool
	}{
		{"valid list", `{"name":"metabase","read_only":true}`, true},
		{"broken list", `{"name":1,"read_only":true}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []error
			c := New(v, true, func(err error) { got = append(got, err) })
			list := respond.EncodeList("database-users", slices.Values([]string{tc.items}), func(s string) []byte { return []byte(s) })
			serve := c.Middleware(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				_ = respond.Cached(list).Write(w)
			}))
			for i := range 2 {
				w := httptest.NewRecorder()
				serve.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/databases/my-db-123/users", nil))
				if w.Body.String() != string(list.Raw) {
					t.Fatalf("serve %d: body changed to %q", i, w.Body)
				}
				if list.Valid.Load() != tc.valid {
					t.Fatalf("serve %d: valid %v, want %v (violations %v)", i, list.Valid.Load(), tc.valid, got)
				}
			}
			if want := map[bool]int{true: 0, false: 2}[tc.valid]; len(got) != want {
				t.Errorf("%d violations reported, want %d", len(got), want)
			}
		})
	}
}
