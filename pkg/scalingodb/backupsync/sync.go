package backupsync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// Source is a database whose backups are copied, with the client that
// reaches it (one client can serve several databases when its token does).
type Source struct {
	// DatabaseID is the ID of the database (its addon ID).
	DatabaseID string
	// Client reaches the database's API.
	Client *scalingodb.Client
}

// DefaultJobs is how many databases Sync copies at a time by default.
const DefaultJobs = 4

// Uploads to a bucket go in parts (see partSize), uploadConcurrency at a
// time: with the download's buffers, under 64 MiB per job for archives up
// to minPartSize × maxParts.
const (
	// minPartSize is S3's smallest part.
	minPartSize = 5 << 20
	// maxParts is S3's most parts in one upload.
	maxParts          = 10000
	uploadConcurrency = 2
)

// partSize returns the part size of the upload of an archive of size
// bytes: S3's smallest part, or, for an archive too large for 10,000 of
// them (48.8 GiB), the smallest multiple of 1 MiB that fits it in 9,000
// parts, leaving room for an archive that grew since the API gave its size.
// (The upload reads a stream, so the SDK cannot choose from the size.)
func partSize(size int64) int {
	if size <= minPartSize*(maxParts-1000) {
		return minPartSize
	}
	const mib = 1 << 20
	return int((size/(maxParts-1000)/mib + 1) * mib)
}

// maxFuture is how far past now a backup may be dated (clocks differ);
// one dated later is refused (see syncOne).
const maxFuture = 24 * time.Hour

// maxStreamAttempts is how many times a stream to a bucket starts again
// from zero when the archive changed under it.
const maxStreamAttempts = 3

// Options tune Sync.
type Options struct {
	// Jobs is how many databases are copied at a time (default
	// DefaultJobs); each copies one archive at a time.
	Jobs int
	// Policy says which copies to keep; the zero Policy keeps all and
	// prunes nothing. A negative count or span fails every database with
	// an *scalingodb.InvalidInputError, and nothing is copied nor pruned.
	Policy Policy
	// DryRun lists what would be copied and pruned, and changes nothing
	// (it still lists the backups and reads the manifests).
	DryRun bool
	// ToolVersion is recorded in each manifest entry.
	ToolVersion string
	// Events, when set, is called for each step; calls for one database
	// never overlap, calls for several may: it must be safe for that.
	Events func(Event)
	// Now returns the current time (default time.Now).
	Now func() time.Time
	// Download are options of each download (retries, stall timeout).
	Download []scalingodb.DownloadOption
}

// EventKind names a step of a sync.
type EventKind string

// The steps of a sync of one database.
const (
	EventListed   EventKind = "listed"   // the backups were listed: Total is how many will be copied
	EventCopying  EventKind = "copying"  // an archive starts: Backup
	EventProgress EventKind = "progress" // bytes of an archive arrived: Done of Total
	EventCopied   EventKind = "copied"   // an archive is complete and listed
	EventSkipped  EventKind = "skipped"  // an archive is already there
	EventPruned   EventKind = "pruned"   // a copy was deleted (or would be, in a dry run)
	EventWould    EventKind = "would-copy"
	EventFailed   EventKind = "failed" // an archive or the database failed: Err
)

// Event is a step of a sync, for progress output.
type Event struct {
	Kind       EventKind
	DatabaseID string
	// Backup is the backup concerned, if any.
	Backup *scalingodb.Backup
	// Key is the object concerned, if any.
	Key string
	// Done and Total count bytes for progress, or backups for listed.
	Done, Total int64
	Err         error
}

// Result is what Sync did for one database.
type Result struct {
	// DatabaseID is the database.
	DatabaseID string `json:"database_id"`
	// Copied are the backups copied in this run (in a dry run, those that
	// would be).
	Copied []string `json:"copied"`
	// Skipped are the backups whose copy was already there.
	Skipped []string `json:"skipped"`
	// Pruned are the backups whose copy was deleted (in a dry run, would
	// be).
	Pruned []string `json:"pruned"`
	// Bytes is how many bytes were copied.
	Bytes int64 `json:"bytes"`
	// Seconds is how long the database took.
	Seconds float64 `json:"seconds"`
	// Errors are the failures, in words; the database failed when any.
	Errors []string `json:"errors"`
	// Err joins the failures, for errors.Is and errors.As.
	Err error `json:"-"`
}

