package mockserver

import (
	"net/http"
	"time"
)

// The calls that show the mutations of the operations known only from the JavaScript client. IDs
// are deterministic: on a fresh mock, the first ID handed out ends in 01, the second in 02.
func init() {
	restore := mutationCall{method: http.MethodPost, path: "/databases/my-db-123/backups/" + DemoBackupID + "/restore"}
	pitr := mutationCall{method: http.MethodPost, path: "/databases/my-db-123/pitr/restore",
		body: map[string]any{"restore_time": t0.Add(-time.Hour).Format("2006-01-02T15:04:05Z07:00")}}
	mutationCalls["getBackupRestoration"] = mutationCall{method: http.MethodGet,
		path: "/databases/my-db-123/backup_restorations/6a1100000000000000000001", before: []mutationCall{restore}}
	mutationCalls["getDatabaseOperation"] = mutationCall{method: http.MethodGet,
		path: "/databases/my-db-123/operations/6a1100000000000000000001", before: []mutationCall{pitr}}
	mutationCalls["getCaCertificate"] = mutationCall{method: http.MethodGet, path: "/ca_certificate"}
	mutationCalls["getDatabaseLag"] = mutationCall{method: http.MethodGet, path: "/databases/my-db-123/lag"}
}
