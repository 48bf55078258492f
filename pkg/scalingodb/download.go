package scalingodb

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/download"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/apicall"
)

// DownloadOption tunes Backups.Download, Backups.DownloadAt and
// Backups.DownloadToFile. It is a download.Option: every option of package
// download works here too.
type DownloadOption = download.Option

// WithProgress is download.WithProgress: fn gets the bytes written so far
// and the archive's size.
func WithProgress(fn func(done, total int64)) DownloadOption { return download.WithProgress(fn) }

// WithParallel is download.WithParallel: n ranged connections at once (1
// to 16; default 1) for DownloadAt and DownloadToFile.
func WithParallel(n int) DownloadOption { return download.WithParallel(n) }

// WithDownloadRetry is download.WithRetry: how a cut transfer is resumed.
func WithDownloadRetry(p RetryPolicy) DownloadOption { return download.WithRetry(p) }

// WithStallTimeout is download.WithStallTimeout: how long a connection
// may deliver nothing before the transfer resumes on another (default 60s).
func WithStallTimeout(d time.Duration) DownloadOption { return download.WithStallTimeout(d) }

// prepare checks the backup, asks for a first link and returns what
// package download needs: the link, the size, how to renew the link, and
// the client's download transport and logger before the caller's options.
func (s *BackupsService) prepare(ctx context.Context, databaseID, backupID string, opts []DownloadOption) (download.Source, []DownloadOption, error) {
	b, err := s.Get(ctx, backupID)
	if err != nil {
		return download.Source{}, nil, err
	}
	if b.Status != BackupDone {
		return download.Source{}, nil, &InvalidInputError{Field: "backup_id", Reason: "backup is " + string(b.Status) + ", not done"}
	}
	if b.Size < 0 {
		return download.Source{}, nil, apicall.Malformed(apicall.OpGetBackup, http.StatusOK, "negative backup size")
	}
	link, err := s.ArchiveLink(ctx, databaseID, backupID)
	if err != nil {
		return download.Source{}, nil, err
	}
	src := download.Source{URL: link.URL(), Size: b.Size, ID: backupID, Operation: apicall.OpDownloadBackup.ID,
		Refresh: func(ctx context.Context) (string, error) {
			l, err := s.ArchiveLink(ctx, databaseID, backupID)
			return l.URL(), err
		}}
	all := make([]DownloadOption, 0, len(opts)+2)
	all = append(all, download.WithHTTPClient(s.c.caller.Download), download.WithLogger(s.c.caller.Logger))
	return src, append(all, opts...), nil
}

// DownloadAt fetches the archive of a backup, which must be done, into
// dst, over several ranged connections with WithParallel. It reads the
// backup's size (getBackup), asks for a pre-signed link
// (getBackupArchive), renewed when it expires, and downloads from it
// without the bearer token, as download.ToWriterAt does: a cut transfer
// resumes with Range and If-Range, no more bytes than the size are ever
// written, and an archive that changes twice under the transfer fails
// with an *ArchiveChangedError. It returns the number of bytes written by
// the last pass. The link's token never appears in errors or logs.
//
// API: GET /databases/{database_id}/backups/{backup_id}/download (downloadBackup)
func (s *BackupsService) DownloadAt(ctx context.Context, databaseID, backupID string, dst io.WriterAt, opts ...DownloadOption) (int64, error) {
	if dst == nil {
		return 0, &InvalidInputError{Field: "dst", Reason: "must not be nil"}
	}
	src, all, err := s.prepare(ctx, databaseID, backupID, opts)
	if err != nil {
		return 0, err
	}
	return download.ToWriterAt(ctx, src, dst, all...)
}

// Download streams the archive of a backup into w, in order, over one
// connection, for pipes to stdout, an encrypter or an object store: it is
// DownloadAt with download.ToWriter, which cannot take back what w
// received, so an archive that changes after the first byte fails with an
// *ArchiveChangedError. It returns the number of bytes written to w.
//
// API: GET /databases/{database_id}/backups/{backup_id}/download (downloadBackup)
func (s *BackupsService) Download(ctx context.Context, databaseID, backupID string, w io.Writer, opts ...DownloadOption) (int64, error) {
	if w == nil {
		return 0, &InvalidInputError{Field: "w", Reason: "must not be nil"}
	}
	src, all, err := s.prepare(ctx, databaseID, backupID, opts)
	if err != nil {
		return 0, err
	}
	return download.ToWriter(ctx, src, w, all...)
}

// DownloadToFile downloads the archive of a backup (see DownloadAt) into
// the file at path, atomically, as download.ToFile does: path is replaced
// only by the whole archive, synced, and on any failure is left as it was,
// never truncated nor removed. A later call with the same path and backup
// resumes a failed one; a concurrent one fails with a
// *DownloadInProgressError. The new file has mode 0600. It returns the
// size of the archive.
//
// API: GET /databases/{database_id}/backups/{backup_id}/download (downloadBackup)
func (s *BackupsService) DownloadToFile(ctx context.Context, databaseID, backupID, path string, opts ...DownloadOption) (int64, error) {
	if path == "" {
		return 0, &InvalidInputError{Field: "path", Reason: "must not be empty"}
	}
	src, all, err := s.prepare(ctx, databaseID, backupID, opts)
	if err != nil {
		return 0, err
	}
	return download.ToFile(ctx, src, path, all...)
}
