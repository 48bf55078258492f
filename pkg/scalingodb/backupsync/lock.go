package backupsync

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"
)

// LockName is the object, in a database's folder, that a sync holds while it
// changes the folder: a second sync of the same database finds it and stops
// with a *LockedError instead of writing a manifest that drops the first's
// entries. A run that ends removes its lock. A killed run's lock is taken
// over by the next sync once it expires (LockTTL after its last renewal), or
// at once on the same host when its process is gone (as restic does).
const LockName = ".sync-lock.json"

// takeoverPrefix starts the name of the marker a run creates, exclusively,
// before it removes a stale lock, followed by the stale lock's version: of
// the runs that found the same stale lock, only the one that created the
// marker removes it, so that none removes the lock another has just taken.
const takeoverPrefix = ".sync-lock.takeover-"

// isLockObject reports whether name, in a database's folder, is the lock or
// a takeover marker.
func isLockObject(name string) bool {
	return name == LockName || strings.HasPrefix(name, takeoverPrefix) || strings.HasPrefix(name, LockName+lockTempInfix)
}

// LockTTL is how long a lock lasts without renewal. A running sync renews
// its locks every LockTTL/5, so a lock older than LockTTL belongs to a run
// that was killed, or lost its destination for that long.
const LockTTL = 10 * time.Minute

// lockRenewEvery is how often a held lock is renewed; a test shortens it.
var lockRenewEvery = LockTTL / 5

// lockRenewTimeout bounds one renewal (its read and its write, with the S3
// client's retries): a renewal that hangs fails in time for the run to stop
// before its lock expires (see renewLoop); a test shortens it.
var lockRenewTimeout = LockTTL / 10

// takeoverHook, when not nil, runs when a run is about to remove a stale
// lock it takes over (after its marker); a test interleaves a second run there.
var takeoverHook func()

// maxLockBytes bounds the read of a lock object.
const maxLockBytes = 64 << 10

// LockedError is a database whose folder another sync holds.
type LockedError struct {
	// DatabaseID is the database.
	DatabaseID string
	// Key is the lock object's key.
	Key string
	// Holder names the run holding it: host, process ID and a random token.
	Holder string
	// Since is when that run took the lock.
	Since time.Time
	// Expires is when the lock lapses unless that run renews it.
	Expires time.Time
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("backupsync: another sync holds %s (%s, since %s, renewed until %s): two syncs of one database at a time would drop each other's manifest entries; wait for it, or remove %s if no such run exists",
		e.DatabaseID, e.Holder, e.Since.UTC().Format(time.RFC3339), e.Expires.UTC().Format(time.RFC3339), e.Key)
}

// LockLostError says that a running sync found its lock gone or taken over
// by another run: it stopped changing the folder.
type LockLostError struct {
	// DatabaseID is the database.
	DatabaseID string
	// Key is the lock object's key.
	Key string
	// Cause is the last error of the renewals when the lock could not be
	// renewed before its end; nil when another run removed or took it.
	Cause error
}

func (e *LockLostError) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("backupsync: the lock %s of %s could not be renewed before it expired (%v); this run stopped changing the folder", e.Key, e.DatabaseID, e.Cause)
	}
	return fmt.Sprintf("backupsync: the lock %s of %s was removed or taken over by another run; this run stopped changing the folder", e.Key, e.DatabaseID)
}

// lockRecord is the content of a lock object.
type lockRecord struct {
	Holder string `json:"holder"`
	Host   string `json:"host,omitempty"`
	PID    int    `json:"pid,omitempty"`
	// PIDNamespace names the PID namespace of PID (Linux): containers
	// that share a host name each have their own process IDs.
	PIDNamespace string    `json:"pid_namespace,omitempty"`
	StartedAt    time.Time `json:"started_at"`
	ExpiresAt    time.Time `json:"expires_at"`
	Tool         string    `json:"tool_version,omitempty"`
	// version identifies the object read: a digest of its bytes.
	version string
}

// heldLock is a lock this run holds on a database's folder.
type heldLock struct {
	d      *Destination
	db     string
	key    string
	rec    lockRecord
	now    func() time.Time
	cancel context.CancelCauseFunc
	stop   chan struct{}
	done   sync.WaitGroup
}

