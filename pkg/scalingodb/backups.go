package scalingodb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/apicall"
)

// BackupsService lists, creates, waits for and downloads backups.
type BackupsService struct{ service }

// BackupStatus is the state of a backup: scheduled, then running, then
// done or error.
type BackupStatus string

// Backup states. BackupPending is the original name of a backup that has
// not started; BackupCancelling and BackupCancelled are known to the dashboard.
const (
	BackupScheduled  BackupStatus = "scheduled"
	BackupPending    BackupStatus = "pending"
	BackupRunning    BackupStatus = "running"
	BackupDone       BackupStatus = "done"
	BackupError      BackupStatus = "error"
	BackupCancelling BackupStatus = "cancelling"
	BackupCancelled  BackupStatus = "cancelled"
)

// Finished reports whether the backup will not change state any more.
func (s BackupStatus) Finished() bool {
	return s == BackupDone || s == BackupError || s == BackupCancelled
}

// BackupMethod says whether a backup was taken on schedule or on request.
type BackupMethod string

// Backup methods.
const (
	BackupPeriodic BackupMethod = "periodic"
	BackupManual   BackupMethod = "manual"
)

// Backup is a backup of a database.
type Backup struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	// StartedAt is nil until the backup starts.
	StartedAt *time.Time `json:"started_at"`
	Name      string     `json:"name"`
	// Size of the archive in bytes; 0 until the backup is done.
	Size       int64        `json:"size"`
	Status     BackupStatus `json:"status"`
	DatabaseID string       `json:"database_id"`
	Method     BackupMethod `json:"method"`
	Hidden     bool         `json:"hidden,omitempty"`
}

func (b *Backup) missing() string {
	return missingIf(b.ID == "" || b.Status == "" || b.CreatedAt.IsZero(), `"id", "status" or "created_at" of a backup`)
}

// ErrBackupFailed matches a *BackupFailedError.
var ErrBackupFailed = errors.New("scalingodb: backup failed")

// BackupFailedError is a backup that reached the error, cancelling or
// cancelled state while being waited for (a cancelling backup will not be
// done). It matches ErrBackupFailed.
type BackupFailedError struct {
	// Backup is the backup in its final state.
	Backup *Backup
}

// Error names the backup and its state.
func (e *BackupFailedError) Error() string {
	return "scalingodb: backup " + e.Backup.ID + " ended in state " + string(e.Backup.Status)
}

// Is reports whether target is ErrBackupFailed.
func (e *BackupFailedError) Is(target error) bool { return target == ErrBackupFailed }

// List returns the backups of a database, newest first.
//
// API: GET /databases/{database_id}/backups (listBackups)
func (s *BackupsService) List(ctx context.Context, databaseID string) ([]*Backup, error) {
	return apicall.FetchList[Backup](ctx, s.c.caller, apicall.OpListBackups, apicall.Call1(s.c.api.ListBackups, databaseID))
}

// ErrNoBackup matches the error of Latest for a database that has no
// backup in the done state.
var ErrNoBackup = errors.New("scalingodb: no backup is done")

// Latest returns the newest backup of a database in the done state: the
// one to download or restore when none is named. Backups still scheduled
// or running, and those that failed, are passed over; the newest is the
// one created last, whatever order the server lists them in. When no
// backup is done, the error matches ErrNoBackup.
//
// API: GET /databases/{database_id}/backups (listBackups)
func (s *BackupsService) Latest(ctx context.Context, databaseID string) (*Backup, error) {
	bs, err := s.List(ctx, databaseID)
	if err != nil {
		return nil, err
	}
	var latest *Backup
	for _, b := range bs {
		if b.Status == BackupDone && (latest == nil || b.CreatedAt.After(latest.CreatedAt)) {
			latest = b
		}
	}
	if latest == nil {
		return nil, fmt.Errorf("%w among the %d backups of database %s", ErrNoBackup, len(bs), databaseID)
	}
	return latest, nil
}