// Failed reports whether anything failed for the database.
func (r *Result) Failed() bool { return r.Err != nil }

// Sync copies the done backups of each source to the destination, prunes
// the copies the policy does not keep, and returns one Result per source,
// in the order of sources. Databases are copied Jobs at a time and a
// failure on one does not stop the others; a cancelled ctx stops all.
//
// For each database it lists the backups once (one API list request) and
// the destination's folder once, reads the manifest, and copies each done
// backup that the policy keeps and whose object is not there as the
// manifest lists it: of its size, and of its ETag (one attributes request
// per kept copy), or, when the ETag changed (the object was replaced), of
// its SHA-256, which is read again then. A rerun with nothing new makes no
// archive request. A
// copy to a folder goes through DownloadToFile (atomic and resumable); a
// copy to a bucket is streamed into a blob writer, hashed on the way, and
// aborted on any failure, so that nothing appears at its key (a rerun
// starts it from zero). The manifest is rewritten after each copy and each
// prune, after the object it lists. The policy is applied to the union of
// the copies listed in the manifest and the done backups: a backup it
// would prune is not copied, and only objects listed in the manifest are
// ever deleted. Nothing is pruned after a failure of the database's run,
// nor while a copy the policy keeps is lost (listed, but absent, of
// another size, or replaced by another content or an unreadable one, with
// no done backup on the API to copy it from again): that is a failure,
// since the older copies pruned in its place could be the last good ones.
func Sync(ctx context.Context, dst *Destination, sources []Source, opts Options) []Result {
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = DefaultJobs
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	results := make([]Result, len(sources))
	sem := make(chan struct{}, jobs)
	var wg sync.WaitGroup
	for i, src := range sources {
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				results[i] = Result{DatabaseID: src.DatabaseID}
				results[i].fail(ctx.Err())
				return
			}
			defer func() { <-sem }()
			results[i] = syncOne(ctx, dst, src, opts)
		})
	}
	wg.Wait()
	return results
}

// fail records an error of the database.
func (r *Result) fail(err error) {
	r.Errors = append(r.Errors, err.Error())
	r.Err = errors.Join(r.Err, err)
}

