package scalingodb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Files of an unfinished DownloadToFile, next to the destination.
const (
	partSuffix  = ".partial"      // the archive's bytes, at their offsets
	stateSuffix = ".partial.json" // partState: what the partial file holds
)

// errPartBusy is a partial file that another download is writing.
var errPartBusy = errors.New("another download is writing this file")

// checkpointEvery is how many bytes arrive between two checkpoints of a
// DownloadToFile: a crash loses at most about this much progress.
const checkpointEvery = 32 << 20

// partState is the sidecar of a partial file. It is replaced atomically,
// and only after the partial file was synced, so that it never claims bytes
// that are not durably in the partial file.
type partState struct {
	Version  int    `json:"version"`
	BackupID string `json:"backup_id"`
	Size     int64  `json:"size"`
	// ETag and LastModified are the validators of the archive the bytes
	// came from; a resume sends them in If-Range.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// Done lists the [start, end) byte ranges durably written, sorted.
	Done [][2]int64 `json:"done"`
}

const partStateVersion = 1

// DownloadToFile downloads the archive of a backup (see DownloadAt) into
// the file at path, atomically: the bytes go to path+".partial" in the same
// folder, which is synced, checked against the backup's size and renamed
// over path only when the whole archive arrived. On any failure the file at
// path is left as it was (or absent); it is never truncated nor removed.
//
// A failed or interrupted download can be resumed by a later call with the
// same path and backup, from this process or another: the sidecar
// path+".partial.json" records the backup ID, its size, the archive's ETag
// or Last-Modified and the byte ranges durably written (parallel ranges
// leave holes), and is replaced, after a sync of the partial file, every
// 32 MiB and when the call fails. The later call fetches only the missing
// ranges with If-Range, and starts again from zero when the archive changed
// (or when the server sends no validator to prove it did not). Only one
// call at a time may use a given path: on Unix a second one, in any
// process, fails at once (an advisory lock on the partial file) and
// changes nothing. The new file has mode 0600. It returns the size of the
// archive.
//
// API: GET /databases/{database_id}/backups/{backup_id}/download (downloadBackup)
func (s *BackupsService) DownloadToFile(ctx context.Context, databaseID, backupID, path string, opts ...DownloadOption) (int64, error) {
	if path == "" {
		return 0, &InvalidInputError{Field: "path", Reason: "must not be empty"}
	}
	d, _, err := s.prepare(ctx, databaseID, backupID, opts)
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

// partFile is the partial file of a DownloadToFile and its sidecar.
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
}

// open opens the partial file and, when its sidecar matches the backup and
// proves the archive's identity, resumes from what it holds.
func (p *partFile) open() error {
	f, err := os.OpenFile(p.part, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("scalingodb: %s: opening the partial file: %w", opDownloadBackup.id, err)
	}
	locked, err := lockFile(f)
	if err != nil || !locked {
		f.Close()
		if err == nil {
			err = errPartBusy
		}
		return fmt.Errorf("scalingodb: %s: %s: %w", opDownloadBackup.id, p.part, err)
	}
	p.f = f
	d := p.d
	if st, ok := p.loadState(); ok {
		d.seen, d.etag, d.lmod = true, st.ETag, st.LastModified
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
// the partial file can hold.
func (p *partFile) loadState() (partState, bool) {
	var st partState
	data, err := os.ReadFile(p.state)
	if err != nil || json.Unmarshal(data, &st) != nil {
		return st, false
	}
	if st.Version != partStateVersion || st.BackupID != p.d.backupID || st.Size != p.d.size ||
		(st.ETag == "" && st.LastModified == "") {
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

// restart empties the partial file, first taking back the sidecar's claims.
func (p *partFile) restart() error {
	p.ckpt.Lock()
	defer p.ckpt.Unlock()
	if err := os.Remove(p.state); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("scalingodb: %s: %w", opDownloadBackup.id, err)
	}
	if err := syncDir(filepath.Dir(p.path)); err != nil {
		return fmt.Errorf("scalingodb: %s: %w", opDownloadBackup.id, err)
	}
	if err := p.f.Truncate(0); err != nil {
		return fmt.Errorf("scalingodb: %s: %w", opDownloadBackup.id, err)
	}
	p.d.reset()
	return nil
}

// download runs the passes of the download, checkpointing in the
// background, and starts again from zero once if the archive changed.
func (p *partFile) download(ctx context.Context) error {
	d := p.d
	d.dst = p.f
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
			return &ArchiveChangedError{BackupID: d.backupID, Written: d.done.Load(), Reason: re.reason}
		}
		d.logRestart(ctx, re)
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
			_ = p.checkpoint()
		}
	}
}

// checkpoint syncs the partial file, then records in the sidecar the
// ranges that were written before the sync.
func (p *partFile) checkpoint() error {
	p.ckpt.Lock()
	defer p.ckpt.Unlock()
	d := p.d
	d.mu.Lock()
	st := partState{Version: partStateVersion, BackupID: d.backupID, Size: d.size, ETag: d.etag, LastModified: d.lmod, Done: [][2]int64{}}
	seen := d.seen
	d.mu.Unlock()
	if !seen || (st.ETag == "" && st.LastModified == "") {
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
	return writeFileAtomic(p.state, data, 0o600)
}

func (p *partFile) syncFile() error {
	if p.sync != nil {
		return p.sync(p.f)
	}
	return p.f.Sync()
}

// commit syncs the complete partial file, checks its size and renames it
// over the destination.
func (p *partFile) commit() error {
	if err := p.f.Sync(); err != nil {
		return fmt.Errorf("scalingodb: %s: syncing the archive: %w", opDownloadBackup.id, err)
	}
	fi, err := p.f.Stat()
	if err != nil {
		return fmt.Errorf("scalingodb: %s: %w", opDownloadBackup.id, err)
	}
	if fi.Size() != p.d.size {
		return &ResponseError{StatusCode: 200, OperationID: opDownloadBackup.id,
			Reason: fmt.Sprintf("the file has %d bytes, the backup says %d", fi.Size(), p.d.size)}
	}
	if err := p.f.Close(); err != nil {
		return fmt.Errorf("scalingodb: %s: %w", opDownloadBackup.id, err)
	}
	p.f = nil
	if err := os.Rename(p.part, p.path); err != nil {
		return fmt.Errorf("scalingodb: %s: %w", opDownloadBackup.id, err)
	}
	_ = syncDir(filepath.Dir(p.path))
	_ = os.Remove(p.state)
	return nil
}

// abandon keeps what can be resumed (a final checkpoint) and removes the
// partial file when nothing proves its bytes' archive. The destination is
// never touched.
func (p *partFile) abandon(err error) error {
	if p.f == nil {
		return err
	}
	d := p.d
	d.mu.Lock()
	resumable := d.seen && (d.etag != "" || d.lmod != "")
	d.mu.Unlock()
	var ce *ArchiveChangedError
	if errors.As(err, &ce) {
		resumable = false
	}
	if resumable && p.checkpoint() == nil {
		_ = p.f.Close()
		return err
	}
	_ = p.f.Close()
	_ = os.Remove(p.state)
	_ = os.Remove(p.part)
	return err
}

// syncDir makes the renames and removals in dir durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
