package mutate

import (
	"net/http"
)

// additions are the mutations that add what the spec does not describe, without breaking it: a
// top-level member, a member of a nested object, a member of every array item, a nested object,
// and a header. Each operation is rewritten by one of them only, so that all can run at once.
func additions() []Mutation {
	return []Mutation{
		{Name: "extra-field", OperationID: "getBackupArchive", Kind: Addition,
			Description: "the archive link gains a top-level integer expires_in",
			apply:       rewriteJSON(200, setAt(SentinelNumber, "expires_in"))},
		{Name: "extra-nested-field", OperationID: "getBackup", Kind: Addition,
			Description: "the backup object gains a string storage_type",
			apply:       rewriteJSON(200, setAt(Sentinel, "database_backup", "storage_type"))},
		{Name: "extra-item-field", OperationID: "listDatabaseUsers", Kind: Addition,
			Description: "every user of the list gains a string last_login_at",
			apply:       rewriteJSON(200, setAt(Sentinel, "database-users", "*", "last_login_at"))},
		{Name: "extra-object", OperationID: "listMaintenances", Kind: Addition,
			Description: "the page's meta gains an object window with a string starts_at and a boolean enforced",
			apply:       rewriteJSON(200, setAt(map[string]any{"starts_at": Sentinel, "enforced": true}, "meta", "window"))},
		{Name: "extra-header", OperationID: "getDatabaseInstancesStatus", Kind: Addition,
			Description: "the answer gains a header X-Drift-Probe",
			apply: func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				w.Header().Set("X-Drift-Probe", Sentinel)
				next.ServeHTTP(w, r)
			}},
	}
}

// setAt sets the member at path (keys of nested objects, "*" for every item of an array) to
// value, where the objects on the way exist.
func setAt(value any, path ...string) func(v any) any {
	var set func(v any, path []string)
	set = func(v any, path []string) {
		if arr, ok := v.([]any); ok && path[0] == "*" {
			for _, e := range arr {
				set(e, path[1:])
			}
			return
		}
		m, ok := v.(map[string]any)
		switch {
		case !ok:
		case len(path) == 1:
			m[path[0]] = value
		default:
			set(m[path[0]], path[1:])
		}
	}
	return func(v any) any {
		set(v, path)
		return v
	}
}
