package conformance_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestValidator_Middleware_ConcurrentParams runs requests of operations with zero to three path
// parameters, good and bad, from several goroutines through one middleware: the pooled path
// parameter maps never mix two requests (run it with -race), and each request gets its own verdict.
func TestValidator_Middleware_ConcurrentParams(t *testing.T) {
	v := newValidator(t)
	var calls atomic.Int32
	h := v.Middleware(handlerFor(http.StatusNotFound, "application/json", `{"error":"not found"}`, &calls))
	tests := []struct {
		url  string
		want int
	}{
		{"/api/firewall/managed_ranges", http.StatusNotFound},
		{"/api/databases/db-{n}/users", http.StatusNotFound},
		{"/api/databases/db-{n}/maintenance?page=0", http.StatusBadRequest},
		{"/api/databases/db-{n}/maintenance?page=1", http.StatusNotFound},
		{"/api/databases/db-{n}/maintenance/m-{n}", http.StatusNotFound},
		{"/api/databases/db-{n}/users/user-{n}", http.StatusNotFound},
		{"/api/databases/db-{n}/backups/b-{n}/archive", http.StatusNotFound},
		{"/api/databases/db-{n}/nothing", http.StatusNotFound},
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				tc := tests[(g+i)%len(tests)]
				url := strings.ReplaceAll(tc.url, "{n}", strconv.Itoa(i))
				method := http.MethodGet
				if tc.url == "/api/databases/db-{n}/users/user-{n}" {
					method = http.MethodDelete
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(method, url, nil))
				if w.Code != tc.want {
					t.Errorf("%s %s: status %d %s, want %d", method, url, w.Code, w.Body, tc.want)
					return
				}
			}
		})
	}
	wg.Wait()
	if calls.Load() == 0 {
		t.Error("no request reached the handler")
	}
}
