package mutate

import (
	"net/http"
)

// jsOnlyMutations are the contract mutations of the operations known only from the JavaScript
// client: they prove that the checks hold there too, open schemas included.
func jsOnlyMutations() []Mutation {
	return []Mutation{
		{Name: "unknown-restoration-status", OperationID: "getBackupRestoration", Description: `a restoration's status is "restoring"`,
			apply: rewriteJSON(200, func(v any) any {
				m, _ := v.(map[string]any)
				if r, ok := m["backup_restoration"].(map[string]any); ok {
					r["status"] = "restoring"
				}
				return m
			})},
		{Name: "operation-without-envelope", OperationID: "getDatabaseOperation", Description: "the operation is not wrapped in operation",
			apply: rewriteJSON(200, func(v any) any {
				m, _ := v.(map[string]any)
				return m["operation"]
			})},
		{Name: "ca-certificate-as-json", OperationID: "getCaCertificate", Description: "the PEM certificate is sent as application/json",
			apply: contentType("application/json")},
		{Name: "lag-not-json", OperationID: "getDatabaseLag", Description: "the lag, an open object, is sent as the JSON-labelled text lag=0",
			apply: func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				c := capture(w, r, next)
				if c.status == http.StatusOK {
					c.body.Reset()
					c.body.WriteString("lag=0")
				}
				c.send(w)
			}},
	}
}