// newRecord is the lock record of this run, taken at t: its holder names the
// host, the process and a random token, so that two runs never share a name.
func newRecord(t time.Time, tool string) lockRecord {
	host, _ := os.Hostname()
	var b [6]byte
	_, _ = rand.Read(b[:])
	return lockRecord{Holder: fmt.Sprintf("%s pid %d run %s", host, os.Getpid(), hex.EncodeToString(b[:])),
		Host: host, PID: os.Getpid(), PIDNamespace: pidNamespace(), StartedAt: t, ExpiresAt: t.Add(LockTTL), Tool: tool}
}

// stale reports whether a lock found at t belongs to a run that is over:
// it expired, or its process, on this host and in this PID namespace, is
// gone. (A process ID of another namespace, such as another container
// with the host's name, says nothing here: that lock lapses with LockTTL.)
func (r lockRecord) stale(t time.Time) bool {
	if r.ExpiresAt.Before(t) {
		return true
	}
	host, err := os.Hostname()
	return err == nil && r.Host == host && r.PIDNamespace == pidNamespace() &&
		r.PID > 0 && r.PID != os.Getpid() && !processAlive(r.PID)
}

// lock takes the lock of a database's folder, or returns a *LockedError when
// a live lock of another run is there. A lock past its expiry is taken over.
// The returned context is cancelled, with a *LockLostError as its cause, if a
// renewal finds the lock gone or another run's; release removes the lock.
func (d *Destination) lock(ctx context.Context, db, tool string, now func() time.Time) (*heldLock, context.Context, error) {
	t := now().UTC()
	l := &heldLock{d: d, db: db, key: d.key(db, LockName), now: now, stop: make(chan struct{}), rec: newRecord(t, tool)}
	data, err := json.Marshal(l.rec)
	if err != nil {
		return nil, nil, err
	}
	for attempt := 0; ; attempt++ {
		created, err := d.createExclusive(ctx, l.key, data)
		if err != nil {
			return nil, nil, fmt.Errorf("backupsync: cannot take the lock %s: %w", l.key, err)
		}
		if created {
			break
		}
		other, err := d.readLock(ctx, l.key)
		if errors.Is(err, os.ErrNotExist) && attempt == 0 {
			continue // released between the two calls
		}
		if err != nil {
			return nil, nil, err
		}
		if attempt > 0 || !other.stale(t) {
			return nil, nil, &LockedError{DatabaseID: db, Key: l.key, Holder: other.Holder, Since: other.StartedAt, Expires: other.ExpiresAt}
		}
		// The holder was killed: take the lock over, once.
		markers, err := d.removeStale(ctx, db, l.key, other, data, t, 0)
		defer func() {
			for _, m := range markers {
				_ = d.removeLock(context.WithoutCancel(ctx), m)
			}
		}()
		if err != nil {
			return nil, nil, err
		}
	}
	lctx, cancel := context.WithCancelCause(ctx)
	l.cancel = cancel
	l.done.Add(1)
	go l.renewLoop(lctx)
	return l, lctx, nil
}

// maxTakeoverDepth bounds the markers of markers removeStale goes through.
const maxTakeoverDepth = 2

// removeStale removes the stale object at key (the lock, or a takeover
// marker at depth > 0), whose record other was read at t, unless another
// run is removing it. It first creates the takeover marker of other's
// version, exclusively, holding this run's record mine, then checks that
// the object is still other: of the runs that found it, only the one that
// created the marker removes it. A marker is itself stale when its run is
// (expired, or a process of this host that is gone), and is then removed
// the same way. It returns the markers it created, for the caller to
// remove once it tried to create its lock.
func (d *Destination) removeStale(ctx context.Context, db, key string, other lockRecord, mine []byte, t time.Time, depth int) ([]string, error) {
	marker := d.key(db, takeoverPrefix+other.version+".json")
	var markers []string
	for attempt := 0; ; attempt++ {
		created, err := d.createExclusive(ctx, marker, mine)
		if err != nil {
			return markers, fmt.Errorf("backupsync: cannot take the stale lock %s over: %w", key, err)
		}
		if created {
			markers = append(markers, marker)
			break
		}
		taker, err := d.readLock(ctx, marker)
		if errors.Is(err, os.ErrNotExist) && attempt == 0 {
			continue // removed between the two calls
		}
		if err != nil {
			return markers, err
		}
		if attempt > 0 || depth >= maxTakeoverDepth || !taker.stale(t) {
			return markers, &LockedError{DatabaseID: db, Key: key, Holder: taker.Holder + ", taking over the expired lock of " + other.Holder, Since: taker.StartedAt, Expires: taker.ExpiresAt}
		}
		more, err := d.removeStale(ctx, db, marker, taker, mine, t, depth+1)
		markers = append(markers, more...)
		if err != nil {
			return markers, err
		}
	}
	cur, err := d.readLock(ctx, key)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return markers, nil // removed meanwhile: the exclusive create decides
	case err != nil:
		return markers, err
	case cur.version != other.version:
		return markers, &LockedError{DatabaseID: db, Key: key, Holder: cur.Holder, Since: cur.StartedAt, Expires: cur.ExpiresAt}
	}
	if depth == 0 && takeoverHook != nil {
		takeoverHook()
	}
	if err := d.removeLock(ctx, key); err != nil {
		return markers, fmt.Errorf("backupsync: cannot remove the stale lock %s: %w", key, err)
	}
	return markers, nil
}

