package mutate_test

import (
	"net/http"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/mockserver"
)

// The calls that show the mutations of the operations known only from the JavaScript client. {id}
// in a path stands for the ID the calls before made (the first "id" of their last answer).
func init() {
	restore := mutationCall{method: http.MethodPost, path: "/databases/my-db-123/backups/" + mockserver.DemoBackupID + "/restore"}
	pitr := mutationCall{method: http.MethodPost, path: "/databases/my-db-123/pitr/restore",
		body: map[string]any{"restore_time": t0.Add(-time.Hour).Format("2006-01-02T15:04:05Z07:00")}}
	mutationCalls["getBackupRestoration"] = mutationCall{method: http.MethodGet,
		path: "/databases/my-db-123/backup_restorations/{id}", before: []mutationCall{restore}}
	mutationCalls["getDatabaseOperation"] = mutationCall{method: http.MethodGet,
		path: "/databases/my-db-123/operations/{id}", before: []mutationCall{pitr}}
	mutationCalls["getCaCertificate"] = mutationCall{method: http.MethodGet, path: "/ca_certificate"}
	mutationCalls["getDatabaseLag"] = mutationCall{method: http.MethodGet, path: "/databases/my-db-123/lag"}
}
