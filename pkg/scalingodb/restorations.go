package scalingodb

import (
	"context"
	"errors"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/apicall"
)

// RestorationStatus is the state of a backup restoration: scheduled, then
// running, then done or error.
type RestorationStatus string

// Restoration states.
const (
	RestorationScheduled RestorationStatus = "scheduled"
	RestorationRunning   RestorationStatus = "running"
	RestorationDone      RestorationStatus = "done"
	RestorationError     RestorationStatus = "error"
)

// RestorationMethod says where a restoration takes its data from.
type RestorationMethod string

// Restoration methods.
const (
	// RestorationFromBackup restores a backup of the platform.
	RestorationFromBackup RestorationMethod = "backup"
	// RestorationFromRemote restores data fetched from elsewhere.
	RestorationFromRemote RestorationMethod = "remote"
)

// BackupRestoration is the restoration of a backup into a database. Its
// shape comes from the JavaScript client only.
type BackupRestoration struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	// StartedAt is nil until the restoration starts.
	StartedAt *time.Time `json:"started_at"`
	// EndedAt is nil until the restoration ends.
	EndedAt *time.Time        `json:"ended_at"`
	Method  RestorationMethod `json:"method"`
	Status  RestorationStatus `json:"status"`
	// DatabaseID is the database restored into.
	DatabaseID string `json:"database_id"`
	// SourceBackupID is the backup restored.
	SourceBackupID string `json:"source_backup_id"`
}

func (r *BackupRestoration) missing() string {
	return missingIf(r.ID == "" || r.Status == "", `"id" or "status" of a backup restoration`)
}

// ErrRestorationFailed matches a *RestorationFailedError.
var ErrRestorationFailed = errors.New("scalingodb: backup restoration failed")

// RestorationFailedError is a restoration that ended in the error state
// while being waited for. It matches ErrRestorationFailed.
type RestorationFailedError struct {
	// Restoration is the restoration in its final state.
	Restoration *BackupRestoration
}

// Error names the restoration, its backup and its state.
func (e *RestorationFailedError) Error() string {
	return "scalingodb: restoration " + e.Restoration.ID + " of backup " + e.Restoration.SourceBackupID +
		" ended in state " + string(e.Restoration.Status)
}

// Is reports whether target is ErrRestorationFailed.
func (e *RestorationFailedError) Is(target error) bool { return target == ErrRestorationFailed }

// Restore starts the restoration of a done backup into its database,
// overwriting the database's data, and returns the restoration in its
// first state. It is sent again only after a 429: a lost answer (an error
// matching ErrOutcomeUnknown) may hide a restoration
// that started. The answer is a bare restoration (no envelope).
//
// API: POST /databases/{database_id}/backups/{backup_id}/restore (restoreBackup)
func (s *BackupsService) Restore(ctx context.Context, databaseID, backupID string) (*BackupRestoration, error) {
	r, err := apicall.FetchOne[BackupRestoration](ctx, s.c.caller, apicall.OpRestoreBackup, apicall.Call2(s.c.api.RestoreBackup, databaseID, backupID))
	if err != nil {
		return nil, apicall.WithCheck(err, "whether backup "+backupID+" is being restored into database "+databaseID+" (Databases.Get: its status), before restoring again")
	}
	return r, nil
}

// Restoration returns a restoration of a database.
//
// API: GET /databases/{database_id}/backup_restorations/{restoration_id} (getBackupRestoration)
func (s *BackupsService) Restoration(ctx context.Context, databaseID, restorationID string) (*BackupRestoration, error) {
	return apicall.FetchOne[BackupRestoration](ctx, s.c.caller, apicall.OpGetBackupRestoration, apicall.Call2(s.c.api.GetBackupRestoration, databaseID, restorationID))
}

// WaitRestoration polls a restoration (see WaitOption) until it is done
// (the restoration is returned) or fails (the restoration is returned with
// a *RestorationFailedError). A wait that stops first returns the
// restoration as last seen with a *WaitError.
//
// API: GET /databases/{database_id}/backup_restorations/{restoration_id} (getBackupRestoration)
func (s *BackupsService) WaitRestoration(ctx context.Context, databaseID, restorationID string, opts ...WaitOption) (*BackupRestoration, error) {
	return s.waitRestoration(ctx, databaseID, restorationID, nil, opts)
}

func (s *BackupsService) waitRestoration(ctx context.Context, databaseID, restorationID string, last *BackupRestoration, opts []WaitOption) (*BackupRestoration, error) {
	if err := apicall.PathID("database_id", databaseID); err != nil {
		return nil, err
	}
	if err := apicall.PathID("restoration_id", restorationID); err != nil {
		return nil, err
	}
	return waitFor(ctx, "restoration", restorationID, last, opts,
		func(ctx context.Context) (*BackupRestoration, error) {
			return s.Restoration(ctx, databaseID, restorationID)
		},
		func(r *BackupRestoration) string { return string(r.Status) },
		func(r *BackupRestoration) (bool, error) {
			switch r.Status {
			case RestorationDone:
				return true, nil
			case RestorationError:
				return false, &RestorationFailedError{Restoration: r}
			}
			return false, nil
		})
}

// RestoreAndWait restores a backup and waits until the restoration is done
// or fails (see Restore and WaitRestoration). Once the restoration
// started, a wait that stops returns a *WaitError holding its ID: wait
// again with WaitRestoration, and do not restore again.
//
// API: POST /databases/{database_id}/backups/{backup_id}/restore (restoreBackup)
func (s *BackupsService) RestoreAndWait(ctx context.Context, databaseID, backupID string, opts ...WaitOption) (*BackupRestoration, error) {
	r, err := s.Restore(ctx, databaseID, backupID)
	if err != nil {
		return nil, err
	}
	if r.Status == RestorationDone {
		return r, nil
	}
	return s.waitRestoration(ctx, databaseID, r.ID, r, opts)
}
