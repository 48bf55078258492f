package conformance_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

const (
	host    = "https://db-api.osc-fr1.scalingo.com"
	backup  = `{"id":"5b8b36104ffb090be1ac3ce1","created_at":"2018-09-02T03:00:00.178+02:00","started_at":null,"name":"20180902010000_kibana-3938","size":null,"status":"scheduled","database_id":"597601234ffb097af4f3099b","method":"manual"}`
	users   = `{"database-users":[{"name":"my-db-123","read_only":false,"protected":true,"dbms_attributes":{"password_encryption":"SCRAM-SHA-256"}}]}`
	newUser = `{"database_user":{"name":"my-user","read_only":false,"protected":false,"password":"K_gaef6ripo7Ao4Uaxai6Kiey"}}`
)

func newValidator(t testing.TB, opts ...conformance.Option) *conformance.Validator {
	t.Helper()
	v, err := conformance.New(opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return v
}

// wantOneViolation fails the test unless err is a *conformance.ViolationError holding exactly one
// violation, at pointer, whose Expected contains expected.
func wantOneViolation(t *testing.T, err error, pointer, expected string) {
	t.Helper()
	var ve *conformance.ViolationError
	if !errors.As(err, &ve) || len(ve.Violations) != 1 {
		t.Fatalf("error = %v, want one violation", err)
	}
	got := ve.Violations[0]
	if got.Pointer != pointer || !strings.Contains(got.Expected, expected) {
		t.Errorf("violation at %q expecting %q, want %q expecting %q", got.Pointer, got.Expected, pointer, expected)
	}
}

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

var jsonCT = hdr("Content-Type", "application/json")

// withBackup returns backup with one field replaced (or removed when value is "").
func withBackup(field, value string) string {
	return replaceField(backup, field, value)
}

func replaceField(doc, field, value string) string {
	start := strings.Index(doc, `"`+field+`":`)
	if start < 0 {
		panic("no field " + field)
	}
	end := start + len(field) + 3
	depth := 0
	inString := false
	for ; end < len(doc); end++ {
		c := doc[end]
		if inString {
			if c == '\\' {
				end++
			} else if c == '"' {
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
			continue
		case '{', '[':
			depth++
			continue
		case '}', ']':
			if depth == 0 {
				goto done
			}
			depth--
			continue
		case ',':
			if depth == 0 {
				goto done
			}
		}
	}
done:
	if value == "" {
		if doc[end] == ',' {
			end++
		} else if doc[start-1] == ',' {
			start--
		}
		return doc[:start] + doc[end:]
	}
	return doc[:start] + `"` + field + `":` + value + doc[end:]
}

func TestValidator_ValidateResponse_Good(t *testing.T) {
	v := newValidator(t)
	tests := []struct {
		name   string
		method string
		url    string
		status int
		header http.Header
		body   string
	}{
		{"list users", "GET", host + "/api/databases/my-db-123/users", 200, jsonCT, users},
		{"list users, charset", "GET", "http://127.0.0.1:8080/api/databases/my-db-123/users", 200, hdr("Content-Type", "application/json; charset=utf-8"), users},
		{"list users, empty", "GET", "/api/databases/my-db-123/users", 200, jsonCT, `{"database-users":[]}`},
		{"create backup, enveloped", "POST", host + "/api/databases/my-db-123/backups", 201, jsonCT, `{"database_backup":` + backup + `}`},
		{"create backup, bare", "POST", host + "/api/databases/my-db-123/backups", 201, jsonCT, backup},
		{"create backup, size zero", "POST", host + "/api/databases/my-db-123/backups", 201, jsonCT, withBackup("size", "0")},
		{"create backup, Z offset", "POST", host + "/api/databases/my-db-123/backups", 201, jsonCT, withBackup("created_at", `"2018-09-02T01:00:00Z"`)},
		{"get backup", "GET", host + "/api/backups/5b8b36104ffb090be1ac3ce1", 200, jsonCT, `{"database_backup":` + withBackup("size", "17484513608") + `}`},
		{"create user", "POST", host + "/api/databases/my-db-123/users", 201, jsonCT, newUser},
		{"create user, 422", "POST", host + "/api/databases/my-db-123/users", 422, jsonCT, `{"errors":{"name":["is invalid"]}}`},
		{"delete user", "DELETE", host + "/api/databases/my-db-123/users/my-user", 204, http.Header{}, ""},
		{"archive link", "GET", host + "/api/databases/my-db-123/backups/b1/archive", 200, jsonCT, `{"download_url":"https://db-api.osc-fr1.scalingo.com/api/databases/my-db-123/backups/b1/download?token=t"}`},
		{"rate limited, JSON", "GET", host + "/api/databases/my-db-123/backups", 429, hdr("Content-Type", "application/json", "Retry-After", "30"), `{"error":"Retry later","code":"rate_limited"}`},
		{"rate limited, text", "GET", host + "/api/databases/my-db-123/backups", 429, hdr("Content-Type", "text/plain; charset=utf-8", "Retry-After", "0"), `Retry later`},
		{"server error 503", "GET", host + "/api/databases/my-db-123/backups", 503, jsonCT, `{"error":"down"}`},
		{"gateway timeout", "GET", host + "/api/databases/my-db-123/backups", 504, jsonCT, `{"error":"gateway timeout"}`},
		{"download, whole", "GET", host + "/api/databases/my-db-123/backups/b1/download?token=t", 200, hdr("Content-Type", "application/octet-stream", "Accept-Ranges", "bytes", "Content-Length", "7"), "PGDMP.."},
		{"download, range", "GET", host + "/api/databases/my-db-123/backups/b1/download?token=t", 206, hdr("Content-Type", "application/octet-stream", "Content-Range", "bytes 0-1/7"), "PG"},
		{"download, bad range", "GET", host + "/api/databases/my-db-123/backups/b1/download?token=t", 416, hdr("Content-Type", "application/json", "Content-Range", "bytes */7"), `{"error":"requested range not satisfiable"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.url, nil)
			if err := v.ValidateResponse(req, tt.status, tt.header, []byte(tt.body)); err != nil {
				t.Fatalf("ValidateResponse: %v", err)
			}
		})
	}
}

func TestValidator_ValidateResponse_Violations(t *testing.T) {
	v := newValidator(t)
	const (
		backups  = host + "/api/databases/my-db-123/backups"
		userList = host + "/api/databases/my-db-123/users"
		archive  = host + "/api/databases/my-db-123/backups/b1/archive"
		download = host + "/api/databases/my-db-123/backups/b1/download?token=t"
	)
	env := func(b string) string { return `{"database_backup":` + b + `}` }
	tests := []struct {
		name         string
		method, url  string
		status       int
		header       http.Header
		body         string
		wantOp       string
		wantKind     conformance.Kind
		wantPointer  string
		wantExpected string // substring of Expected
	}{
		{"undocumented status", "GET", userList, 418, jsonCT, `{"error":"teapot"}`, "listDatabaseUsers", conformance.KindStatus, "", "one of 200 401"},
		{"success status of another operation", "POST", backups, 200, jsonCT, env(backup), "createBackup", conformance.KindStatus, "", "201"},
		{"date-time without offset", "POST", backups, 201, jsonCT, env(withBackup("created_at", `"2018-09-02T03:00:00.178"`)), "createBackup", conformance.KindSchema, "/database_backup/created_at", "date-time with offset"},
		{"date-time not a date", "POST", backups, 201, jsonCT, env(withBackup("created_at", `"yesterday"`)), "createBackup", conformance.KindSchema, "/database_backup/created_at", "date-time"},
		{"int64 with a fraction", "POST", backups, 201, jsonCT, env(withBackup("size", "1.5")), "createBackup", conformance.KindSchema, "/database_backup/size", "integer"},
		{"int64 out of range", "POST", backups, 201, jsonCT, env(withBackup("size", "1e20")), "createBackup", conformance.KindSchema, "/database_backup/size", "int64"},
		{"negative size", "POST", backups, 201, jsonCT, env(withBackup("size", "-1")), "createBackup", conformance.KindSchema, "/database_backup/size", "at least 0"},
		{"unknown enum value", "POST", backups, 201, jsonCT, env(withBackup("status", `"paused"`)), "createBackup", conformance.KindSchema, "/database_backup/status", "one of [scheduled pending"},
		{"missing required field", "POST", backups, 201, jsonCT, env(withBackup("id", "")), "createBackup", conformance.KindSchema, "/database_backup/id", "required property"},
		{"null in non-nullable", "POST", backups, 201, jsonCT, env(withBackup("name", "null")), "createBackup", conformance.KindSchema, "/database_backup/name", "not null"},
		{"wrong type", "GET", userList, 200, jsonCT, `{"database-users":[{"name":"a","read_only":"yes"}]}`, "listDatabaseUsers", conformance.KindSchema, "/database-users/0/read_only", "boolean"},
		{"array where object due", "POST", backups, 201, jsonCT, `{"database_backup":[]}`, "createBackup", conformance.KindSchema, "/database_backup", "object"},
		{"object where array due", "GET", userList, 200, jsonCT, `{"database-users":{}}`, "listDatabaseUsers", conformance.KindSchema, "/database-users", "array"},
		{"missing envelope key", "GET", userList, 200, jsonCT, `{"users":[]}`, "listDatabaseUsers", conformance.KindSchema, "/database-users", "required property"},
		{"bare object where envelope required", "GET", host + "/api/backups/b1", 200, jsonCT, backup, "getBackup", conformance.KindSchema, "/database_backup", "required property"},
		{"oneOf, neither shape", "POST", backups, 201, jsonCT, `{"backup":{}}`, "createBackup", conformance.KindSchema, "/", "oneOf [BackupResponse, Backup]"},
		{"oneOf, both shapes at once", "POST", backups, 201, jsonCT, `{"database_backup":` + backup + `,` + backup[1:], "createBackup", conformance.KindSchema, "/", "exactly one of oneOf [BackupResponse, Backup]"},
		{"password missing", "POST", userList, 201, jsonCT, `{"database_user":{"name":"my-user","read_only":false}}`, "createDatabaseUser", conformance.KindSchema, "/database_user/password", "required property"},
		{"malformed download_url", "GET", archive, 200, jsonCT, `{"download_url":"not a url"}`, "getBackupArchive", conformance.KindSchema, "/download_url", "format uri"},
		{"relative download_url", "GET", archive, 200, jsonCT, `{"download_url":"/api/databases/x/backups/b1/download"}`, "getBackupArchive", conformance.KindSchema, "/download_url", "absolute"},
		{"download_url without host", "GET", archive, 200, jsonCT, `{"download_url":"https://"}`, "getBackupArchive", conformance.KindSchema, "/download_url", "format uri"},
		{"download_url of another scheme", "GET", archive, 200, jsonCT, `{"download_url":"ftp://db-api.example.com/b1"}`, "getBackupArchive", conformance.KindSchema, "/download_url", "matching ^https?://"},
		{"body on a 204", "DELETE", userList + "/my-user", 204, jsonCT, `{}`, "deleteDatabaseUser", conformance.KindBody, "", "no body"},
		{"body announced on a 204", "DELETE", userList + "/my-user", 204, hdr("Content-Length", "11"), ``, "deleteDatabaseUser", conformance.KindBody, "header Content-Length", "no body"},
		{"empty body where JSON documented", "GET", userList, 200, jsonCT, ``, "listDatabaseUsers", conformance.KindBody, "", "application/json body"},
		{"malformed JSON", "GET", userList, 200, jsonCT, `{"database-users":[`, "listDatabaseUsers", conformance.KindBody, "", "valid JSON"},
		{"wrong content type", "GET", userList, 200, hdr("Content-Type", "text/html"), users, "listDatabaseUsers", conformance.KindContentType, "header Content-Type", "application/json"},
		{"missing content type", "GET", userList, 200, http.Header{}, users, "listDatabaseUsers", conformance.KindContentType, "header Content-Type", "application/json"},
		{"JSON in latin1", "GET", userList, 200, hdr("Content-Type", "application/json; charset=iso-8859-1"), users, "listDatabaseUsers", conformance.KindContentType, "header Content-Type", "utf-8"},
		{"429 without Retry-After", "GET", backups, 429, jsonCT, `{"error":"slow down"}`, "listBackups", conformance.KindHeader, "header Retry-After", "required header"},
		{"429 with a date in Retry-After", "GET", backups, 429, hdr("Content-Type", "application/json", "Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"), `{"error":"slow down"}`, "listBackups", conformance.KindHeader, "header Retry-After", "integer"},
		{"429 with negative Retry-After", "GET", backups, 429, hdr("Content-Type", "application/json", "Retry-After", "-5"), `{"error":"slow down"}`, "listBackups", conformance.KindHeader, "header Retry-After", "at least 0"},
		{"206 without Content-Range", "GET", download, 206, hdr("Content-Type", "application/octet-stream"), "PG", "downloadBackup", conformance.KindHeader, "header Content-Range", "required header"},
		{"206 with bad Content-Range", "GET", download, 206, hdr("Content-Type", "application/octet-stream", "Content-Range", "0-1/7"), "PG", "downloadBackup", conformance.KindHeader, "header Content-Range", "matching ^bytes"},
		{"200 download as JSON", "GET", download, 200, jsonCT, `{}`, "downloadBackup", conformance.KindContentType, "header Content-Type", "application/octet-stream"},
		{"bad Accept-Ranges", "GET", download, 200, hdr("Content-Type", "application/octet-stream", "Accept-Ranges", "none"), "PG", "downloadBackup", conformance.KindHeader, "header Accept-Ranges", "one of [bytes]"},
		{"error body without error key", "GET", backups, 404, jsonCT, `{"message":"not found"}`, "listBackups", conformance.KindSchema, "/error", "required property"},
		{"undocumented 5xx status", "GET", backups, 599, jsonCT, `{"error":"odd"}`, "listBackups", conformance.KindStatus, "", "504"},
		{"502 body of the wrong shape", "GET", backups, 502, jsonCT, `[]`, "listBackups", conformance.KindSchema, "/", "object"},
		// Accepted by a JSON Schema reading, but encoding/json cannot decode them into the generated
		// types, or decodes something else.
		{"int64 of 2^63", "POST", backups, 201, jsonCT, env(withBackup("size", "9223372036854775808")), "createBackup", conformance.KindSchema, "/database_backup/size", "int64"},
		{"int64 that rounds to 2^63", "POST", backups, 201, jsonCT, env(withBackup("size", "9223372036854775809")), "createBackup", conformance.KindSchema, "/database_backup/size", "int64"},
		{"int64 below its range", "POST", backups, 201, jsonCT, env(withBackup("size", "-9223372036854775809")), "createBackup", conformance.KindSchema, "/database_backup/size", "int64"},
		{"integer written 1.0", "POST", backups, 201, jsonCT, env(withBackup("size", "1.0")), "createBackup", conformance.KindSchema, "/database_backup/size", "without fraction or exponent"},
		{"integer written 1e3", "POST", backups, 201, jsonCT, env(withBackup("size", "1e3")), "createBackup", conformance.KindSchema, "/database_backup/size", "without fraction or exponent"},
		{"integer written 10e-1", "POST", backups, 201, jsonCT, env(withBackup("size", "10e-1")), "createBackup", conformance.KindSchema, "/database_backup/size", "without fraction or exponent"},
		{"integer without format beyond Go int", "GET", host + "/api/databases/my-db-123/maintenance", 200, jsonCT, `{"maintenance":[],"meta":{"pagination":{"current_page":1,"per_page":1,"prev_page":null,"next_page":9223372036854775808,"total_pages":1,"total_count":0}}}`, "listMaintenances", conformance.KindSchema, "/meta/pagination/next_page", "Go int"},
		{"comma before a date-time's fraction", "POST", backups, 201, jsonCT, env(withBackup("created_at", `"2018-09-02T03:00:00,5Z"`)), "createBackup", conformance.KindSchema, "/database_backup/created_at", "date-time"},
		{"leap second", "POST", backups, 201, jsonCT, env(withBackup("created_at", `"2016-12-31T23:59:60Z"`)), "createBackup", conformance.KindSchema, "/database_backup/created_at", "date-time"},
		{"second Retry-After line", "GET", backups, 429, http.Header{"Content-Type": {"application/json"}, "Retry-After": {"5", "60"}}, `{"error":"slow down"}`, "listBackups", conformance.KindHeader, "header Retry-After", "one header line"},
		{"second Content-Type line", "GET", userList, 200, http.Header{"Content-Type": {"application/json", "text/html"}}, users, "listDatabaseUsers", conformance.KindContentType, "header Content-Type", "one header line"},
		{"invalid UTF-8 in a string", "POST", backups, 201, jsonCT, env(withBackup("name", "\"a\xffb\"")), "createBackup", conformance.KindSchema, "/database_backup/name", "UTF-8"},
		{"lone surrogate in a string", "POST", backups, 201, jsonCT, env(withBackup("name", `"a\ud800b"`)), "createBackup", conformance.KindSchema, "/database_backup/name", "surrogate"},
		{"low surrogate first", "POST", backups, 201, jsonCT, env(withBackup("name", `"\udc00\ud800"`)), "createBackup", conformance.KindSchema, "/database_backup/name", "surrogate"},
		{"duplicate key, first value of the wrong type", "POST", backups, 201, jsonCT, env(withBackup("size", `"big","size":5`)), "createBackup", conformance.KindSchema, "/database_backup/size", "appears once"},
		{"key folding onto a declared property", "POST", backups, 201, jsonCT, env(withBackup("status", `"done","STATUS":"exploded"`)), "createBackup", conformance.KindSchema, "/database_backup/STATUS", `"status", not a key that differs from it only by case`},
		{"integer that float64 cannot hold, in an open object", "GET", host + "/api/databases/my-db-123/lag", 200, jsonCT, `{"lag_in_bytes":{"a":9223372036854775809}}`, "getDatabaseLag", conformance.KindSchema, "/lag_in_bytes/a", "float64 holds as written"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.url, nil)
			err := v.ValidateResponse(req, tt.status, tt.header, []byte(tt.body))
			var ve *conformance.ViolationError
			if !errors.As(err, &ve) {
				t.Fatalf("ValidateResponse = %v, want a *ViolationError", err)
			}
			if len(ve.Violations) != 1 {
				t.Fatalf("got %d violations, want 1:\n%v", len(ve.Violations), err)
			}
			got := ve.Violations[0]
			if got.OperationID != tt.wantOp || got.Kind != tt.wantKind || got.Pointer != tt.wantPointer {
				t.Errorf("violation = (%s, %s, %q), want (%s, %s, %q)\n%v",
					got.OperationID, got.Kind, got.Pointer, tt.wantOp, tt.wantKind, tt.wantPointer, got)
			}
			if !strings.Contains(got.Expected, tt.wantExpected) {
				t.Errorf("Expected = %q, want it to contain %q", got.Expected, tt.wantExpected)
			}
			if got.Status != tt.status || got.In != "response" || got.Method != tt.method || got.Path != req.URL.Path {
				t.Errorf("violation context = (%d, %s, %s, %s), want (%d, response, %s, %s)",
					got.Status, got.In, got.Method, got.Path, tt.status, tt.method, req.URL.Path)
			}
			msg := err.Error()
			if len(msg) >= 400 || !strings.Contains(msg, tt.wantOp) || !strings.Contains(msg, tt.wantPointer) {
				t.Errorf("Error() is %d chars, want < 400 naming %s and %q:\n%s", len(msg), tt.wantOp, tt.wantPointer, msg)
			}
		})
	}
}

// TestValidator_ValidateResponse_SeveralViolations shows that every broken rule of one body is
// reported, each on its own short block.
func TestValidator_ValidateResponse_SeveralViolations(t *testing.T) {
	v := newValidator(t)
	req := httptest.NewRequest("POST", host+"/api/databases/my-db-123/backups", nil)
	body := `{"database_backup":` + withBackup("status", `"paused"`) + `}`
	body = replaceField(body, "created_at", `"2018-09-02 03:00"`)
	err := v.ValidateResponse(req, 201, jsonCT, []byte(body))
	var ve *conformance.ViolationError
	if !errors.As(err, &ve) {
		t.Fatalf("ValidateResponse = %v, want a *ViolationError", err)
	}
	var pointers []string
	for _, vi := range ve.Violations {
		pointers = append(pointers, vi.Pointer)
	}
	want := []string{"/database_backup/created_at", "/database_backup/status"}
	if strings.Join(pointers, " ") != strings.Join(want, " ") {
		t.Errorf("pointers = %v, want %v", pointers, want)
	}
	if n := strings.Count(err.Error(), "\n"); n > 6 {
		t.Errorf("Error() has %d lines, want at most 6:\n%v", n+1, err)
	}
}

// TestValidator_ValidateResponse_BodyUntouched checks that the body slice is neither consumed nor
// modified.
func TestValidator_ValidateResponse_BodyUntouched(t *testing.T) {
	v := newValidator(t)
	req := httptest.NewRequest("POST", host+"/api/databases/my-db-123/backups", nil)
	body := []byte(`{"database_backup":` + backup + `}`)
	orig := string(body)
	for range 2 {
		if err := v.ValidateResponse(req, 201, jsonCT, body); err != nil {
			t.Fatal(err)
		}
	}
	if string(body) != orig {
		t.Errorf("body changed to %s", body)
	}
}

func TestViolation_Error(t *testing.T) {
	vi := &conformance.Violation{
		OperationID: "createBackup", Method: "POST", Path: "/api/databases/x/backups", Status: 201,
		In: "response", Kind: conformance.KindSchema, Pointer: "/database_backup/status",
		Expected: "one of [scheduled pending]", Got: `"paused"`,
	}
	want := "createBackup POST /api/databases/x/backups -> 201: response schema violation at /database_backup/status\n" +
		"  expected: one of [scheduled pending]\n" +
		`  got:      "paused"`
	if got := vi.Error(); got != want {
		t.Errorf("Error() =\n%s\nwant\n%s", got, want)
	}
	ve := &conformance.ViolationError{Violations: []*conformance.Violation{vi, vi}}
	if got := ve.Error(); got != want+"\n"+want {
		t.Errorf("ViolationError.Error() =\n%s", got)
	}
}

func TestViolation_GotIsShort(t *testing.T) {
	v := newValidator(t)
	req := httptest.NewRequest("GET", host+"/api/databases/my-db-123/backups/b1/archive", nil)
	long := strings.Repeat("x", 5000)
	err := v.ValidateResponse(req, 200, jsonCT, []byte(`{"download_url":"`+long+`"}`))
	var ve *conformance.ViolationError
	if !errors.As(err, &ve) {
		t.Fatalf("ValidateResponse = %v", err)
	}
	if got := ve.Violations[0].Got; len(got) > 90 {
		t.Errorf("Got is %d bytes long, want about 80", len(got))
	}
	if len(err.Error()) > 400 {
		t.Errorf("Error() is %d bytes long", len(err.Error()))
	}
}

// TestValidator_ValidateResponse_NestedCombinators checks that a violation inside an allOf or a
// oneOf names the deepest pointer and its reason, not the combinator one level up.
func TestValidator_ValidateResponse_NestedCombinators(t *testing.T) {
	v := newValidator(t)
	version := `{"id":"v2","created_at":"2020-07-29T15:41:14.326+02:00","updated_at":"2020-07-29T15:41:14.326+02:00","database_type_id":"t","major":MAJOR,"minor":0,"patch":0,"build":1,"features":[]}`
	outer := func(nextMajor string) string {
		next := strings.Replace(version, "MAJOR", nextMajor, 1)
		cur := strings.Replace(version, "MAJOR", "4", 1)
		return `{"database_type_version":` + cur[:len(cur)-1] + `,"next_upgrade":` + next + `}}`
	}
	tests := []struct {
		name         string
		url          string
		status       int
		body         string
		wantPointer  string
		wantExpected string
	}{
		{"allOf: a negative major", host + "/api/database_type_versions/v1", 200, outer("-1"),
			"/database_type_version/next_upgrade/major", "at least 0"},
		{"allOf: a major of the wrong type", host + "/api/database_type_versions/v1", 200, outer(`"4"`),
			"/database_type_version/next_upgrade/major", "integer"},
		{"oneOf: an enveloped backup with a bad status", host + "/api/databases/my-db-123/backups", 201,
			`{"database_backup":` + withBackup("status", `"paused"`) + `}`, "/database_backup/status", "one of [scheduled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := http.MethodGet
			if tt.status == 201 {
				method = http.MethodPost
			}
			err := v.ValidateResponse(httptest.NewRequest(method, tt.url, nil), tt.status, jsonCT, []byte(tt.body))
			wantOneViolation(t, err, tt.wantPointer, tt.wantExpected)
		})
	}
}
