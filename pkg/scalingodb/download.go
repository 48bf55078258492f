package scalingodb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DownloadOption tunes Backups.Download and Backups.DownloadToFile.
type DownloadOption func(*downloadConfig)

type downloadConfig struct {
	progress func(done, total int64)
	parallel int
	retry    RetryPolicy
	bufSize  int
	stall    time.Duration
}

// WithProgress calls fn as bytes arrive, with the bytes written so far and
// the archive size (-1 while unknown). Calls never overlap, even with
// WithParallel, and fn must return quickly.
func WithProgress(fn func(done, total int64)) DownloadOption {
	return func(c *downloadConfig) { c.progress = fn }
}

// WithParallel fetches the archive over n ranged connections at once (1 to
// 16; default 1), each writing at its own offsets of the destination.
func WithParallel(n int) DownloadOption {
	return func(c *downloadConfig) {
		if n < 1 {
			n = 1
		}
		if n > 16 {
			n = 16
		}
		c.parallel = n
	}
}

// WithDownloadRetry sets how a cut or failed transfer is resumed: at most
// p.MaxAttempts attempts in a row without progress (default 6), waiting
// from p.MinWait (default 200ms) to p.MaxWait (default 5s) between them.
// A successful read resets the count, so a long transfer survives many cuts.
func WithDownloadRetry(p RetryPolicy) DownloadOption {
	return func(c *downloadConfig) {
		if p.MaxAttempts > 0 {
			c.retry.MaxAttempts = p.MaxAttempts
		}
		if p.MinWait > 0 {
			c.retry.MinWait = p.MinWait
		}
		if p.MaxWait > 0 {
			c.retry.MaxWait = p.MaxWait
		}
	}
}

// WithStallTimeout sets how long a connection may deliver nothing before
// it is dropped and the transfer resumed on a new one (default 60s).
func WithStallTimeout(d time.Duration) DownloadOption {
	return func(c *downloadConfig) {
		if d > 0 {
			c.stall = d
		}
	}
}

// downloadBufSize is the fixed buffer of each connection: memory use does
// not grow with the archive.
const downloadBufSize = 256 << 10

// Download fetches the archive of a backup into dst, streaming it with a
// fixed-size buffer per connection. It asks for a pre-signed link
// (getBackupArchive), then downloads from it without the bearer token;
// a cut transfer resumes where it stopped with a Range request, an expired
// link is renewed, and the final size is checked against the server's
// Content-Range or Content-Length and the backup's size. It returns the
// number of bytes written. The link's token never appears in errors or logs.
//
// API: GET /databases/{database_id}/backups/{backup_id}/download (downloadBackup)
func (s *BackupsService) Download(ctx context.Context, databaseID, backupID string, dst io.WriterAt, opts ...DownloadOption) (int64, error) {
	if dst == nil {
		return 0, &ValidationError{Field: "dst", Reason: "must not be nil"}
	}
	b, err := s.Get(ctx, backupID)
	if err != nil {
		return 0, err
	}
	if b.Status != BackupDone {
		return 0, &ValidationError{Field: "backup_id", Reason: "backup is " + string(b.Status) + ", not done"}
	}
	link, err := s.ArchiveLink(ctx, databaseID, backupID)
	if err != nil {
		return 0, err
	}
	d := newDownloader(s.c.download, link.url, dst, opts)
	d.logger = s.c.logger
	d.refresh = func(ctx context.Context) (string, error) {
		l, err := s.ArchiveLink(ctx, databaseID, backupID)
		return l.url, err
	}
	n, err := d.run(ctx)
	if err != nil {
		return n, err
	}
	if b.Size > 0 && n != b.Size {
		return n, &ResponseError{StatusCode: http.StatusOK, OperationID: opDownload.id,
			Reason: fmt.Sprintf("archive has %d bytes, the backup says %d", n, b.Size)}
	}
	return n, nil
}

// DownloadToFile is Download into the file at path, created (or truncated)
// with mode 0600. The file is removed when the download fails.
//
// API: GET /databases/{database_id}/backups/{backup_id}/download (downloadBackup)
func (s *BackupsService) DownloadToFile(ctx context.Context, databaseID, backupID, path string, opts ...DownloadOption) (int64, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return 0, err
	}
	n, err := s.Download(ctx, databaseID, backupID, f, opts...)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return n, err
	}
	return n, nil
}

// downloader fetches one archive, possibly over several connections.
type downloader struct {
	hc      *http.Client
	dst     io.WriterAt
	cfg     downloadConfig
	refresh func(context.Context) (string, error)
	logger  *slog.Logger

	mu    sync.Mutex // guards link and progress calls
	link  string
	total int64 // -1 while unknown
	done  atomic.Int64
}

func newDownloader(hc *http.Client, link string, dst io.WriterAt, opts []DownloadOption) *downloader {
	cfg := downloadConfig{parallel: 1, bufSize: downloadBufSize, stall: time.Minute,
		retry: RetryPolicy{MaxAttempts: 6, MinWait: 200 * time.Millisecond, MaxWait: 5 * time.Second}}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return &downloader{hc: hc, dst: dst, cfg: cfg, link: link, total: -1}
}

