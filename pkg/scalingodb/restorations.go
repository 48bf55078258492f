package scalingodb

import (
	"context"
	"errors"
	"time"
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
// first state. It is never retried: a lost answer may hide a restoration
// that started. The answer is a bare restoration (no envelope).
//
// API: POST /databases/{database_id}/backups/{backup_id}/restore (restoreBackup)
func (s *BackupsService) Restore(ctx context.Context, databaseID, backupID string) (*BackupRestoration, error) {
	return fetchOne[BackupRestoration](ctx, s.c, opRestoreBackup, call2(s.c.api.RestoreBackup, databaseID, backupID))
}

// Restoration returns a restoration of a database.
//
// API: GET /databases/{database_id}/backup_restorations/{restoration_id} (getBackupRestoration)
func (s *BackupsService) Restoration(ctx context.Context, databaseID, restorationID string) (*BackupRestoration, error) {
	return fetchOne[BackupRestoration](ctx, s.c, opGetBackupRestoration, call2(s.c.api.GetBackupRestoration, databaseID, restorationID))
}

// WaitRestoration polls a restoration, with a growing interval (see
// WithPollInterval), until it is done (the restoration is returned) or fails (a
// *RestorationFailedError that matches ErrRestorationFailed), or ctx is
// done. Transient errors of a poll are retried by the client's retry
// policy; any other error stops the wait.
//
// API: GET /databases/{database_id}/backup_restorations/{restoration_id} (getBackupRestoration)
func (s *BackupsService) WaitRestoration(ctx context.Context, databaseID, restorationID string, opts ...WaitOption) (*BackupRestoration, error) {
	var done *BackupRestoration
	err := poll(ctx, opts, func() (bool, error) {
		r, err := s.Restoration(ctx, databaseID, restorationID)
		if err != nil {
			return false, err
		}
		switch r.Status {
		case RestorationDone:
			done = r
			return true, nil
		case RestorationError:
			return false, &RestorationFailedError{Restoration: r}
		}
		return false, nil
	})
	return done, err
}

// RestoreAndWait restores a backup and waits until the restoration is done
// or fails (see Restore and WaitRestoration). The restore itself is never
// retried.
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
	return s.WaitRestoration(ctx, databaseID, r.ID, opts...)
}
