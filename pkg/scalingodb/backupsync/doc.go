// Package backupsync keeps an off-site copy of the backups of Scalingo
// databases, in a local folder or in a bucket (gocloud.dev/blob: file:///…
// and s3://… for AWS and every S3-compatible store), prunes it with
// restic's retention rules, and verifies it.
//
// # Layout
//
// Each database has a folder under the destination's prefix:
//
//	<prefix>/<database-id>/<created_at UTC>_<backup-id>.<ext>
//	<prefix>/<database-id>/manifest.json
//
// such as backups/ad-123/20261205T031500Z_5bd5c2f04ffb090be1ac3c9b.tar.gz.
// The manifest lists each copy this tool made (ID, name, created_at, size,
// sha256, ETag, copied_at, tool version). It is written after the objects
// it lists and atomically: a reader sees the old manifest or the new one.
// Prunes delete only objects the manifest lists, never anything else under
// the prefix.
//
// # Guarantees
//
// A copy to a bucket is a stream from the download link into a blob writer
// (a multipart upload for S3), hashed on the way, with bounded memory (parts
// of 8 MiB, two in flight): on any failure the upload is abandoned and
// nothing appears at the final key; the next run starts it from zero, so two
// versions of an archive are never spliced. A copy to a folder goes through
// scalingodb's DownloadToFile, atomic and resumable. A rerun with nothing new
// makes one list request per database and no archive request.
//
// # Retention
//
// Policy follows restic forget (keep-last, keep-daily, keep-weekly,
// keep-monthly, keep-within), with days, weeks and months in UTC.
package backupsync