// syncOne syncs one database.
func syncOne(ctx context.Context, dst *Destination, src Source, opts Options) (res Result) {
	start := opts.Now()
	db := src.DatabaseID
	res = Result{DatabaseID: db, Copied: []string{}, Skipped: []string{}, Pruned: []string{}, Errors: []string{}}
	defer func() { res.Seconds = opts.Now().Sub(start).Seconds() }()
	emit := func(e Event) {
		if opts.Events != nil {
			e.DatabaseID = db
			opts.Events(e)
		}
	}
	failDB := func(err error) Result {
		res.fail(err)
		emit(Event{Kind: EventFailed, Err: err})
		return res
	}
	if err := checkID(db); err != nil {
		return failDB(err)
	}
	if err := opts.Policy.check(); err != nil {
		return failDB(err)
	}
	if src.Client == nil {
		return failDB(fmt.Errorf("backupsync: no client for database %s", db))
	}
	if !opts.DryRun {
		// One sync of a database at a time: a second one would write a
		// manifest without the first's new entries.
		l, lctx, err := dst.lock(ctx, db, opts.ToolVersion, opts.Now)
		if err != nil {
			return failDB(err)
		}
		ctx = lctx
		defer func() {
			if err := l.release(); err != nil {
				res.fail(err)
				emit(Event{Kind: EventFailed, Err: err})
			}
		}()
	}
	m, objects, err := dst.folder(ctx, db)
	if err != nil {
		return failDB(err)
	}
	if !opts.DryRun {
		dst.removeStaleTemps(db, objects)
	}
	all, err := src.Client.Backups.List(ctx, db)
	if err != nil {
		return failDB(fmt.Errorf("cannot list the backups of %s: %w", db, err))
	}
	// The candidates: the copies listed, then the done backups not listed.
	type candidate struct {
		backup *scalingodb.Backup // nil for a copy whose backup is gone
		entry  *Entry
		t      time.Time
	}
	var cands []candidate
	for _, e := range m.Backups {
		// A copy: m changes as the run goes.
		cands = append(cands, candidate{entry: &e, t: e.CreatedAt})
	}
	for _, b := range all {
		if b.Status != scalingodb.BackupDone {
			continue
		}
		if checkID(b.ID) != nil {
			res.fail(fmt.Errorf("backup %q of %s: %w", b.ID, db, checkID(b.ID)))
			continue
		}
		if b.Size < 0 {
			res.fail(fmt.Errorf("backup %s of %s is done with a size of %d bytes: it cannot be copied", b.ID, db, b.Size))
			continue
		}
		found := false
		for j := range cands {
			if cands[j].entry != nil && cands[j].entry.ID == b.ID {
				cands[j].backup, found = b, true
			}
		}
		if !found {
			cands = append(cands, candidate{backup: b, t: b.CreatedAt})
		}
	}
	// A copy or backup dated in the future (a clock gone wrong) would be
	// the most recent one, which --keep-within counts from, and take a
	// slot of every rule: it is left out, neither copied nor pruned, and
	// the run fails (so that nothing is pruned).
	horizon := opts.Now().Add(maxFuture)
	valid := cands[:0]
	for _, c := range cands {
		if !c.t.After(horizon) {
			valid = append(valid, c)
			continue
		}
		id := ""
		if c.entry != nil {
			id = c.entry.ID
		} else {
			id = c.backup.ID
		}
		res.fail(fmt.Errorf("backup %s of %s is dated %s, in the future: it is neither copied nor counted by the retention rules",
			id, db, c.t.UTC().Format(time.RFC3339)))
	}
	cands = valid
	times := make([]time.Time, len(cands))
	for i, c := range cands {
		times[i] = c.t
	}
	keep := opts.Policy.Keep(times)
	// Copy the kept ones that are not there, oldest first.
	var toCopy []*scalingodb.Backup
	refreshed := false
	for i, c := range cands {
		if !keep[i] {
			continue
		}
		// A kept copy is skipped only when it is the object its entry
		// lists; one that cannot be copied again must be, or the older
		// copies pruned in its place could be the last good ones.
		if e := c.entry; e != nil && (c.backup == nil || e.Size == c.backup.Size) {
			key := dst.key(db, e.Key)
			state, etag, err := dst.copyState(ctx, db, objects, e)
			if err == nil && state != "" && c.backup == nil {
				err = lostCopy(key, e.ID, state)
			}
			if err != nil {
				res.fail(err)
				emit(Event{Kind: EventFailed, Backup: c.backup, Key: key, Err: err})
				continue
			}
			if state == "" {
				if me := m.entry(e.ID); etag != "" && me != nil {
					me.ETag, refreshed = etag, true
				}
				if c.backup != nil {
					res.Skipped = append(res.Skipped, e.ID)
					emit(Event{Kind: EventSkipped, Backup: c.backup, Key: key})
				}
				continue
			}
		}
		toCopy = append(toCopy, c.backup)
	}
	if refreshed && !opts.DryRun {
		m.UpdatedAt = opts.Now().UTC()
		if err := dst.writeManifest(ctx, m); err != nil {
			res.fail(err)
		}
	}
	sort.SliceStable(toCopy, func(i, j int) bool { return toCopy[i].CreatedAt.Before(toCopy[j].CreatedAt) })
	emit(Event{Kind: EventListed, Total: int64(len(toCopy))})
	for _, b := range toCopy {
		if ctx.Err() != nil {
			res.fail(context.Cause(ctx))
			break
		}
		key := dst.key(db, objectName(b.CreatedAt, b.ID, b.Name))
		if opts.DryRun {
			res.Copied = append(res.Copied, b.ID)
			emit(Event{Kind: EventWould, Backup: b, Key: key, Total: b.Size})
			continue
		}
		emit(Event{Kind: EventCopying, Backup: b, Key: key, Total: b.Size})
		progress := func(done, total int64) {
			emit(Event{Kind: EventProgress, Backup: b, Key: key, Done: done, Total: total})
		}
		sum, etag, err := dst.copyArchive(ctx, src.Client, db, b, key, progress, opts.Download)
		if err == nil {
			m.put(Entry{ID: b.ID, Name: b.Name, CreatedAt: b.CreatedAt.UTC(), Size: b.Size, SHA256: sum, ETag: etag,
				Key: objectName(b.CreatedAt, b.ID, b.Name), CopiedAt: opts.Now().UTC(), ToolVersion: opts.ToolVersion})
			m.UpdatedAt = opts.Now().UTC()
			err = dst.writeManifest(ctx, m)
		}
		if err != nil {
			err = fmt.Errorf("cannot copy backup %s of %s: %w", b.ID, db, err)
			res.fail(err)
			emit(Event{Kind: EventFailed, Backup: b, Key: key, Err: err})
			continue
		}
		res.Copied = append(res.Copied, b.ID)
		res.Bytes += b.Size
		emit(Event{Kind: EventCopied, Backup: b, Key: key, Done: b.Size, Total: b.Size})
	}
	// Prune the listed copies the policy does not keep: the object first,
	// then its entry, so that a kill in between leaves an entry whose
	// object is gone, which the next run prunes again.
	if res.Err != nil {
		return res // never prune after a failure: the kept set may be short
	}
	pruned := false
	for i, c := range cands {
		if keep[i] || c.entry == nil {
			continue
		}
		id, key := c.entry.ID, dst.key(db, c.entry.Key)
		if !opts.DryRun {
			if ctx.Err() != nil {
				// A lost lock (its *LockLostError) or a cancelled run: stop
				// changing the folder, whose manifest may be another run's now.
				res.fail(context.Cause(ctx))
				return res
			}
			if err := dst.bucket.Delete(ctx, key); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
				res.fail(fmt.Errorf("cannot prune %s: %w", key, err))
				continue
			}
			m.remove(id)
			pruned = true
		}
		res.Pruned = append(res.Pruned, id)
		emit(Event{Kind: EventPruned, Backup: c.backup, Key: key})
	}
	if pruned {
		m.UpdatedAt = opts.Now().UTC()
		if err := dst.writeManifest(ctx, m); err != nil {
			res.fail(err)
		}
	}
	return res
}

