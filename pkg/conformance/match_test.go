package conformance_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// pathParamNames are the path parameters of the spec, in the order the paths use them.
var pathParamNames = []string{"database_id", "backup_id", "username", "maintenance_id", "firewall_rule_id", "database_type_version_id",
	"restoration_id", "operation_id", "plan_name", "metric_type", "instance_id", "database_type_id"}

// matchSeen is what a ServeMux or Match tells a handler about the request it serves.
type matchSeen struct {
	Pattern string
	Values  map[string]string
}

func seenBy(r *http.Request) matchSeen {
	s := matchSeen{Pattern: r.Pattern, Values: map[string]string{}}
	for _, name := range pathParamNames {
		if v := r.PathValue(name); v != "" {
			s.Values[name] = v
		}
	}
	return s
}

// TestValidator_Match_AgreesWithServeMux registers every operation of the spec on an
// http.ServeMux, under its "METHOD /api/path" pattern, and checks that Match finds the same
// operation, pattern and path values as the ServeMux, with IDs plain and percent-encoded, and that
// both refuse the same paths.
func TestValidator_Match_AgreesWithServeMux(t *testing.T) {
	v := newValidator(t)
	mux := http.NewServeMux()
	var fromMux matchSeen
	opOfPattern := map[string]string{}
	for _, op := range v.Operations() {
		pattern := op.Method + " /api" + op.Path
		opOfPattern[pattern] = op.ID
		mux.HandleFunc(pattern, func(_ http.ResponseWriter, r *http.Request) { fromMux = seenBy(r) })
	}
	var urls []struct{ method, target string }
	for _, op := range v.Operations() {
		for _, id := range []string{"plain-id", "with%20space", "a%2Fslash", "caf%C3%A9"} {
			path := op.Path
			for _, name := range pathParamNames {
				path = strings.ReplaceAll(path, "{"+name+"}", id+"-"+strings.ReplaceAll(name, "_", "-"))
			}
			urls = append(urls, struct{ method, target string }{op.Method, "/api" + path})
		}
	}
	urls = append(urls, []struct{ method, target string }{
		{"GET", "/api/databases/x/users/"},            // trailing slash
		{"PATCH", "/api/databases/x/users"},           // a method the path does not have
		{"GET", "/databases/x/users"},                 // no /api
		{"GET", "/api/nothing/here"},                  // unknown
		{"GET", "/api/databases/x/users/y/z/w/v/u/t"}, // too deep
	}...)
	matched := 0
	for _, u := range urls {
		fromMux = matchSeen{}
		muxReq := httptest.NewRequest(u.method, u.target, nil)
		_, pattern := mux.Handler(muxReq)
		mux.ServeHTTP(httptest.NewRecorder(), muxReq)

		r := httptest.NewRequest(u.method, u.target, nil)
		id, ok := v.Match(r)
		if want := opOfPattern[pattern]; id != want || ok != (want != "") {
			t.Errorf("%s %s: Match = %q, %v; the ServeMux serves %q (%q)", u.method, u.target, id, ok, want, pattern)
			continue
		}
		if !ok {
			if got := seenBy(r); got.Pattern != "" || len(got.Values) > 0 {
				t.Errorf("%s %s: no match, but the request was changed: %+v", u.method, u.target, got)
			}
			continue
		}
		matched++
		if diff := cmp.Diff(fromMux, seenBy(r)); diff != "" {
			t.Errorf("%s %s: ServeMux (-) and Match (+) disagree:\n%s", u.method, u.target, diff)
		}
	}
	if want := 4 * len(v.Operations()); matched != want {
		t.Errorf("%d requests matched, want %d", matched, want)
	}
}

// TestValidator_Match_Refuses checks the places where Match and a ServeMux part: a ServeMux
// redirects a path that is not clean, and a GET pattern of a ServeMux also serves HEAD, which no
// operation of the spec documents. Match finds no operation for either.
func TestValidator_Match_Refuses(t *testing.T) {
	v := newValidator(t)
	for _, tc := range []struct{ method, target string }{
		{http.MethodHead, "/api/databases/x/users"},
		{http.MethodGet, "/api/databases//users"},
		{http.MethodGet, "/api/databases/x/../users"},
		{http.MethodGet, "/api/databases/../users"}, // would be listDatabaseUsers of database ".."
		{http.MethodGet, "/api/databases/./users"},
	} {
		if id, ok := v.Match(httptest.NewRequest(tc.method, tc.target, nil)); ok {
			t.Errorf("%s %s matched %q", tc.method, tc.target, id)
		}
	}
}

