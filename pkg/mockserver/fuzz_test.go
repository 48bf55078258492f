package mockserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// FuzzHandler sends arbitrary methods, paths, headers and bodies to the handler: it must never panic,
// must answer a status the routed operation documents (404 when nothing is routed), with a JSON body
// except on 204 and archive downloads, and its answers must pass response validation.
func FuzzHandler(f *testing.F) {
	const fuzzScopedToken = "fuzz-scoped-token"
	seeds := []struct {
		method, path, hname, hvalue, body string
		auth                              bool
	}{
		{"GET", "/api/databases/my-db-123/users", "", "", "", true},
		{"POST", "/api/databases/my-db-123/users", "Content-Type", "application/json", `{"database_user":{"name":"fuzz-user","password":null}}`, true},
		{"POST", "/api/databases/my-db-123/users", "Content-Type", "application/json", `{"database_user":{"name":"x"}}`, true},
		{"PATCH", "/api/databases/my-db-123/users/metabase", "Content-Type", "application/json", `{"database_user":{"password":"aaaaaaaaaaaaaaaaaaaaaaaaaa","password_confirmation":"aaaaaaaaaaaaaaaaaaaaaaaaaa"}}`, true},
		{"DELETE", "/api/databases/my-db-123/users/reporting", "", "", "", true},
		{"POST", "/api/databases/my-db-123/backups", "", "", "", true},
		{"GET", "/api/backups/5b8b36104ffb090be1ac3ce1", "", "", "", true},
		{"GET", "/api/databases/my-db-123/backups/5b8b36104ffb090be1ac3ce1/archive", "", "", "", true},
		{"GET", "/api/databases/my-db-123/backups/5b8b36104ffb090be1ac3ce1/download?token=abc.123", "Range", "bytes=0-10", "", false},
		{"PATCH", "/api/databases/my-db-123", "Content-Type", "application/json", `{"database":{"periodic_backups_scheduled_at":[1,2]}}`, true},
		{"PUT", "/api/databases/my-db-123", "Content-Type", "application/json", `{"database":{"maintenance_window":{"weekday_utc":9}}}`, true},
		{"POST", "/api/databases/my-db-123/features", "Content-Type", "application/json", `{"feature":{"name":"force-ssl"}}`, true},
		{"DELETE", "/api/databases/my-db-123/features?feature=force-ssl", "", "", "", true},
		{"POST", "/api/databases/my-mysql-123/action", "Content-Type", "application/json", `{"action_name":"create-database","params":{"database_name":"db1"}}`, true},
		{"POST", "/api/databases/my-db-123/pitr/restore", "Content-Type", "application/json", `{"restore_time":"2026-03-02T09:00:00Z"}`, true},
		{"GET", "/api/databases/my-db-123/maintenance?page=2&per_page=5", "", "", "", true},
		{"GET", "/api/databases/my-db-123/logs_archives?cursor=2", "", "", "", true},
		{"POST", "/api/databases/my-db-123/firewall_rules", "Content-Type", "application/json", `{"type":"custom_range","cidr":"10.0.0.0/8"}`, true},
		{"GET", "/api/database_type_versions/5f217c7a406c12000e889be3", "", "", "", true},
		{"GET", "/api//databases/../x", "", "", "", true},
		{"HEAD", "/api/databases/my-db-123", "", "", "", true},
		{"OPTIONS", "/api/firewall/managed_ranges", "", "", "", false},
		{"POST", "/api/databases/my-db-123/upgrade", "Content-Type", "text/plain", "{", true},
		{"GET", "/api/databases/my-mysql-123/users", "Authorization", "Bearer " + fuzzScopedToken, "", false},
		{"PATCH", "/api/databases/my-db-123", "Authorization", "Bearer " + fuzzScopedToken, "{", false},
		{"GET", "/api/backups/5b8b36104ffb090be1ac3ce1", "Authorization", "Bearer " + fuzzScopedToken, "", false},
		{"GET", "/api/firewall/managed_ranges", "Authorization", "Bearer " + fuzzScopedToken, "", false},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.hname, s.hvalue, []byte(s.body), s.auth)
	}
	v := testValidator(f)
	var mu sync.Mutex
	var violations []error
	srv, err := New(WithSeed(DemoSeed()), WithClock(NewManualClock(t0)), WithValidator(v),
		WithDatabaseToken(DemoMySQLID, fuzzScopedToken),
		WithResponseViolationHandler(func(err error) {
			mu.Lock()
			violations = append(violations, err)
			mu.Unlock()
		}))
	if err != nil {
		f.Fatal(err)
	}
	h := srv.Handler()
	f.Fuzz(func(t *testing.T, method, path, hname, hvalue string, body []byte, auth bool) {
		req, err := http.NewRequest(method, "http://127.0.0.1"+path, bytes.NewReader(body))
		if err != nil || req.URL.Host != "127.0.0.1" {
			return // not a request a client could send
		}
		if hname != "" {
			req.Header.Set(hname, hvalue)
		}
		if auth {
			req.Header.Set("Authorization", "Bearer "+DefaultToken)
		}
		op := srv.operationOf(req)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)

		if op == "" {
			if w.Code != http.StatusNotFound {
				t.Fatalf("%s %q: unroutable, status %d, want 404", method, path, w.Code)
			}
		} else {
			info, ok := v.Operation(op)
			if !ok {
				t.Fatalf("operation %s unknown to the validator", op)
			}
			key := strconv.Itoa(w.Code)
			if !slices.Contains(info.Statuses, key) && !(w.Code >= 500 && slices.Contains(info.Statuses, "5XX")) {
				t.Fatalf("%s %q (%s): status %d not documented (%v); body %s", method, path, op, w.Code, info.Statuses, w.Body)
			}
		}
		download := op == "downloadBackup" && (w.Code == http.StatusOK || w.Code == http.StatusPartialContent)
		if w.Code != http.StatusNoContent && !download {
			if !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") || !json.Valid(w.Body.Bytes()) {
				t.Fatalf("%s %q: status %d, Content-Type %q, body is not JSON: %q", method, path, w.Code, w.Header().Get("Content-Type"), w.Body)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if len(violations) > 0 {
			t.Fatalf("%s %q: response violates the spec: %v", method, path, violations[0])
		}
	})
}
