package mutate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// catalogue returns every mutation, each with its Kind.
func catalogue() []Mutation {
	out := append(breaches(), additions()...)
	for i := range out {
		if out[i].Kind == "" {
			out[i].Kind = Breach
		}
	}
	return out
}

func breaches() []Mutation {
	users, backups := "database-users", "database_backups"
	return append(jsOnlyMutations(), []Mutation{
		{Name: "missing-required-field", OperationID: "listDatabaseUsers", Description: "a user lacks the required read_only",
			apply: rewriteJSON(200, func(v any) any {
				if e := first(v, users); e != nil {
					delete(e, "read_only")
				}
				return v
			})},
		{Name: "wrong-type", OperationID: "listDatabaseUsers", Description: `a user's read_only is the string "yes"`,
			apply: rewriteJSON(200, setInFirst(users, "read_only", "yes"))},
		{Name: "null-in-non-nullable", OperationID: "listBackups", Description: "a backup's name is null",
			apply: rewriteJSON(200, setInFirst(backups, "name", nil))},
		{Name: "unknown-enum", OperationID: "listBackups", Description: `a backup's status is "exploded"`,
			apply: rewriteJSON(200, setInFirst(backups, "status", "exploded"))},
		{Name: "datetime-without-offset", OperationID: "listBackups", Description: "a backup's created_at has no time zone offset",
			apply: rewriteJSON(200, setInFirst(backups, "created_at", "2018-09-02T03:00:00"))},
		{Name: "negative-size", OperationID: "listBackups", Description: "a backup's size is -1",
			apply: rewriteJSON(200, setInFirst(backups, "size", -1))},
		{Name: "fractional-integer", OperationID: "listBackups", Description: "a backup's size is 1.5",
			apply: rewriteJSON(200, setInFirst(backups, "size", json.Number("1.5")))},
		{Name: "int64-overflow", OperationID: "listBackups", Description: "a backup's size is 10^30, beyond int64",
			apply: rewriteJSON(200, setInFirst(backups, "size", json.Number("1000000000000000000000000000000")))},
		{Name: "object-where-array", OperationID: "listBackups", Description: "database_backups is an object keyed by ID",
			apply: rewriteJSON(200, func(v any) any {
				m, _ := v.(map[string]any)
				arr, _ := m[backups].([]any)
				obj := map[string]any{}
				for _, e := range arr {
					if b, ok := e.(map[string]any); ok {
						obj[fmt.Sprint(b["id"])] = b
					}
				}
				m[backups] = obj
				return m
			})},
		{Name: "wrong-content-type", OperationID: "listBackups", Description: "the list is sent as text/html",
			apply: contentType("text/html; charset=utf-8")},
		{Name: "missing-retry-after", OperationID: "listBackups", Description: "every call is answered 429 without Retry-After",
			apply: func(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
				code := "rate_limited"
				b, _ := json.Marshal(dbapi.Error{Error: "Retry later", Code: &code})
				(&captured{header: http.Header{"Content-Type": {"application/json"}}, status: http.StatusTooManyRequests, body: *bytes.NewBuffer(b)}).send(w)
			}},
		{Name: "undocumented-status", OperationID: "getDatabase", Description: "200 becomes 299, with the same body",
			apply: func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				c := capture(w, r, next)
				if c.status == http.StatusOK {
					c.status = 299
				}
				c.send(w)
			}},
		{Name: "array-where-object", OperationID: "getDatabase", Description: "database is an array holding the database",
			apply: rewriteJSON(200, func(v any) any {
				m, _ := v.(map[string]any)
				m["database"] = []any{m["database"]}
				return m
			})},
		{Name: "truncated-json", OperationID: "getDatabase", Description: "the body is cut in the middle",
			apply: func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				c := capture(w, r, next)
				b := c.body.Bytes()
				c.body.Truncate(len(b) / 2)
				c.send(w)
			}},
		{Name: "body-on-204", OperationID: "deleteDatabaseUser", Description: "the 204 answer carries a JSON body",
			apply: func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				c := capture(w, r, next)
				if c.status != http.StatusNoContent {
					c.send(w)
					return
				}
				sendBodyOn204(w, []byte(`{"deleted":true}`))
			}},
		{Name: "missing-envelope-key", OperationID: "listDatabaseUsers", Description: "the envelope key is database_users, not database-users",
			apply: rewriteJSON(200, func(v any) any {
				m, _ := v.(map[string]any)
				m["database_users"] = m[users]
				delete(m, users)
				return m
			})},
		{Name: "bare-object-where-envelope-required", OperationID: "getBackup", Description: "the backup is not wrapped in database_backup",
			apply: rewriteJSON(200, func(v any) any {
				m, _ := v.(map[string]any)
				return m["database_backup"]
			})},
		{Name: "wrong-error-shape", OperationID: "getBackup", Description: `a 404 answers {"message": "not found"}`,
			apply: rewriteJSON(404, func(any) any { return map[string]any{"message": "not found"} })},
		{Name: "malformed-download-url", OperationID: "getBackupArchive", Description: `download_url is "not a url"`,
			apply: rewriteJSON(200, func(v any) any {
				m, _ := v.(map[string]any)
				m["download_url"] = "not a url"
				return m
			})},
		{Name: "create-user-missing-password", OperationID: "createDatabaseUser", Description: "the created user has no password",
			apply: rewriteJSON(201, func(v any) any {
				m, _ := v.(map[string]any)
				if u, ok := m["database_user"].(map[string]any); ok {
					delete(u, "password")
				}
				return m
			})},
		{Name: "empty-validation-errors", OperationID: "createDatabaseUser", Description: `a 422 answers {"errors": {}}`,
			apply: rewriteJSON(422, func(any) any { return map[string]any{"errors": map[string]any{}} })},
		{Name: "instances-status-object", OperationID: "getDatabaseInstancesStatus", Description: "the bare array is wrapped in an object",
			apply: rewriteJSON(200, func(v any) any { return map[string]any{"instances": v} })},
		{Name: "missing-pagination-meta", OperationID: "listMaintenances", Description: "the page has no meta",
			apply: rewriteJSON(200, func(v any) any {
				m, _ := v.(map[string]any)
				delete(m, "meta")
				return m
			})},
		{Name: "unknown-feature-status", OperationID: "enableDatabaseFeature", Description: `the feature status is "MAYBE"`,
			apply: rewriteJSON(200, func(v any) any {
				m, _ := v.(map[string]any)
				m["status"] = "MAYBE"
				return m
			})},
		{Name: "missing-content-range", OperationID: "downloadBackup", Description: "a 206 answer has no Content-Range",
			apply: func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				next.ServeHTTP(&dropContentRange{ResponseWriter: w}, r)
			}},
	}...)
}

// dropContentRange streams a download and removes Content-Range from a 206 answer.
type dropContentRange struct {
	http.ResponseWriter
}

func (d *dropContentRange) WriteHeader(code int) {
	if code == http.StatusPartialContent {
		d.Header().Del("Content-Range")
	}
	d.ResponseWriter.WriteHeader(code)
}

func (d *dropContentRange) Unwrap() http.ResponseWriter { return d.ResponseWriter }

func (d *dropContentRange) Flush() {
	if f, ok := d.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// sendBodyOn204 writes a 204 with a body, which net/http refuses to do: on a real connection it
// writes the raw answer itself and closes the connection.
func sendBodyOn204(w http.ResponseWriter, body []byte) {
	if conn, buf, err := http.NewResponseController(w).Hijack(); err == nil {
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 204 No Content\r\nContent-Type: application/json\r\nContent-Length: %d\r\nX-Request-Id: %s\r\nConnection: close\r\n\r\n%s",
			len(body), w.Header().Get("X-Request-Id"), body)
		_ = buf.Flush()
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNoContent)
	_, _ = w.Write(body) // accepted by recorders; refused by net/http
}
