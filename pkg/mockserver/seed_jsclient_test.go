package mockserver

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// TestSeededOperationAndRestoration checks that the demo data's past operation and restoration are
// served as seeded, whatever the clock says, and only under their database.
func TestSeededOperationAndRestoration(t *testing.T) {
	_, c, clk := start(t, WithOperationTimings(opPending, opRunning))
	wantOp := map[string]any{"operation": map[string]any{
		"id": DemoOperationID, "type": "pitr_restore", "status": "finished",
		"created_at": "2019-07-15T14:00:00Z", "finished_at": "2019-07-15T14:04:12Z", "error": nil,
	}}
	wantRestoration := map[string]any{"backup_restoration": map[string]any{
		"id": DemoRestorationID, "method": "backup", "status": "done",
		"created_at": "2019-07-16T08:00:00Z", "started_at": "2019-07-16T08:00:05Z", "ended_at": "2019-07-16T08:03:40Z",
		"database_id": "5c599fd6f18b3202f7ab4e66", "source_backup_id": DemoBackupID,
	}}
	for _, advance := range []time.Duration{0, time.Hour} {
		clk.Advance(advance)
		if diff := cmp.Diff(wantOp, expect(t, c.do(http.MethodGet, "/databases/my-db-123/operations/"+DemoOperationID, nil), http.StatusOK)); diff != "" {
			t.Errorf("operation after %v (-want +got):\n%s", advance, diff)
		}
		if diff := cmp.Diff(wantRestoration, expect(t, c.do(http.MethodGet, "/databases/my-db-123/backup_restorations/"+DemoRestorationID, nil), http.StatusOK)); diff != "" {
			t.Errorf("restoration after %v (-want +got):\n%s", advance, diff)
		}
	}
	if got := at(expect(t, c.do(http.MethodGet, "/databases/my-db-123", nil), http.StatusOK), "database.current_operation_id"); got != nil {
		t.Errorf("current_operation_id = %v, want null: the seeded operation is finished", got)
	}
	expect(t, c.do(http.MethodGet, "/databases/my-es-123/operations/"+DemoOperationID, nil), http.StatusNotFound)
	expect(t, c.do(http.MethodGet, "/databases/my-es-123/backup_restorations/"+DemoRestorationID, nil), http.StatusNotFound)
}

// TestSeedOperations_Refused checks that a seed with an incomplete or duplicate operation or
// restoration is refused.
func TestSeedOperations_Refused(t *testing.T) {
	typ, status := OperationTypeUpgrade, dbapi.OperationStatusFinished
	created := time.Date(2019, 7, 1, 0, 0, 0, 0, time.UTC)
	op := dbapi.Operation{ID: "op-1", Type: &typ, Status: &status, CreatedAt: &created}
	r := dbapi.BackupRestoration{ID: "br-1", CreatedAt: created, Method: dbapi.BackupRestorationMethodBackup, Status: dbapi.BackupRestorationStatusDone}
	tests := []struct {
		name string
		edit func(sd *SeedDatabase)
		ok   bool
	}{
		{"complete", func(sd *SeedDatabase) {
			sd.Operations = []dbapi.Operation{op}
			sd.BackupRestorations = []dbapi.BackupRestoration{r}
		}, true},
		{"operation without ID", func(sd *SeedDatabase) { o := op; o.ID = ""; sd.Operations = []dbapi.Operation{o} }, false},
		{"operation without status", func(sd *SeedDatabase) { o := op; o.Status = nil; sd.Operations = []dbapi.Operation{o} }, false},
		{"operation without type", func(sd *SeedDatabase) { o := op; o.Type = nil; sd.Operations = []dbapi.Operation{o} }, false},
		{"operation without creation time", func(sd *SeedDatabase) { o := op; o.CreatedAt = nil; sd.Operations = []dbapi.Operation{o} }, false},
		{"operation twice", func(sd *SeedDatabase) { sd.Operations = []dbapi.Operation{op, op} }, false},
		{"restoration without ID", func(sd *SeedDatabase) { b := r; b.ID = ""; sd.BackupRestorations = []dbapi.BackupRestoration{b} }, false},
		{"restoration twice", func(sd *SeedDatabase) { sd.BackupRestorations = []dbapi.BackupRestoration{r, r} }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sd := SeedDatabase{Database: dbapi.Database{ID: "db-1", ResourceID: "my-db-1"}}
			tt.edit(&sd)
			_, err := New(WithSeed(Seed{Databases: []SeedDatabase{sd}}), WithValidator(testValidator(t)))
			if (err == nil) != tt.ok {
				t.Errorf("New = %v, want ok=%t", err, tt.ok)
			}
		})
	}
}