// copyState says whether the object of a listed copy is still the one its
// entry lists: "" when it is, else what it is instead (absent, another
// size, another content). An object whose ETag is no longer the entry's
// was replaced since it was copied: it is read again, and when its size
// and SHA-256 still match, its new ETag is returned, for the manifest.
func (d *Destination) copyState(ctx context.Context, db string, objects map[string]int64, e *Entry) (state, etag string, err error) {
	size, ok := objects[e.Key]
	switch {
	case !ok:
		return "absent", "", nil
	case size != e.Size:
		return fmt.Sprintf("%d bytes, not %d", size, e.Size), "", nil
	case e.ETag == "":
		return "", "", nil // nothing recorded to compare with
	}
	key := d.key(db, e.Key)
	attrs, err := d.bucket.Attributes(ctx, key)
	switch {
	case gcerrors.Code(err) == gcerrors.NotFound:
		return "absent", "", nil
	case err != nil:
		return "", "", fmt.Errorf("backupsync: cannot check %s: %w", key, err)
	case attrs.ETag == "" || attrs.ETag == e.ETag:
		return "", "", nil
	}
	n, sum, err := d.hashObject(ctx, key)
	switch {
	case gcerrors.Code(err) == gcerrors.NotFound:
		return "absent", "", nil
	case err != nil && ctx.Err() != nil:
		return "", "", context.Cause(ctx)
	case err != nil:
		// Such as a checksum the store finds wrong: copied again if it can be.
		return "unreadable since it was replaced: " + err.Error(), "", nil
	case n != e.Size || sum != e.SHA256:
		return "replaced since it was copied, with another content", "", nil
	}
	return "", attrs.ETag, nil
}

// lostCopy is the error of a listed copy that is not what its entry lists
// (state says what it is) and that the API cannot give again.
func lostCopy(key, id, state string) error {
	return fmt.Errorf("the copy %s of backup %s is lost (%s), and the API no longer has the backup to copy it again: "+
		"nothing is pruned while the manifest lists it (remove its entry from %s once you have seen to it)", key, id, state, ManifestName)
}