// segment is the byte range [off, end) still to fetch; end is -1 when the
// size is unknown.
type segment struct {
	off, end int64
}

func (d *downloader) run(ctx context.Context) (int64, error) {
	first := &segment{off: 0, end: -1}
	var body *stream
	ranged := false
	failures := 0
	for body == nil {
		st, resp, err := d.open(ctx, first)
		if err == nil {
			body = st
			ranged = resp.StatusCode == http.StatusPartialContent
			break
		}
		if errors.Is(err, errEmptyArchive) {
			d.total = 0
			d.report()
			return 0, nil
		}
		if !d.again(ctx, err, &failures) {
			return 0, d.wrap(err)
		}
	}
	total := d.total
	n := int64(d.cfg.parallel)
	// Several connections need a known size and a server that honours Range.
	if total <= 0 || n <= 1 || !ranged || total < n*int64(d.cfg.bufSize) {
		first.end = total
		err := d.fetch(ctx, first, body)
		if err != nil {
			return d.done.Load(), err
		}
		if total < 0 {
			d.total = first.off
		}
		return d.finish()
	}
	// Split [0, total) in n ranges; the first answer serves the first one.
	size := total / n
	segs := make([]*segment, n)
	for i := range segs {
		segs[i] = &segment{off: int64(i) * size, end: int64(i+1) * size}
	}
	segs[n-1].end = total
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The first answer was sent under the caller's context: a failure of
	// another range must stop it too.
	defer context.AfterFunc(ctx, body.cancel)()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, sg := range segs {
		var b *stream
		if i == 0 {
			b = body
		}
		wg.Go(func() {
			if err := d.fetch(ctx, sg, b); err != nil {
				errs[i] = err
				cancel()
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return d.done.Load(), err
		}
	}
	if err := errors.Join(errs...); err != nil {
		return d.done.Load(), err
	}
	return d.finish()
}

func (d *downloader) finish() (int64, error) {
	got := d.done.Load()
	if d.total >= 0 && got != d.total {
		return got, &ResponseError{StatusCode: http.StatusPartialContent, OperationID: opDownload.id,
			Reason: fmt.Sprintf("received %d bytes of %d", got, d.total)}
	}
	return got, nil
}

// fetch fills one segment, resuming with a Range request after each cut.
// body, when not nil, is an answer already positioned at sg.off.
func (d *downloader) fetch(ctx context.Context, sg *segment, body *stream) error {
	buf := make([]byte, d.cfg.bufSize)
	failures := 0
	for {
		if body == nil {
			st, _, err := d.open(ctx, sg)
			if err != nil {
				if !d.again(ctx, err, &failures) {
					return d.wrap(err)
				}
				continue
			}
			body = st
		}
		n, err := d.copy(sg, body, buf)
		body.close()
		body = nil
		if err == nil && (sg.end < 0 || sg.off == sg.end) {
			return nil
		}
		var we *writeError
		if errors.As(err, &we) {
			return we.err
		}
		if n > 0 {
			failures = 0
		}
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		if !d.again(ctx, err, &failures) {
			return d.wrap(err)
		}
	}
}

// writeError is a failure of the destination: never retried.
type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }

// copy streams body into dst from sg.off, stopping at sg.end. It returns
// nil at the end of the segment or at EOF.
func (d *downloader) copy(sg *segment, st *stream, buf []byte) (int64, error) {
	var copied int64
	for sg.end < 0 || sg.off < sg.end {
		p := buf
		if sg.end >= 0 && int64(len(p)) > sg.end-sg.off {
			p = p[:sg.end-sg.off]
		}
		n, rerr := st.body.Read(p)
		if n > 0 {
			st.timer.Reset(d.cfg.stall)
			if _, err := d.dst.WriteAt(p[:n], sg.off); err != nil {
				return copied, &writeError{fmt.Errorf("scalingodb: writing the archive: %w", err)}
			}
			sg.off += int64(n)
			copied += int64(n)
			d.done.Add(int64(n))
			d.report()
		}
		if rerr == io.EOF {
			return copied, nil
		}
		if rerr != nil {
			return copied, rerr
		}
	}
	return copied, nil
}

func (d *downloader) report() {
	if d.cfg.progress == nil {
		return
	}
	d.mu.Lock()
	d.cfg.progress(d.done.Load(), d.total)
	d.mu.Unlock()
}

// stream is one answer of the download host being read, dropped when it
// stalls for longer than the stall timeout.
type stream struct {
	body   io.ReadCloser
	cancel context.CancelFunc
	timer  *time.Timer
}

func (st *stream) close() {
	st.timer.Stop()
	st.cancel()
	st.body.Close()
}

// open sends the request of a segment under a stall timer.
func (d *downloader) open(ctx context.Context, sg *segment) (*stream, *http.Response, error) {
	actx, cancel := context.WithCancel(ctx)
	timer := time.AfterFunc(d.cfg.stall, cancel)
	resp, err := d.get(actx, sg)
	if err != nil {
		timer.Stop()
		cancel()
		return nil, nil, err
	}
	return &stream{body: resp.Body, cancel: cancel, timer: timer}, resp, nil
}

// errEmptyArchive is a 416 on "bytes=0-" for an archive of 0 bytes.
var errEmptyArchive = errors.New("empty archive")

// statusError is a non-2xx answer of the download host.
type statusError struct {
	apiErr *APIError
}

func (e *statusError) Error() string { return e.apiErr.Error() }
func (e *statusError) Unwrap() error { return e.apiErr }

// get asks for [sg.off, sg.end) (or from sg.off to the end) and checks
// that the answer starts where asked.
func (d *downloader) get(ctx context.Context, sg *segment) (*http.Response, error) {
	d.mu.Lock()
	link := d.link
	d.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return nil, err
	}
	if sg.end >= 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(sg.off, 10)+"-"+strconv.FormatInt(sg.end-1, 10))
	} else {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(sg.off, 10)+"-")
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		return nil, err
	}
	switch resp.StatusCode {
	case http.StatusPartialContent:
		start, _, total, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if !ok || start != sg.off {
			resp.Body.Close()
			return nil, &ResponseError{StatusCode: resp.StatusCode, OperationID: opDownload.id, Reason: "Content-Range does not match the requested range"}
		}
		if err := d.setTotal(total); err != nil {
			resp.Body.Close()
			return nil, err
		}
		return resp, nil
	case http.StatusOK:
		if sg.off != 0 {
			resp.Body.Close()
			return nil, &ResponseError{StatusCode: resp.StatusCode, OperationID: opDownload.id, Reason: "server ignored the Range header"}
		}
		if resp.ContentLength >= 0 {
			if err := d.setTotal(resp.ContentLength); err != nil {
				resp.Body.Close()
				return nil, err
			}
		}
		return resp, nil
	case http.StatusRequestedRangeNotSatisfiable:
		defer resp.Body.Close()
		if sg.off == 0 && strings.TrimSpace(resp.Header.Get("Content-Range")) == "bytes */0" {
			return nil, errEmptyArchive
		}
	}
	defer resp.Body.Close()
	apiErr := newAPIError(opDownload.id, resp)
	drain(resp.Body)
	return nil, &statusError{apiErr}
}

