package conformance_test

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// A client whose transport validates every response: a server that drifted from the spec makes
// the call fail with a short, readable violation.
func ExampleValidator_Transport() {
	v, err := conformance.New()
	if err != nil {
		log.Fatal(err)
	}
	// A drifted server: "paused" is not a backup status of the spec.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"database_backups":[{"id":"b1","created_at":"2024-01-02T03:04:05Z",`+
			`"name":"nightly","status":"paused","database_id":"my-db-123"}]}`)
	}))
	defer srv.Close()

	client := &http.Client{Transport: v.Transport(nil)}
	_, err = client.Get(srv.URL + "/api/databases/my-db-123/backups")

	var ve *conformance.ViolationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Violations[0])
	}
	// Output:
	// listBackups GET /api/databases/my-db-123/backups -> 200: response schema violation at /database_backups/0/status
	//   expected: one of [scheduled pending running done error cancelling cancelled]
	//   got:      "paused"
}

// A server handler behind the middleware: requests that break the spec get the documented error
// answers, and the handler's answers are checked on their way out.
func ExampleValidator_Middleware() {
	v, err := conformance.New()
	if err != nil {
		log.Fatal(err)
	}
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"database_user":{"name":"my-user","read_only":false,"password":"K_gaef6ripo7Ao4Uaxai6Kiey"}}`)
	})
	h := v.Middleware(api, conformance.OnResponseViolation(func(ve *conformance.ViolationError) {
		fmt.Println("drift:", ve)
	}))

	req := httptest.NewRequest("POST", "/api/databases/my-db-123/users",
		strings.NewReader(`{"database_user":{"name":"Bad Name"}}`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body)
	// Output:
	// 422 {"errors":{"name":["must match ^[a-z0-9]+(-[a-z0-9]+)*$"]}}
}

// Coverage records the (operation, status) pairs a run has seen; statuses the target cannot
// produce can be excluded from the totals.
func ExampleCoverage() {
	v, err := conformance.New()
	if err != nil {
		log.Fatal(err)
	}
	cov := conformance.NewCoverage(v)
	cov.Record("listDatabaseUsers", 200)
	cov.Record("listDatabaseUsers", 503)

	report := cov.Report().Excluding([2]string{"*", "429"})
	for _, e := range report.Entries {
		if e.OperationID == "listDatabaseUsers" {
			fmt.Println(e.Status, e.Hits, e.Excluded)
		}
	}
	if err := report.WriteJSON(io.Discard); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 200 1 false
	// 401 0 false
	// 403 0 false
	// 404 0 false
	// 429 0 true
	// 500 0 false
	// 502 0 false
	// 503 1 false
	// 504 0 false
}

// A server that routes with the spec itself: Match finds each request's operation and records its
// path values, as a ServeMux would, and each operation's handler sits behind an
// OperationMiddleware, which checks its traffic without routing again.
func ExampleValidator_Match() {
	v, err := conformance.New()
	if err != nil {
		log.Fatal(err)
	}
	listUsers, err := v.OperationMiddleware("listDatabaseUsers", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("listing the users of", r.PathValue("database_id"), "matched by", r.Pattern)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"database-users":[]}`)
	}))
	if err != nil {
		log.Fatal(err)
	}
	byOperation := map[string]http.Handler{"listDatabaseUsers": listUsers}
	server := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, ok := v.Match(r); ok && byOperation[id] != nil {
			byOperation[id].ServeHTTP(w, r)
			return
		}
		http.NotFound(w, r)
	})

	for _, path := range []string{"/api/databases/my%20db/users", "/api/databases/../users"} {
		rec := httptest.NewRecorder()
		server.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		fmt.Println(rec.Code)
	}
	// Output:
	// listing the users of my db matched by GET /api/databases/{database_id}/users
	// 200
	// 404
}