// copyArchive copies the archive of b to key and returns its hex SHA-256
// and the object's ETag.
func (d *Destination) copyArchive(ctx context.Context, c *scalingodb.Client, db string, b *scalingodb.Backup, key string,
	progress func(done, total int64), dopts []scalingodb.DownloadOption) (sum, etag string, err error) {
	dopts = append(append([]scalingodb.DownloadOption(nil), dopts...), scalingodb.WithProgress(progress))
	if d.dir != "" {
		path := filepath.Join(d.dir, filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return "", "", err
		}
		n, err := c.Backups.DownloadToFile(ctx, db, b.ID, path, dopts...)
		if err != nil {
			return "", "", err
		}
		if n != b.Size {
			return "", "", fmt.Errorf("the archive has %d bytes, the backup %d", n, b.Size)
		}
		sum, err = hashFile(path)
		if err != nil {
			return "", "", err
		}
	} else {
		for attempt := 1; ; attempt++ {
			sum, err = d.stream(ctx, c, db, b, key, dopts)
			var ace *scalingodb.ArchiveChangedError
			if err == nil || !errors.As(err, &ace) || attempt == maxStreamAttempts || ctx.Err() != nil {
				break
			}
		}
		if err != nil {
			return "", "", err
		}
	}
	if attrs, aerr := d.bucket.Attributes(ctx, key); aerr == nil {
		etag = attrs.ETag
	}
	return sum, etag, nil
}

// stream copies an archive into a blob writer, hashing it on the way. On
// any failure the writer's context is cancelled before Close, which
// abandons the upload: nothing appears at key.
func (d *Destination) stream(ctx context.Context, c *scalingodb.Client, db string, b *scalingodb.Backup, key string, dopts []scalingodb.DownloadOption) (string, error) {
	if d.s3 != nil && plainKey(key) && b.Size > 0 {
		return d.streamS3(ctx, c, db, b, key, dopts)
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := d.bucket.NewWriter(wctx, key, &blob.WriterOptions{
		BufferSize: partSize(b.Size), MaxConcurrency: uploadConcurrency,
		ContentType: "application/octet-stream", Metadata: map[string]string{"backup-id": b.ID},
	})
	if err != nil {
		return "", err
	}
	h := sha256.New()
	n, err := c.Backups.Download(ctx, db, b.ID, &hashWriter{w: w, h: h}, dopts...)
	if err == nil && n != b.Size {
		err = fmt.Errorf("the archive has %d bytes, the backup %d", n, b.Size)
	}
	if err != nil {
		cancel()
		_ = w.Close()
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("cannot write %s: %w", key, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// hashWriter writes to w and hashes what w accepted.
// streamS3 is stream for an s3:// destination, through s3Upload: on any
// failure the upload is aborted, and nothing appears at key.
func (d *Destination) streamS3(ctx context.Context, c *scalingodb.Client, db string, b *scalingodb.Backup, key string, dopts []scalingodb.DownloadOption) (string, error) {
	u, err := startS3Upload(ctx, d.s3, d.s3Bucket, d.s3KeyPrefix+key, b.ID, partSize(b.Size))
	if err != nil {
		return "", err
	}
	h := sha256.New()
	n, err := c.Backups.Download(ctx, db, b.ID, &hashWriter{w: writerFunc(func(p []byte) (int, error) { return u.write(ctx, p) }), h: h}, dopts...)
	if err == nil && n != b.Size {
		err = fmt.Errorf("the archive has %d bytes, the backup %d", n, b.Size)
	}
	if err == nil {
		err = u.complete(ctx)
	}
	if err != nil {
		u.abort(ctx)
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// plainKey reports whether S3 takes key as it is: gocloud.dev escapes
// control characters and the slash of "../" in keys, so such a key goes
// through its writer, to stay where gocloud.dev reads it.
func plainKey(key string) bool {
	return !strings.Contains(key, "../") && !strings.ContainsFunc(key, func(r rune) bool { return r < 32 })
}

// writerFunc is an io.Writer from a function.
type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

type hashWriter struct {
	w io.Writer
	h hash.Hash
}

func (hw *hashWriter) Write(p []byte) (int, error) {
	n, err := hw.w.Write(p)
	hw.h.Write(p[:n])
	return n, err
}

// hashFile returns the hex SHA-256 of a file.
func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
