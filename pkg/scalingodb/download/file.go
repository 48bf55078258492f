package download

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"
)

// Files of an unfinished ToFile, next to the destination.
const (
	partSuffix  = ".partial"      // the archive's bytes, at their offsets
	stateSuffix = ".partial.json" // partState: what the partial file holds
)

// ErrInProgress matches an *InProgressError.
var ErrInProgress = errors.New("scalingodb: another download is writing this file")

// InProgressError is a ToFile refused because another call, in this
// process or another, is downloading to the same path. The refused call
// changed nothing: the destination and the other call's partial file are
// as they were. It matches ErrInProgress. It is
// scalingodb.DownloadInProgressError.
type InProgressError struct {
	// Path is the destination both calls were given.
	Path string
	// OperationID is the Source.Operation of the refused call.
	OperationID string
}

// Error names the destination.
func (e *InProgressError) Error() string {
	return httpx.Message(e.OperationID, "another download is writing %s", e.Path+partSuffix)
}

// Is reports whether target is ErrInProgress.
func (e *InProgressError) Is(target error) bool { return target == ErrInProgress }

// maxReopens bounds how often open finds that the partial file it locked
// was renamed or removed meanwhile (other calls finishing one after another).
const maxReopens = 8

// checkpointEvery is how many bytes arrive between two checkpoints of a
// ToFile: a crash loses at most about this much progress.
const checkpointEvery = 32 << 20

// partState is the sidecar of a partial file. It is replaced atomically,
// and only after the partial file was synced, so that it never claims bytes
// that are not durably in the partial file.
type partState struct {
	Version  int    `json:"version"`
	BackupID string `json:"backup_id"`
	Size     int64  `json:"size"`
	// ETag and LastModified are the validators of the archive the bytes
	// came from; a resume sends them in If-Range. ETag is a strong entity
	// tag; LastModified is only set without an ETag, and only when it
	// counted as strong (RFC 9110 §8.8.2.2).
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// Done lists the [start, end) byte ranges durably written, sorted.
	Done [][2]int64 `json:"done"`
}

// partStateVersion is the version of partState written. Version 1 may
// hold a weak validator: only its strong ETags are trusted.
const partStateVersion = 2

// ToFile downloads src (see ToWriterAt) into the file at path,
// atomically: the bytes go to path+".partial" in the same folder, which is
// synced, checked against src.Size and renamed over path only when the
// whole file arrived. On any failure the file at path is left as it was
// (or absent); it is never truncated nor removed. When path already holds
// a complete file, the call downloads it again and replaces it only once
// the new copy is complete. A file that arrives before the first
// checkpoint costs two fsyncs: the partial file's and its folder's, at the
// rename.
//
// A failed or interrupted download can be resumed by a later call with the
// same path and src.ID (not empty: without an ID nothing tells two files of
// the same size apart, so the call neither resumes nor writes a sidecar, and
// always downloads from zero), from this process or another: the sidecar
// path+".partial.json" records the ID, the size, the file's strong
// validator and the byte ranges durably written (parallel ranges leave
// holes), and is replaced, after a sync of the partial file, every 32 MiB
// and when the call fails. The later call fetches only the missing ranges
// with If-Range, and starts again from zero when the file changed, or when
// the host gave no strong validator to prove it did not (a strong ETag, or
// with no ETag a Last-Modified at least one second before the answer's
// Date, RFC 9110 §8.8.2.2): then no sidecar is written. A failed fsync of
// the partial file stops the call and removes the partial file and its
// sidecar: the bytes written before it may not be on the disk, even when a
// later fsync succeeds, so they are never resumed nor renamed.
//
// Only one call at a time may use a given path. On Unix a second one, in
// any process, fails at once with an *InProgressError (matching
// ErrInProgress) and changes nothing: the first call holds an advisory
// lock on the partial file until it has renamed or removed it, so the
// second can neither take its bytes for an abandoned download nor empty
// the file it just saved. A call that comes after the first one finished
// starts a new download. The new file has mode 0600. It returns the size
// of the file.
func ToFile(ctx context.Context, src Source, path string, opts ...Option) (int64, error) {
	if path == "" {
		return 0, &httpx.InvalidInputError{Field: "path", Reason: "must not be empty"}
	}
	d, err := newDownloader(src, opts)
	if err != nil {
		return 0, err
	}
	p := &partFile{path: path, part: path + partSuffix, state: path + stateSuffix, d: d}
	if err := p.open(); err != nil {
		return 0, err
	}
	err = p.download(ctx)
	if err != nil {
		return d.done.Load(), p.abandon(err)
	}
	if err := p.commit(); err != nil {
		return d.done.Load(), p.abandon(err)
	}
	return d.size, nil
}

