package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// createBackupBody is a 201 createBackup answer in its envelope, as the API sends it.
var createBackupBody = []byte(`{"database_backup":{"id":"5b8b36104ffb090be1ac3ce1","created_at":"2018-09-02T03:00:00.178+02:00","started_at":null,"name":"20180902010000_kibana-3938","size":null,"status":"scheduled","database_id":"597601234ffb097af4f3099b","method":"manual"}}`)

var usersBody = []byte(`{"database-users":[{"name":"my-db-123","read_only":false,"protected":true,"dbms_attributes":{"password_encryption":"SCRAM-SHA-256"}},{"name":"metabase","read_only":true,"protected":false,"dbms_attributes":{"password_encryption":"SCRAM-SHA-256"}}]}`)

func jsonHeader() http.Header {
	return http.Header{"Content-Type": {"application/json; charset=utf-8"}}
}

// BenchmarkCreateBackupResponse compares validating a createBackup answer with decoding it into the
// generated type. The ratio case runs both in turn and reports validate/decode (goal: <= 1.5); the
// kin-defaults case is the cost of routing with gorillamux and openapi3filter.ValidateResponse with
// default options, the starting point, whose ratio to decode is reported as kin-defaults/decode.
func BenchmarkCreateBackupResponse(b *testing.B) {
	v := mustNew(b)
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080/api/databases/my-db-123/backups", nil)
	header := jsonHeader()
	if err := v.ValidateResponse(req, 201, header, createBackupBody); err != nil {
		b.Fatal(err)
	}
	kinRouter, err := gorillamux.NewRouter(v.doc)
	if err != nil {
		b.Fatal(err)
	}
	perOp := map[string]float64{}
	run := func(name string, f func(b *testing.B)) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			start := time.Now()
			f(b)
			perOp[name] = float64(time.Since(start).Nanoseconds()) / float64(b.N)
		})
	}
	run("validate", func(b *testing.B) {
		for b.Loop() {
			if err := v.ValidateResponse(req, 201, header, createBackupBody); err != nil {
				b.Fatal(err)
			}
		}
	})
	run("decode", func(b *testing.B) {
		for b.Loop() {
			var out dbapi.BackupResponse
			if err := json.Unmarshal(createBackupBody, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	run("kin-defaults", func(b *testing.B) {
		ctx := context.Background()
		for b.Loop() {
			route, params, err := kinRouter.FindRoute(req)
			if err != nil {
				b.Fatal(err)
			}
			in := &openapi3filter.ResponseValidationInput{
				RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
				Status:                 201,
				Header:                 header,
				Body:                   io.NopCloser(bytes.NewReader(createBackupBody)),
			}
			if err := openapi3filter.ValidateResponse(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	})
	// ratio interleaves both, so that the noise of a shared machine hits them alike.
	b.Run("ratio", func(b *testing.B) {
		var tv, td time.Duration
		for b.Loop() {
			t0 := time.Now()
			if err := v.ValidateResponse(req, 201, header, createBackupBody); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			var out dbapi.BackupResponse
			if err := json.Unmarshal(createBackupBody, &out); err != nil {
				b.Fatal(err)
			}
			tv += t1.Sub(t0)
			td += time.Since(t1)
		}
		b.ReportMetric(float64(tv)/float64(td), "validate/decode")
		if perOp["decode"] > 0 && perOp["kin-defaults"] > 0 {
			b.ReportMetric(perOp["kin-defaults"]/perOp["decode"], "kin-defaults/decode")
		}
	})
}

// BenchmarkListUsers measures the mock's hot path: validating GET /api/databases/my-db-123/users and
// its answer, next to decoding the answer into the generated type.
func BenchmarkListUsers(b *testing.B) {
	v := mustNew(b)
	req := httptest.NewRequest(http.MethodGet, "/api/databases/my-db-123/users", nil)
	header := jsonHeader()
	b.Run("request+response", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.ValidateRequest(req); err != nil {
				b.Fatal(err)
			}
			if err := v.ValidateResponse(req, 200, header, usersBody); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var out dbapi.DatabaseUsersResponse
			if err := json.Unmarshal(usersBody, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkMiddleware compares a handler answering GET /api/databases/my-db-123/users bare and
// behind the validating middleware (request and response checked), without the network.
func BenchmarkMiddleware(b *testing.B) {
	v := mustNew(b)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(usersBody)
	})
	var violations int
	validated := v.Middleware(handler, OnResponseViolation(func(*ViolationError) { violations++ }))
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{{"bare", handler}, {"validated", validated}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, "/api/databases/my-db-123/users", nil)
				rec := httptest.NewRecorder()
				bc.h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
	}
	if violations > 0 {
		b.Fatalf("%d violations", violations)
	}
}

// badBackupBodies are createBackup answers that break the schema in one way each, so that the
// benchmarks below go through the violation builder (fromSchemaError) for its main keywords.
var badBackupBodies = map[string][]byte{
	"required": []byte(`{"database_backup":{"created_at":"2018-09-02T03:00:00.178+02:00","started_at":null,"name":"n","size":null,"status":"scheduled","database_id":"597601234ffb097af4f3099b","method":"manual"}}`),
	"enum":     []byte(`{"database_backup":{"id":"5b8b36104ffb090be1ac3ce1","created_at":"2018-09-02T03:00:00.178+02:00","started_at":null,"name":"n","size":null,"status":"lost","database_id":"597601234ffb097af4f3099b","method":"manual"}}`),
	"type":     []byte(`{"database_backup":{"id":"5b8b36104ffb090be1ac3ce1","created_at":"2018-09-02T03:00:00.178+02:00","started_at":null,"name":"n","size":"big","status":"scheduled","database_id":"597601234ffb097af4f3099b","method":"manual"}}`),
	"format":   []byte(`{"database_backup":{"id":"5b8b36104ffb090be1ac3ce1","created_at":"yesterday","started_at":null,"name":"n","size":null,"status":"scheduled","database_id":"597601234ffb097af4f3099b","method":"manual"}}`),
}

// BenchmarkResponseViolations measures validating createBackup answers that break the schema, the
// path that builds violations from kin-openapi's schema errors.
func BenchmarkResponseViolations(b *testing.B) {
	v := mustNew(b)
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080/api/databases/my-db-123/backups", nil)
	header := jsonHeader()
	for _, name := range []string{"required", "enum", "type", "format"} {
		body := badBackupBodies[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := v.ValidateResponse(req, 201, header, body); err == nil {
					b.Fatal("no violation")
				}
			}
		})
	}
}

// BenchmarkFromSchemaError measures building a violation from kin-openapi's schema error of each
// keyword the builder knows, the part of BenchmarkResponseViolations that the table of
// expectations changed.
func BenchmarkFromSchemaError(b *testing.B) {
	limit, low := uint64(8), 1.5
	str := &openapi3.Types{"string"}
	errs := []*openapi3.SchemaError{
		{SchemaField: "required", Value: map[string]any{}},
		{SchemaField: "enum", Value: "lost", Schema: &openapi3.Schema{Enum: []any{"scheduled", "done"}}},
		{SchemaField: "format", Value: "x", Schema: &openapi3.Schema{Type: str, Format: "date-time"}},
		{SchemaField: "type", Value: "big", Schema: &openapi3.Schema{Type: &openapi3.Types{"integer"}}},
		{SchemaField: "pattern", Value: "ftp:", Schema: &openapi3.Schema{Pattern: "^https?://"}},
		{SchemaField: "maxLength", Value: "abcdefghij", Schema: &openapi3.Schema{MaxLength: &limit}},
		{SchemaField: "minimum", Value: 1.0, Schema: &openapi3.Schema{Min: &low}},
		{SchemaField: "multipleOf", Value: 3.0, Schema: &openapi3.Schema{}, Reason: "not a multiple"},
	}
	tmpl := Violation{OperationID: "createBackup", In: "response", Status: 201}
	b.ReportAllocs()
	for b.Loop() {
		for _, se := range errs {
			if v := fromSchemaError(se, tmpl, ""); v.Expected == "" {
				b.Fatal("no expectation")
			}
		}
	}
}