// Create schedules a manual backup and returns it (usually in the
// scheduled state). Both shapes servers answer are accepted: the backup in
// its "database_backup" envelope, and the bare backup of older servers. It
// is sent again only after a 429: when its answer is lost, the error
// matches ErrOutcomeUnknown and says to check the backups (a lost answer
// may hide a scheduled backup).
//
// API: POST /databases/{database_id}/backups (createBackup)
func (s *BackupsService) Create(ctx context.Context, databaseID string) (*Backup, error) {
	o, r := apicall.OpCreateBackup, apicall.Call1(s.c.api.CreateBackup, databaseID)
	if err := r.Check(o); err != nil {
		return nil, err
	}
	var w createdBackupWire
	check := "the backups of database " + databaseID + " (Backups.List) for a new manual backup, before creating another"
	a, err := s.c.caller.Call(ctx, o, r.Send, &w)
	if err != nil {
		return nil, apicall.WithCheck(err, check)
	}
	b := w.Envelope
	if b == nil {
		if w.ID == "" {
			return nil, apicall.WithCheck(a.Tag(apicall.Malformed(o, a.Status, `missing envelope key "database_backup" and not a bare backup`)), check)
		}
		b = &w.Backup
	}
	if err := a.Tag(s.c.caller.CheckValue(o, a.Status, b)); err != nil {
		return nil, apicall.WithCheck(err, check)
	}
	return b, nil
}

// createdBackupWire decodes both shapes of createBackup's answer (the
// spec's oneOf of a BackupResponse and a Backup) in one pass; the envelope
// key decides which one counts.
type createdBackupWire struct {
	Envelope *Backup `json:"database_backup"`
	Backup
}

// Get returns one backup. The path is not nested under the database.
//
// API: GET /backups/{backup_id} (getBackup)
func (s *BackupsService) Get(ctx context.Context, backupID string) (*Backup, error) {
	return apicall.FetchOne[Backup](ctx, s.c.caller, apicall.OpGetBackup, apicall.Call1(s.c.api.GetBackup, backupID))
}

// ArchiveLink returns a pre-signed link to the archive of a backup.
//
// API: GET /databases/{database_id}/backups/{backup_id}/archive (getBackupArchive)
func (s *BackupsService) ArchiveLink(ctx context.Context, databaseID, backupID string) (SignedURL, error) {
	w, status, err := apicall.Fetch[dbapi.BackupArchive](ctx, s.c.caller, apicall.OpGetBackupArchive, apicall.Call2(s.c.api.GetBackupArchive, databaseID, backupID))
	if err != nil {
		return SignedURL{}, err
	}
	if w.DownloadURL == "" {
		return SignedURL{}, apicall.Malformed(apicall.OpGetBackupArchive, status, `missing required field "download_url"`)
	}
	if err := checkDownloadURL(w.DownloadURL); err != nil {
		return SignedURL{}, apicall.Malformed(apicall.OpGetBackupArchive, status, `"download_url" is not an absolute http(s) URL`)
	}
	return newSignedURL(w.DownloadURL), nil
}

// Wait polls a backup (see WaitOption) until it is done (the backup is
// returned) or reaches the error, cancelling or cancelled state (the
// backup is returned with a *BackupFailedError). A wait that stops first
// returns the backup as last seen with a *WaitError.
//
// API: GET /backups/{backup_id} (getBackup)
func (s *BackupsService) Wait(ctx context.Context, backupID string, opts ...WaitOption) (*Backup, error) {
	return s.wait(ctx, backupID, nil, opts)
}

func (s *BackupsService) wait(ctx context.Context, backupID string, last *Backup, opts []WaitOption) (*Backup, error) {
	if err := apicall.PathID("backup_id", backupID); err != nil {
		return nil, err
	}
	return waitFor(ctx, "backup", backupID, last, opts,
		func(ctx context.Context) (*Backup, error) { return s.Get(ctx, backupID) },
		func(b *Backup) string { return string(b.Status) },
		func(b *Backup) (bool, error) {
			switch b.Status {
			case BackupError, BackupCancelled, BackupCancelling:
				return false, &BackupFailedError{Backup: b}
			}
			return b.Status == BackupDone, nil
		})
}

// CreateAndWait creates a backup and waits until it is done or fails (see
// Create and Wait). Once the backup exists, a wait that stops returns a
// *WaitError holding its ID: wait again with Backups.Wait, and do not
// create another.
//
// API: POST /databases/{database_id}/backups (createBackup)
func (s *BackupsService) CreateAndWait(ctx context.Context, databaseID string, opts ...WaitOption) (*Backup, error) {
	b, err := s.Create(ctx, databaseID)
	if err != nil {
		return nil, err
	}
	if b.Status == BackupDone {
		return b, nil
	}
	return s.wait(ctx, b.ID, b, opts)
}