// partFile is the partial file of a ToFile and its sidecar.
type partFile struct {
	path, part, state string
	d                 *downloader
	f                 *os.File

	ckpt sync.Mutex // one checkpoint or restart at a time
	wake chan struct{}
	stop chan struct{}
	wg   sync.WaitGroup

	countMu sync.Mutex
	pending int64 // bytes written since the last checkpoint

	sync func(*os.File) error // (*os.File).Sync; tests wrap it

	// syncErr is the first failed fsync of the partial file, nil before.
	// The bytes written before it may not be on the disk, whatever a later
	// fsync says (Linux reports a lost writeback once, then succeeds), so
	// after it nothing is written, claimed in a sidecar nor committed.
	syncMu  sync.Mutex
	syncErr error
}

// WriteAt writes to the partial file, unless a sync of it failed.
func (p *partFile) WriteAt(b []byte, off int64) (int, error) {
	if err := p.syncFailure(); err != nil {
		return 0, fmt.Errorf("an earlier sync of the partial file failed: %w", err)
	}
	return p.f.WriteAt(b, off)
}

// syncFailure returns the first failed fsync of the partial file, if any.
func (p *partFile) syncFailure() error {
	p.syncMu.Lock()
	defer p.syncMu.Unlock()
	return p.syncErr
}

// open opens and locks the partial file and, when its sidecar matches the
// source (its ID and size) and proves the archive's identity, resumes from what it holds.
//
// The lock is on the partial file's inode, and another call keeps it until
// it renamed that file over the destination or removed it: a lock won on
// an inode that is no longer the one at p.part (a download that just
// finished or gave up) proves nothing, and open starts over with the file
// now at p.part.
func (p *partFile) open() error {
	for range maxReopens {
		f, err := os.OpenFile(p.part, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return fmt.Errorf("scalingodb: %s: opening the partial file: %w", p.d.op, err)
		}
		locked, err := lockFile(f)
		if err != nil {
			f.Close()
			return fmt.Errorf("scalingodb: %s: locking %s: %w", p.d.op, p.part, err)
		}
		if !locked {
			f.Close()
			return &InProgressError{Path: p.path, OperationID: p.d.op}
		}
		same, err := isFileAt(f, p.part)
		if err != nil {
			f.Close()
			return fmt.Errorf("scalingodb: %s: %w", p.d.op, err)
		}
		if !same {
			f.Close()
			continue
		}
		p.f = f
		return p.resume()
	}
	return &InProgressError{Path: p.path, OperationID: p.d.op}
}

// isFileAt reports whether f is the file at path now.
func isFileAt(f *os.File, path string) (bool, error) {
	fi, err := f.Stat()
	if err != nil {
		return false, err
	}
	at, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return os.SameFile(fi, at), nil
}

// resume takes up what the locked partial file holds when its sidecar
// proves it, else empties it.
func (p *partFile) resume() error {
	d := p.d
	if st, ok := p.loadState(); ok {
		// Bytes past the archive's end are none of its own (something else
		// wrote them): the size check of commit would fail at every call.
		if fi, err := p.f.Stat(); err != nil || fi.Size() > d.size && p.f.Truncate(d.size) != nil {
			return p.restart()
		}
		d.seen, d.etag, d.lmod = true, st.ETag, st.LastModified
		d.lmodStrong = st.ETag == "" && st.LastModified != ""
		var n int64
		for _, r := range st.Done {
			d.prior = append(d.prior, span{r[0], r[1]})
			n += r[1] - r[0]
		}
		d.done.Store(n)
		return nil
	}
	return p.restart()
}

