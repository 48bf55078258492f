package conformance_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

func TestValidator_Operations(t *testing.T) {
	v := newValidator(t)
	ops := v.Operations()
	if len(ops) != 44 {
		t.Fatalf("got %d operations, want 44", len(ops))
	}
	sorted := slices.IsSortedFunc(ops, func(a, b conformance.Operation) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Method, b.Method)
	})
	if !sorted {
		t.Error("operations are not sorted by Path then Method")
	}
	for _, o := range ops {
		if strings.HasPrefix(o.Path, "/api") || !slices.IsSorted(o.Statuses) || len(o.Statuses) == 0 {
			t.Errorf("bad operation %+v", o)
		}
	}
	got, ok := v.Operation("listDatabaseUsers")
	want := conformance.Operation{
		ID: "listDatabaseUsers", Method: "GET", Path: "/databases/{database_id}/users",
		Statuses: []string{"200", "401", "403", "404", "429", "500", "502", "503", "504"},
	}
	if !ok {
		t.Fatal("Operation(listDatabaseUsers) not found")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Operation(listDatabaseUsers) (-want +got):\n%s", diff)
	}
	got.Statuses[0] = "changed"
	if again, _ := v.Operation("listDatabaseUsers"); again.Statuses[0] != "200" {
		t.Error("Operation returns shared slices")
	}
	if _, ok := v.Operation("noSuchOperation"); ok {
		t.Error("Operation(noSuchOperation) found")
	}
}

func TestValidator_Route(t *testing.T) {
	v := newValidator(t)
	tests := []struct {
		method, url string
		wantOp      string
		wantParams  map[string]string
	}{
		{"GET", "https://db-api.osc-fr1.scalingo.com/api/databases/my-db-123/users", "listDatabaseUsers", map[string]string{"database_id": "my-db-123"}},
		{"GET", "https://db-api.osc-secnum-fr1.scalingo.com/api/databases/my-db-123/users", "listDatabaseUsers", map[string]string{"database_id": "my-db-123"}},
		{"GET", "http://127.0.0.1:39211/api/databases/my-db-123/users", "listDatabaseUsers", map[string]string{"database_id": "my-db-123"}},
		{"GET", "/api/databases/my-db-123/users", "listDatabaseUsers", map[string]string{"database_id": "my-db-123"}},
		{"POST", "/api/databases/d/users/u/reset_password", "resetDatabaseUserPassword", map[string]string{"database_id": "d", "username": "u"}},
		{"GET", "/api/backups/b1", "getBackup", map[string]string{"backup_id": "b1"}},
		{"DELETE", "/api/databases/d/features?feature=force-ssl", "disableDatabaseFeature", map[string]string{"database_id": "d"}},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.url, func(t *testing.T) {
			r, err := v.Route(httptest.NewRequest(tt.method, tt.url, nil))
			if err != nil {
				t.Fatalf("Route: %v", err)
			}
			if r.Operation.ID != tt.wantOp {
				t.Errorf("operation = %s, want %s", r.Operation.ID, tt.wantOp)
			}
			if diff := cmp.Diff(tt.wantParams, r.PathParams); diff != "" {
				t.Errorf("params (-want +got):\n%s", diff)
			}
		})
	}
	for _, bad := range []struct{ method, url string }{
		{"GET", "/api/nothing"},
		{"GET", "/databases/my-db-123/users"}, // no /api prefix
		{"PUT", "/api/databases/my-db-123/users"},
		{"GET", "/api/databases/my-db-123/users/u/extra/segments"},
	} {
		_, err := v.Route(httptest.NewRequest(bad.method, bad.url, nil))
		var ve *conformance.ViolationError
		if !errors.As(err, &ve) || ve.Violations[0].Kind != conformance.KindRoute {
			t.Errorf("Route(%s %s) = %v, want a route violation", bad.method, bad.url, err)
		}
		var vi *conformance.Violation
		if !errors.As(err, &vi) || vi.Kind != conformance.KindRoute || vi.Path != strings.SplitN(bad.url, "?", 2)[0] {
			t.Errorf("Route(%s %s): errors.As to *Violation gives %v", bad.method, bad.url, vi)
		}
	}
}