// renewLoop renews the lock until release.
func (l *heldLock) renewLoop(ctx context.Context) {
	defer l.done.Done()
	tick := time.NewTicker(lockRenewEvery)
	defer tick.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-ctx.Done():
			return
		case <-tick.C:
			rctx, cancel := context.WithTimeout(ctx, lockRenewTimeout)
			err := l.renew(rctx)
			cancel()
			if err != nil {
				var lost *LockLostError
				if errors.As(err, &lost) {
					l.cancel(err)
					return
				}
				// A failed renewal is made again at the next tick, while the
				// lock has more than a renewal's time left; then the run
				// stops, before another may judge the lock stale.
				if !l.now().Before(l.rec.ExpiresAt.Add(-lockRenewEvery)) {
					l.cancel(&LockLostError{DatabaseID: l.db, Key: l.key, Cause: err})
					return
				}
			}
		}
	}
}

// renew pushes the lock's expiry LockTTL from now, after checking that the
// lock is still this run's.
func (l *heldLock) renew(ctx context.Context) error {
	cur, err := l.d.readLock(ctx, l.key)
	if errors.Is(err, os.ErrNotExist) || (err == nil && cur.Holder != l.rec.Holder) {
		return &LockLostError{DatabaseID: l.db, Key: l.key}
	}
	if err != nil {
		return err
	}
	rec := l.rec
	rec.ExpiresAt = l.now().UTC().Add(LockTTL)
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if err := l.d.writeObject(ctx, l.key, data); err != nil {
		return err
	}
	l.rec = rec
	return nil
}

// release stops the renewals and removes the lock if it is still this run's.
// It returns the cause of a lost lock, or a failure to remove it.
func (l *heldLock) release() error {
	close(l.stop)
	l.done.Wait()
	defer l.cancel(nil)
	// A fresh context: the run's may be cancelled, and a lock left behind
	// blocks the next runs for LockTTL.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cur, err := l.d.readLock(ctx, l.key)
	if errors.Is(err, os.ErrNotExist) || (err == nil && cur.Holder != l.rec.Holder) {
		return &LockLostError{DatabaseID: l.db, Key: l.key}
	}
	if err != nil {
		return err
	}
	if err := l.d.removeLock(ctx, l.key); err != nil {
		return fmt.Errorf("backupsync: cannot remove the lock %s: %w", l.key, err)
	}
	return nil
}