// loadState reads a sidecar that belongs to this backup and whose ranges
// the partial file can hold. Without a Source.ID, no sidecar belongs to it.
func (p *partFile) loadState() (partState, bool) {
	var st partState
	if p.d.id == "" {
		return st, false
	}
	data, err := os.ReadFile(p.state)
	if err != nil || json.Unmarshal(data, &st) != nil {
		return st, false
	}
	strong := isStrongETag(st.ETag) || st.Version == partStateVersion && st.ETag == "" && st.LastModified != ""
	if (st.Version != partStateVersion && st.Version != 1) || !strong || st.BackupID != p.d.id || st.Size != p.d.size {
		return st, false
	}
	fi, err := p.f.Stat()
	if err != nil {
		return st, false
	}
	at := int64(0)
	for _, r := range st.Done {
		if r[0] < at || r[1] <= r[0] || r[1] > st.Size || r[1] > fi.Size() {
			return st, false
		}
		at = r[1]
	}
	return st, true
}

// restart empties the partial file, first taking back the sidecar's claims
// durably, when there is a sidecar.
func (p *partFile) restart() error {
	p.ckpt.Lock()
	defer p.ckpt.Unlock()
	err := os.Remove(p.state)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("scalingodb: %s: %w", p.d.op, err)
	}
	if err == nil {
		if err := syncDir(filepath.Dir(p.path)); err != nil {
			return fmt.Errorf("scalingodb: %s: %w", p.d.op, err)
		}
	}
	if err := p.f.Truncate(0); err != nil {
		return fmt.Errorf("scalingodb: %s: %w", p.d.op, err)
	}
	p.d.reset()
	return nil
}

// download runs the passes of the download, checkpointing in the
// background, and starts again from zero once if the archive changed.
func (p *partFile) download(ctx context.Context) error {
	d := p.d
	d.dst = p
	d.rewindable = true
	p.wake = make(chan struct{}, 1)
	p.stop = make(chan struct{})
	d.wrote = p.wrote
	p.wg.Go(p.checkpointer)
	defer func() {
		close(p.stop)
		p.wg.Wait()
	}()
	for restarts := 0; ; restarts++ {
		d.mu.Lock()
		todo := holes(d.prior, d.size)
		d.mu.Unlock()
		if d.size == 0 {
			todo = []span{{0, 0}}
		}
		err := d.run(ctx, todo)
		var re *restartError
		if !errors.As(err, &re) {
			return d.result(err)
		}
		if restarts == maxRestarts {
			return d.changed(d.done.Load(), re)
		}
		d.logRestart(re)
		if err := p.restart(); err != nil {
			return err
		}
	}
}

// wrote counts the bytes written and wakes the checkpointer every
// checkpointEvery bytes.
func (p *partFile) wrote(n int) {
	p.countMu.Lock()
	p.pending += int64(n)
	due := p.pending >= checkpointEvery
	if due {
		p.pending = 0
	}
	p.countMu.Unlock()
	if due {
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
}

func (p *partFile) checkpointer() {
	for {
		select {
		case <-p.stop:
			return
		case <-p.wake:
			if p.d.done.Load() < p.d.size { // else commit syncs
				_ = p.checkpoint()
			}
		}
	}
}

// checkpoint syncs the partial file, then records in the sidecar the
// ranges that were written before the sync. Without a Source.ID it writes
// no sidecar: none would be resumed (see loadState).
func (p *partFile) checkpoint() error {
	p.ckpt.Lock()
	defer p.ckpt.Unlock()
	d := p.d
	if d.id == "" {
		return nil
	}
	d.mu.Lock()
	st := partState{Version: partStateVersion, BackupID: d.id, Size: d.size, Done: [][2]int64{}}
	v := ""
	if d.seen {
		v = d.ifRange()
	}
	if v == d.etag {
		st.ETag = v
	} else {
		st.LastModified = v
	}
	d.mu.Unlock()
	if v == "" {
		return nil // nothing would prove a later answer is the same archive
	}
	// The ranges are taken before the sync: bytes written while it runs
	// may not be durable, and are claimed by the next checkpoint.
	done := d.completed()
	if err := p.syncFile(); err != nil {
		return err
	}
	for _, x := range done {
		st.Done = append(st.Done, [2]int64{x.start, x.end})
	}
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return p.writeState(data)
}

// writeState replaces the sidecar through a temporary file renamed over
// it, without syncing either: a crash can only leave the sidecar as it was
// (it claimed less, and that still holds) or empty or torn, which loadState
// refuses, so that the next call starts again. The lock on the partial
// file makes the temporary file's name free.
func (p *partFile) writeState(data []byte) error {
	tmp := p.state + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, p.state); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
}