// setTotal records the archive size, which must not change between answers.
func (d *downloader) setTotal(total int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.total >= 0 && d.total != total {
		return &ResponseError{StatusCode: http.StatusPartialContent, OperationID: opDownload.id, Reason: "archive size changed during the download"}
	}
	d.total = total
	return nil
}

// again decides whether a failed attempt is retried, waits if so, and
// renews the link after a 403 (an expired pre-signed URL).
func (d *downloader) again(ctx context.Context, err error, failures *int) bool {
	if ctx.Err() != nil {
		return false
	}
	var se *statusError
	var re *ResponseError
	switch {
	case errors.As(err, &re):
		return false
	case errors.As(err, &se):
		st := se.apiErr.StatusCode
		if st != http.StatusForbidden && st != http.StatusTooManyRequests && st < 500 {
			return false
		}
	}
	*failures++
	if *failures >= d.cfg.retry.MaxAttempts {
		return false
	}
	wait := backoff(d.cfg.retry.MinWait, d.cfg.retry.MaxWait, *failures-1, nil)
	if se != nil && se.apiErr.RetryAfter > 0 {
		wait = min(se.apiErr.RetryAfter, d.cfg.retry.MaxWait)
	}
	if d.logger != nil {
		d.logger.LogAttrs(ctx, slog.LevelDebug, "scalingodb: download resumes",
			slog.String("error", d.wrap(err).Error()), slog.Int("attempt", *failures), slog.Duration("wait", wait))
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
	}
	if se != nil && se.apiErr.StatusCode == http.StatusForbidden && d.refresh != nil {
		link, rerr := d.refresh(ctx)
		if rerr != nil {
			return false
		}
		d.mu.Lock()
		d.link = link
		d.mu.Unlock()
	}
	return true
}

// wrap gives a download error its operation and takes the link's token out of it.
func (d *downloader) wrap(err error) error {
	var se *statusError
	if errors.As(err, &se) {
		return se.apiErr
	}
	var re *ResponseError
	if errors.As(err, &re) {
		return re
	}
	return fmt.Errorf("scalingodb: %s: %w", opDownload.id, redactError(err))
}

// parseContentRange reads "bytes START-END/TOTAL".
func parseContentRange(v string) (start, end, total int64, ok bool) {
	v, found := strings.CutPrefix(strings.TrimSpace(v), "bytes ")
	if !found {
		return 0, 0, 0, false
	}
	rng, tot, found := strings.Cut(v, "/")
	if !found {
		return 0, 0, 0, false
	}
	s, e, found := strings.Cut(rng, "-")
	if !found {
		return 0, 0, 0, false
	}
	var err1, err2, err3 error
	start, err1 = strconv.ParseInt(s, 10, 64)
	end, err2 = strconv.ParseInt(e, 10, 64)
	total, err3 = strconv.ParseInt(tot, 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || start < 0 || end < start || total <= end {
		return 0, 0, 0, false
	}
	return start, end, total, true
}
