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

// WithProgress calls fn as bytes arrive, with the bytes written so far
// (for a resumed DownloadToFile, those of the earlier calls included; back
// to 0 when a download starts again from zero) and the archive's size.
// Calls never overlap, even with WithParallel, and fn must return quickly.
func WithProgress(fn func(done, total int64)) DownloadOption { return download.WithProgress(fn) }

// WithParallel fetches the archive over n ranged connections at once (1 to
// 16; default 1), for DownloadAt and DownloadToFile, when the server gives
// a strong validator that proves the ranges are of one archive (see
// DownloadAt). Download, which writes a stream in order, ignores it.
func WithParallel(n int) DownloadOption { return download.WithParallel(n) }

// WithDownloadRetry sets how a cut or failed transfer is resumed: at most
// p.MaxAttempts attempts in a row without progress (default 6), waiting
// from p.MinWait (default 200ms) to p.MaxWait (default 5s) between them.
// A successful read resets the count, so a long transfer survives many cuts.
func WithDownloadRetry(p RetryPolicy) DownloadOption { return download.WithRetry(p) }

// WithStallTimeout sets how long a connection may deliver nothing before
// it is dropped and the transfer resumed on a new one (default 60s).
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

// DownloadAt fetches the archive of a backup into dst, streaming it with a
// fixed-size buffer per connection, over several ranged connections with
// WithParallel. It asks for a pre-signed link (getBackupArchive), then
// downloads from it without the bearer token (see download.ToWriterAt). A
// cut transfer resumes where it stopped with a Range request carrying
// If-Range (the first answer's strong validator), an expired link is
// renewed, and no more bytes than the backup's size (getBackup) are ever
// written: an answer that runs past it fails (a *ResponseError wrapping an
// *http.MaxBytesError). When the archive changes under the transfer,
// DownloadAt starts again from zero, rewriting dst from offset 0, once; a
// second change fails with an *ArchiveChangedError. Without a strong
// validator (a strong ETag, or with no ETag a Last-Modified at least one
// second before the answer's Date), the archive is fetched over one
// connection whatever WithParallel says, and a cut transfer starts again
// from zero instead of resuming. It returns the number of bytes written by
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
// connection: for pipes to stdout, an encrypter or an object store (see
// download.ToWriter). Like DownloadAt, it resumes a cut transfer with Range
// and If-Range, renews an expired link and never writes more than the
// backup's size. WithParallel is ignored. When the archive changes before
// any byte was written, Download starts again; after, it cannot take back
// what w received and fails with an *ArchiveChangedError, as it does when a
// transfer is cut after bytes were written and the server gave no strong
// validator. It returns the number of bytes written to w.
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
// the file at path, atomically (see download.ToFile): the bytes go to
// path+".partial", which is synced, checked against the backup's size and
// renamed over path only when the whole archive arrived. On any failure
// the file at path is left as it was (or absent); it is never truncated
// nor removed. A failed or interrupted download is resumed by a later call
// with the same path and backup, from this process or another, through the
// sidecar path+".partial.json", when the server gave a strong validator.
// Only one call at a time may use a given path: on Unix a second one fails
// at once with a *DownloadInProgressError and changes nothing. The new
// file has mode 0600. It returns the size of the archive.
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