// syncFile syncs the partial file. Once a sync failed, every later one
// fails with that error: see syncErr.
func (p *partFile) syncFile() error {
	if err := p.syncFailure(); err != nil {
		return fmt.Errorf("scalingodb: %s: syncing the archive: %w", p.d.op, err)
	}
	syncf := fsync
	if p.sync != nil {
		syncf = p.sync
	}
	if err := syncf(p.f); err != nil {
		p.syncMu.Lock()
		if p.syncErr == nil {
			p.syncErr = err
		}
		p.syncMu.Unlock()
		return fmt.Errorf("scalingodb: %s: syncing the archive: %w", p.d.op, err)
	}
	return nil
}

// syncHook, when a test sets it, runs instead of every fsync of a download
// to a file (partial file, sidecar, folder): tests count them through it.
var syncHook func(*os.File) error

// fsync syncs f, through syncHook when set.
func fsync(f *os.File) error {
	if syncHook != nil {
		return syncHook(f)
	}
	return f.Sync()
}

// commit syncs the complete partial file, checks its size and renames it
// over the destination. The lock is held until the rename is durable, so
// that no other call can take the file for an abandoned one and empty it.
func (p *partFile) commit() error {
	if err := p.syncFile(); err != nil {
		return err
	}
	fi, err := p.f.Stat()
	if err != nil {
		return fmt.Errorf("scalingodb: %s: %w", p.d.op, err)
	}
	if fi.Size() != p.d.size {
		return &httpx.ResponseError{StatusCode: 200, OperationID: p.d.op,
			Reason: fmt.Sprintf("the file has %d bytes, the backup says %d", fi.Size(), p.d.size)}
	}
	if !renameWhileOpen {
		if err := p.f.Close(); err != nil {
			return fmt.Errorf("scalingodb: %s: %w", p.d.op, err)
		}
		p.f = nil
	}
	// The sidecar goes first: the folder's sync below makes its removal
	// durable with the rename, and a crash cannot bring back claims about
	// a partial file that is gone.
	if err := os.Remove(p.state); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("scalingodb: %s: %w", p.d.op, err)
	}
	if err := os.Rename(p.part, p.path); err != nil {
		return fmt.Errorf("scalingodb: %s: %w", p.d.op, err)
	}
	_ = syncDir(filepath.Dir(p.path))
	if p.f != nil {
		_ = p.f.Close() // releases the lock: the file is at p.path now
		p.f = nil
	}
	return nil
}

// abandon keeps what can be resumed (a final checkpoint) and removes the
// partial file when nothing proves its bytes' archive (or names it: no
// Source.ID), before it lets go
// of the lock. The destination is never touched.
func (p *partFile) abandon(err error) error {
	if p.f == nil {
		return err
	}
	resumable := p.d.resumable()
	var ce *ArchiveChangedError
	if errors.As(err, &ce) {
		resumable = false
	}
	if resumable && p.d.id != "" && p.checkpoint() == nil {
		_ = p.f.Close()
		p.f = nil
		return err
	}
	_ = os.Remove(p.state)
	if renameWhileOpen {
		_ = os.Remove(p.part)
		_ = p.f.Close()
	} else {
		_ = p.f.Close()
		_ = os.Remove(p.part)
	}
	p.f = nil
	return err
}

// syncDir makes the renames and removals in dir durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = fsync(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