func TestValidator_ValidateRequest(t *testing.T) {
	v := newValidator(t)
	const (
		users    = "/api/databases/my-db-123/users"
		download = "/api/databases/my-db-123/backups/b1/download"
	)
	goodUser := `{"database_user":{"database_id":"my-db-123","name":"my-user","read_only":false,"password":null}}`
	tests := []struct {
		name        string
		method, url string
		header      http.Header
		body        string
		wantKind    conformance.Kind // "" when the request is good
		wantPointer string
	}{
		{"create user", "POST", users, jsonCT, goodUser, "", ""},
		{"create user, charset", "POST", users, hdr("Content-Type", "application/json; charset=utf-8"), goodUser, "", ""},
		{"list users", "GET", users, nil, "", "", ""},
		{"create backup, no body", "POST", "/api/databases/my-db-123/backups", nil, "", "", ""},
		{"create backup, empty object", "POST", "/api/databases/my-db-123/backups", jsonCT, "{}", "", ""},
		{"maintenance page", "GET", "/api/databases/my-db-123/maintenance?page=2&per_page=100", nil, "", "", ""},
		{"download with range", "GET", download + "?token=t", hdr("Range", "bytes=0-1023"), "", "", ""},
		{"update database, hour as int", "PATCH", "/api/databases/my-db-123", jsonCT, `{"database":{"periodic_backups_scheduled_at":3}}`, "", ""},
		{"update database, hours as list", "PUT", "/api/databases/my-db-123", jsonCT, `{"database":{"periodic_backups_scheduled_at":[3,4]}}`, "", ""},

		{"malformed JSON", "POST", users, jsonCT, `{"database_user":`, conformance.KindBody, ""},
		{"missing body", "POST", users, jsonCT, "", conformance.KindBody, ""},
		{"wrong content type", "POST", users, hdr("Content-Type", "text/plain"), goodUser, conformance.KindContentType, "header Content-Type"},
		{"missing content type", "POST", users, nil, goodUser, conformance.KindContentType, "header Content-Type"},
		{"invalid user name", "POST", users, jsonCT, `{"database_user":{"name":"Not Valid!"}}`, conformance.KindSchema, "/database_user/name"},
		{"short password", "POST", users, jsonCT, `{"database_user":{"name":"my-user","password":"short"}}`, conformance.KindSchema, "/database_user/password"},
		{"missing envelope", "POST", users, jsonCT, `{"name":"my-user"}`, conformance.KindSchema, "/database_user"},
		{"hour out of range", "PATCH", "/api/databases/my-db-123", jsonCT, `{"database":{"periodic_backups_scheduled_at":24}}`, conformance.KindSchema, "/database/periodic_backups_scheduled_at"},
		{"body on a GET", "GET", users, jsonCT, `{"x":1}`, conformance.KindBody, ""},
		{"page zero", "GET", "/api/databases/my-db-123/maintenance?page=0", nil, "", conformance.KindParameter, "query page"},
		{"page not a number", "GET", "/api/databases/my-db-123/maintenance?page=abc", nil, "", conformance.KindParameter, "query page"},
		{"missing token", "GET", download, nil, "", conformance.KindParameter, "query token"},
		{"bad range", "GET", download + "?token=t", hdr("Range", "pages=1"), "", conformance.KindParameter, "header Range"},
		{"unknown path", "GET", "/api/unknown", nil, "", conformance.KindRoute, ""},
		{"two Range lines", "GET", download + "?token=t", http.Header{"Range": {"bytes=0-1", "bytes=5-9"}}, "", conformance.KindParameter, "header Range"},
		{"two Content-Type lines", "POST", users, http.Header{"Content-Type": {"application/json", "text/plain"}}, goodUser, conformance.KindContentType, "header Content-Type"},
		{"integer written 3.0", "PATCH", "/api/databases/my-db-123", jsonCT, `{"database":{"periodic_backups_scheduled_at":3.0}}`, conformance.KindSchema, "/database/periodic_backups_scheduled_at"},
		{"repeated key", "POST", users, jsonCT, `{"database_user":{"name":"my-user","name":"other"}}`, conformance.KindSchema, "/database_user/name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req := httptest.NewRequest(tt.method, tt.url, body)
			for k, vs := range tt.header {
				req.Header[k] = vs
			}
			_, err := v.ValidateRequest(req)
			if tt.wantKind == "" {
				if err != nil {
					t.Fatalf("ValidateRequest: %v", err)
				}
			} else {
				var ve *conformance.ViolationError
				if !errors.As(err, &ve) {
					t.Fatalf("ValidateRequest = %v, want a *ViolationError", err)
				}
				got := ve.Violations[0]
				if got.Kind != tt.wantKind || got.Pointer != tt.wantPointer || got.In != "request" || got.Status != 0 {
					t.Errorf("violation = (%s, %q, %s, %d), want (%s, %q, request, 0)\n%v",
						got.Kind, got.Pointer, got.In, got.Status, tt.wantKind, tt.wantPointer, err)
				}
				if len(err.Error()) >= 400 {
					t.Errorf("Error() is %d chars:\n%v", len(err.Error()), err)
				}
			}
			if tt.body != "" {
				again, _ := io.ReadAll(req.Body)
				if string(again) != tt.body {
					t.Errorf("body after validation = %q, want %q", again, tt.body)
				}
			}
		})
	}
}

// TestValidator_ValidateRequest_NoSecretInMessages checks that a rejected password is not echoed.
func TestValidator_ValidateRequest_NoSecretInMessages(t *testing.T) {
	v := newValidator(t)
	const secret = "hunter2-but-long-enough-to-be-maybe"
	body := `{"database_user":{"name":"my-user","password":"` + secret + strings.Repeat("x", 40) + `"}}`
	req := httptest.NewRequest("POST", "/api/databases/d/users", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	_, err := v.ValidateRequest(req)
	if err == nil {
		t.Fatal("a 75-character password passed")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("the password leaked into the error:\n%v", err)
	}
}

// TestValidator_ValidateRequest_NestedOneOf checks that a violation inside one branch of a nested
// oneOf names its own pointer, and that a value no branch can take names the branches.
func TestValidator_ValidateRequest_NestedOneOf(t *testing.T) {
	v := newValidator(t)
	tests := []struct {
		name, body, wantPointer, wantExpected string
	}{
		{"an hour out of range in the list", `{"database":{"periodic_backups_scheduled_at":[3,25]}}`,
			"/database/periodic_backups_scheduled_at/1", "at most 23"},
		{"neither an hour nor a list", `{"database":{"periodic_backups_scheduled_at":"3"}}`,
			"/database/periodic_backups_scheduled_at", "oneOf [BackupHour, BackupHours]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPatch, "/api/databases/my-db-123", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			_, err := v.ValidateRequest(req)
			wantOneViolation(t, err, tt.wantPointer, tt.wantExpected)
		})
	}
}