// TestValidator_OperationMiddleware_AgreesWithMiddleware serves the same requests through
// Middleware, which routes, and through Match followed by OperationMiddleware, which does not:
// the answers and the calls of the handler must be the same.
func TestValidator_OperationMiddleware_AgreesWithMiddleware(t *testing.T) {
	v := newValidator(t)
	var routedCalls, boundCalls atomic.Int32
	routed := v.Middleware(handlerFor(201, "application/json", newUser, &routedCalls))
	bound := map[string]http.Handler{}
	for _, op := range v.Operations() {
		h, err := v.OperationMiddleware(op.ID, handlerFor(201, "application/json", newUser, &boundCalls))
		if err != nil {
			t.Fatal(err)
		}
		bound[op.ID] = h
	}
	const users = "/api/databases/my-db-123/users"
	for _, tc := range []struct{ method, target, contentType, body string }{
		{"POST", users, "application/json", `{"database_user":{"name":"my-user"}}`},
		{"POST", users, "application/json", `{"database_user":`},
		{"POST", users, "text/plain", `{"database_user":{"name":"my-user"}}`},
		{"POST", users, "application/json", `{"database_user":{"name":"No!"}}`},
		{"POST", users, "application/json", `{"database_user":{}}`},
		{"GET", "/api/databases/my-db-123/maintenance?page=0", "", ""},
		{"GET", "/api/databases/my-db-123/maintenance?page=2", "", ""},
		{"POST", "/api/databases/my-db-123/upgrade", "text/plain", "garbage"},
		{"POST", "/api/databases/my%20db/users/my-user/reset_password", "text/plain", "garbage"},
		{"GET", "/api/databases/my-db-123/backups/b%2F1/download?token=t", "", ""},
		{"GET", "/api/databases/my-db-123/backups/b%2F1/download", "", ""},
	} {
		newReq := func() *http.Request {
			r := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
			if tc.contentType != "" {
				r.Header.Set("Content-Type", tc.contentType)
			}
			return r
		}
		want := httptest.NewRecorder()
		routed.ServeHTTP(want, newReq())

		r := newReq()
		id, ok := v.Match(r)
		if !ok {
			t.Errorf("%s %s: no match", tc.method, tc.target)
			continue
		}
		got := httptest.NewRecorder()
		bound[id].ServeHTTP(got, r)
		if got.Code != want.Code || got.Body.String() != want.Body.String() {
			t.Errorf("%s %s (%s): bound %d %s, routed %d %s", tc.method, tc.target, id, got.Code, got.Body, want.Code, want.Body)
		}
		if boundCalls.Load() != routedCalls.Load() {
			t.Errorf("%s %s: handler called %d times bound, %d routed", tc.method, tc.target, boundCalls.Load(), routedCalls.Load())
		}
	}
	if routedCalls.Load() == 0 {
		t.Error("no request reached the handler: the table checks nothing that passes")
	}
}

// TestValidator_OperationMiddleware_DoesNotRoute mounts createDatabaseUser's middleware on paths
// of its own: it checks every request as createDatabaseUser, whatever the path says, and reports a
// path parameter that the mount does not provide.
func TestValidator_OperationMiddleware_DoesNotRoute(t *testing.T) {
	v := newValidator(t)
	var calls atomic.Int32
	h, err := v.OperationMiddleware("createDatabaseUser", handlerFor(201, "application/json", newUser, &calls))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /elsewhere/{database_id}", h)
	mux.Handle("POST /no-params", h)
	for _, tc := range []struct {
		target, body string
		want         int
		wantIn       string // a piece of the error body
	}{
		{"/elsewhere/my-db-123", `{"database_user":{"name":"my-user"}}`, 201, ""},
		{"/elsewhere/my-db-123", `{"database_user":{"name":"No!"}}`, 422, "must match"},
		{"/no-params", `{"database_user":{"name":"my-user"}}`, 400, "database_id"},
	} {
		calls.Store(0)
		req := httptest.NewRequest(http.MethodPost, tc.target, strings.NewReader(tc.body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != tc.want || !strings.Contains(rec.Body.String(), tc.wantIn) {
			t.Errorf("POST %s %s: %d %s, want %d with %q", tc.target, tc.body, rec.Code, rec.Body, tc.want, tc.wantIn)
		}
		if wantCalls := int32(map[bool]int{true: 1}[tc.want == 201]); calls.Load() != wantCalls {
			t.Errorf("POST %s: handler called %d times, want %d", tc.target, calls.Load(), wantCalls)
		}
	}
	if _, err := v.OperationMiddleware("noSuchOperation", h); err == nil {
		t.Error("OperationMiddleware accepted an unknown operation")
	}
}

// TestValidator_OperationMiddleware_Responses checks that a bound middleware reports the
// responses of its operation that break the spec, and only those.
func TestValidator_OperationMiddleware_Responses(t *testing.T) {
	v := newValidator(t)
	var got []*conformance.ViolationError
	report := conformance.OnResponseViolation(func(ve *conformance.ViolationError) { got = append(got, ve) })
	for _, tc := range []struct {
		body    string
		wantBad bool
	}{
		{newUser, false},
		{`{"database_user":{"name":42}}`, true},
	} {
		got = nil
		var calls atomic.Int32
		h, err := v.OperationMiddleware("createDatabaseUser", handlerFor(201, "application/json", tc.body, &calls), report)
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest(http.MethodPost, "/api/databases/my-db-123/users", strings.NewReader(`{"database_user":{"name":"my-user"}}`))
		r.Header.Set("Content-Type", "application/json")
		if _, ok := v.Match(r); !ok {
			t.Fatal("no match")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Body.String() != tc.body {
			t.Errorf("body %q sent as %q", tc.body, rec.Body)
		}
		if (len(got) > 0) != tc.wantBad {
			t.Errorf("answer %s: violations %v", tc.body, got)
		}
		if tc.wantBad && len(got) > 0 && got[0].Violations[0].OperationID != "createDatabaseUser" {
			t.Errorf("violation names %q", got[0].Violations[0].OperationID)
		}
	}
}