// createExclusive writes data at key unless an object is there; it reports
// whether it wrote. A folder links a synced temporary file into place, a
// bucket makes a conditional write (S3's If-None-Match: *): both atomic
// against another process, and neither shows the object without its data
// (a reader takes an unreadable lock for a killed run's, see readLock).
func (d *Destination) createExclusive(ctx context.Context, key string, data []byte) (bool, error) {
	if d.dir != "" {
		return createFileExclusive(filepath.Join(d.dir, filepath.FromSlash(key)), data)
	}
	// Some S3-compatible stores ignore If-None-Match and overwrite: look
	// first, and read back what was written, so that on those a live lock
	// is overwritten only by a run that raced it to the millisecond (and
	// whose renewal finds out).
	if there, err := d.bucket.Exists(ctx, key); err != nil || there {
		return false, err
	}
	err := d.putObject(ctx, key, data, &blob.WriterOptions{ContentType: "application/json", IfNotExist: true})
	if gcerrors.Code(err) == gcerrors.FailedPrecondition {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	r, err := d.bucket.NewReader(ctx, key, nil)
	if err != nil {
		// Unread, it is taken as written; gone already, it is not ours.
		return gcerrors.Code(err) != gcerrors.NotFound, nil
	}
	defer r.Close()
	got, err := io.ReadAll(io.LimitReader(r, maxLockBytes))
	return err != nil || bytes.Equal(got, data), nil
}

// lockTempInfix follows the name of a lock object in the name of the
// temporary file createFileExclusive links into place.
const lockTempInfix = ".tmp-"

// isLockTemp reports whether name, in a database's folder, is a temporary
// file of createFileExclusive for the lock or a takeover marker: the
// object's name, lockTempInfix, and the digits os.CreateTemp puts for "*".
func isLockTemp(name string) bool {
	base, digits, ok := strings.Cut(name, lockTempInfix)
	if !ok || digits == "" || strings.Trim(digits, "0123456789") != "" {
		return false
	}
	if base == LockName {
		return true
	}
	marker, ok := strings.CutPrefix(base, takeoverPrefix)
	version, json := strings.CutSuffix(marker, ".json")
	return ok && json && version != "" && strings.Trim(version, "0123456789abcdef") == ""
}

// createFileExclusive creates the file at path with data, unless a file is
// there: data goes to a synced temporary file, hard-linked at path (which
// fails when path exists). Where the file system has no hard links, it
// falls back to O_EXCL, whose file is empty until written.
func createFileExclusive(path string, data []byte) (bool, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, err
	}
	f, err := os.CreateTemp(dir, filepath.Base(path)+lockTempInfix+"*")
	if err != nil {
		return false, err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := writeSyncClose(f, data); err != nil {
		return false, err
	}
	err = os.Link(tmp, path)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, os.ErrExist):
		return false, nil
	}
	return createFileExclusiveNoLink(path, data)
}

// createFileExclusiveNoLink creates the file at path with O_EXCL and writes
// data into it.
func createFileExclusiveNoLink(path string, data []byte) (bool, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := writeSyncClose(f, data); err != nil {
		_ = os.Remove(path)
		return false, err
	}
	return true, nil
}

// writeSyncClose writes data to f, syncs and closes it.
func writeSyncClose(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeObject replaces the object at key with data; once ctx is done (a
// lost lock cancels it) it writes nothing, in a folder as in a bucket.
func (d *Destination) writeObject(ctx context.Context, key string, data []byte) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	if d.dir != "" {
		return writeFileAtomic(filepath.Join(d.dir, filepath.FromSlash(key)), data)
	}
	return d.putObject(ctx, key, data, &blob.WriterOptions{ContentType: "application/json"})
}

// putObject writes data at key through the bucket.
func (d *Destination) putObject(ctx context.Context, key string, data []byte, opts *blob.WriterOptions) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := d.bucket.NewWriter(wctx, key, opts)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		cancel()
		_ = w.Close()
		return err
	}
	return w.Close()
}

// readLock reads the lock at key; os.ErrNotExist when there is none. An
// unreadable lock counts as an expired one of an unknown holder, so that a
// torn write never blocks syncs for good.
func (d *Destination) readLock(ctx context.Context, key string) (lockRecord, error) {
	r, err := d.bucket.NewReader(ctx, key, nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return lockRecord{}, os.ErrNotExist
	}
	if err != nil {
		return lockRecord{}, fmt.Errorf("backupsync: cannot read the lock %s: %w", key, err)
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, maxLockBytes))
	if err != nil {
		return lockRecord{}, fmt.Errorf("backupsync: cannot read the lock %s: %w", key, err)
	}
	sum := sha256.Sum256(data)
	version := hex.EncodeToString(sum[:12])
	var rec lockRecord
	if json.Unmarshal(data, &rec) != nil || rec.Holder == "" {
		return lockRecord{Holder: "(unreadable lock)", version: version}, nil
	}
	rec.version = version
	return rec, nil
}

// removeLock deletes the lock at key; a lock already gone is no error.
func (d *Destination) removeLock(ctx context.Context, key string) error {
	err := d.bucket.Delete(ctx, key)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil
	}
	return err
}
