// Package download fetches one file from a link, such as the pre-signed
// link to a backup archive, knowing nothing of the API that gave the link:
// a link, the file's exact size, and the validators (ETag, Last-Modified)
// its host answers with are all it needs. It writes to an io.Writer in
// order (ToWriter), to an io.WriterAt over several ranged connections
// (ToWriterAt), or to a file atomically, resumable across calls and
// processes (ToFile). A cut transfer resumes with Range and If-Range, an
// expired link is renewed through Source.Refresh, and no more than
// Source.Size bytes are ever written. The link's query (where a signed
// link's token travels) never appears in errors or logs.
//
// Package scalingodb's Backups.Download, DownloadAt and DownloadToFile are
// these functions behind a backup's link; their errors are the types of
// package scalingodb (ResponseError, TransportError, APIError…), which
// errors.As finds through either package.
package download

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"
)

// RetryPolicy says how a cut or failed transfer is resumed (see WithRetry).
// It is scalingodb.RetryPolicy.
type RetryPolicy = httpx.RetryPolicy

// Logger receives the downloader's logs, such as a *slog.Logger. It is
// scalingodb.Logger.
type Logger = httpx.Logger

// Source is what to download.
type Source struct {
	// URL is the link to the file; its query never appears in errors or logs.
	URL string
	// Size is the file's exact size in bytes: the download fails when the
	// host serves another, and never writes more.
	Size int64
	// ID names the file in errors, logs and the sidecar of ToFile, such as
	// a backup's ID; a sidecar of another ID is never resumed. With no ID,
	// ToFile never resumes: it writes no sidecar and ignores any.
	ID string
	// Operation names the operation in errors, such as "downloadBackup"
	// (default "download").
	Operation string
	// Refresh, when set, returns a new link after the host answered 403
	// (an expired pre-signed link).
	Refresh func(ctx context.Context) (string, error)
}

// Option tunes ToWriter, ToWriterAt and ToFile.
type Option func(*config)

type config struct {
	progress func(done, total int64)
	parallel int
	retry    RetryPolicy
	bufSize  int
	stall    time.Duration
	hc       *http.Client
	logger   Logger
}

// WithProgress calls fn as bytes arrive, with the bytes written so far
// (for a resumed ToFile, those of the earlier calls included; back
// to 0 when a download starts again from zero) and the file's size.
// Calls never overlap, even with WithParallel, and fn must return quickly.
func WithProgress(fn func(done, total int64)) Option {
	return func(c *config) { c.progress = fn }
}

// WithParallel fetches the file over n ranged connections at once (1 to
// 16; default 1), each writing at its own offsets of the destination, for
// ToWriterAt and ToFile, when the host gives a strong validator that
// proves the ranges are of one file (see ToWriterAt). ToWriter, which
// writes a stream in order, ignores it.
func WithParallel(n int) Option {
	return func(c *config) {
		if n < 1 {
			n = 1
		}
		if n > 16 {
			n = 16
		}
		c.parallel = n
	}
}

// WithRetry sets how a cut or failed transfer is resumed: at most
// p.MaxAttempts attempts in a row without progress (default 6), waiting
// from p.MinWait (default 200ms) to p.MaxWait (default 5s) between them.
// A successful read resets the count, so a long transfer survives many cuts.
func WithRetry(p RetryPolicy) Option {
	return func(c *config) {
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
func WithStallTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.stall = d
		}
	}
}

// WithHTTPClient sends the requests through hc (default: a client on
// http.DefaultTransport). Its Timeout should be 0: the context bounds a
// download. Whatever hc's CheckRedirect, a redirect from https to http is
// refused and Authorization is kept only for the link's exact origin.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) {
		if hc != nil {
			c.hc = hc
		}
	}
}

// WithLogger logs resumes and restarts to l, at debug and warn level,
// without the link's query.
func WithLogger(l Logger) Option {
	return func(c *config) { c.logger = l }
}

// downloadBufSize is the fixed buffer of each connection: memory use does
// not grow with the file.
const downloadBufSize = 256 << 10

// ErrArchiveChanged matches an *ArchiveChangedError.
var ErrArchiveChanged = errors.New("scalingodb: archive changed during the download")

// ArchiveChangedError is a download that could not go on because the
// file the host serves is no longer the one whose first bytes were
// written (its ETag or Last-Modified changed, or the host answered a
// ranged request with the whole file), or nothing proves that it still
// is (a cut transfer of a file without a strong validator), and the
// destination could not be rewound: a stream that already received bytes,
// or a second change. The bytes already written are not a valid file.
// It matches ErrArchiveChanged.
type ArchiveChangedError struct {
	// BackupID is the Source.ID of the download (the backup's ID for
	// scalingodb's Backups methods).
	BackupID string
	// Written is the number of bytes already written to the destination.
	Written int64
	// Reason says how the change showed.
	Reason string
	// OperationID is the Source.Operation of the download, such as
	// "downloadBackup".
	OperationID string
}

// Error names the archive and how the change showed.
func (e *ArchiveChangedError) Error() string {
	return httpx.Message(e.OperationID, "archive of backup %s changed after %d bytes were written: %s", e.BackupID, e.Written, e.Reason)
}

// Is reports whether target is ErrArchiveChanged.
func (e *ArchiveChangedError) Is(target error) bool { return target == ErrArchiveChanged }

// restartError is an answer that proves the file is not the one the
// download started with: the transfer can only start again from zero.
type restartError struct{ reason string }

func (e *restartError) Error() string { return "archive changed: " + e.reason }

// changed is the *ArchiveChangedError of d after written bytes.
func (d *downloader) changed(written int64, re *restartError) error {
	return &ArchiveChangedError{BackupID: d.id, Written: written, Reason: re.reason, OperationID: d.op}
}

// maxRestarts is how many times a download starts again from zero when the
// file changes under it; a further change fails with *ArchiveChangedError.
const maxRestarts = 1

// ToWriterAt fetches src into dst, streaming it with a fixed-size buffer
// per connection, over several ranged connections with WithParallel,
// without any credential but the link's own. A cut transfer resumes where
// it stopped with a Range request carrying If-Range (the first answer's
// strong validator, see below), an expired link is renewed (Source.Refresh),
// and no more bytes than src.Size are ever written: an answer that runs
// past it fails (a *scalingodb.ResponseError wrapping an
// *http.MaxBytesError). When the file changes under the transfer (a new
// validator, or a 200 answer to a ranged request), ToWriterAt starts again
// from zero, rewriting dst from offset 0, once; a second change fails with
// an *ArchiveChangedError. Only a strong validator may join the ranges of
// two answers (RFC 9110 §13.1.5): a strong ETag, or with no ETag a
// Last-Modified at least one second before the answer's Date. Without one,
// the file is fetched over one connection whatever WithParallel says, and a
// cut transfer starts again from zero instead of resuming (at most as many
// times as WithRetry allows attempts). It returns the number of bytes
// written by the last pass.
func ToWriterAt(ctx context.Context, src Source, dst io.WriterAt, opts ...Option) (int64, error) {
	if dst == nil {
		return 0, &httpx.InvalidInputError{Field: "dst", Reason: "must not be nil"}
	}
	d, err := newDownloader(src, opts)
	if err != nil {
		return 0, err
	}
	d.dst = dst
	d.rewindable = true
	for restarts := 0; ; restarts++ {
		err := d.run(ctx, []span{{0, d.size}})
		var re *restartError
		if !errors.As(err, &re) {
			return d.done.Load(), d.result(err)
		}
		if restarts == maxRestarts {
			return d.done.Load(), d.changed(d.done.Load(), re)
		}
		d.logRestart(re)
		d.reset()
	}
}

// ToWriter streams src into w, in order, over one connection: for pipes
// to stdout, an encrypter or an object store. Like ToWriterAt, it resumes
// a cut transfer with Range and If-Range, renews an expired link and never
// writes more than src.Size. WithParallel is ignored: a stream is written
// in order. When the file changes before any byte was written, ToWriter
// starts again; after, it cannot take back what w received and fails with
// an *ArchiveChangedError. It fails the same way when a transfer is cut
// after bytes were written and the host gave no strong validator (see
// ToWriterAt) that would let it resume without risking two versions
// spliced together. It returns the number of bytes written to w.
func ToWriter(ctx context.Context, src Source, w io.Writer, opts ...Option) (int64, error) {
	if w == nil {
		return 0, &httpx.InvalidInputError{Field: "w", Reason: "must not be nil"}
	}
	d, err := newDownloader(src, opts)
	if err != nil {
		return 0, err
	}
	d.cfg.parallel = 1
	sw := &seqWriter{w: w}
	d.dst = sw
	for restarts := 0; ; restarts++ {
		err := d.run(ctx, []span{{0, d.size}})
		var re *restartError
		if !errors.As(err, &re) {
			return sw.pos, d.result(err)
		}
		if sw.pos > 0 || restarts == maxRestarts {
			return sw.pos, d.changed(sw.pos, re)
		}
		d.logRestart(re)
		d.reset()
	}
}

// seqWriter adapts an io.Writer to the downloader, which writes it in order
// when it uses one connection.
type seqWriter struct {
	w   io.Writer
	pos int64
}

func (s *seqWriter) WriteAt(p []byte, off int64) (int, error) {
	if off != s.pos {
		return 0, fmt.Errorf("write at %d of a stream at %d", off, s.pos)
	}
	n, err := s.w.Write(p)
	s.pos += int64(n)
	return n, err
}

// downloader fetches one archive, possibly over several connections.
type downloader struct {
	hc      *http.Client
	dst     io.WriterAt
	cfg     config
	refresh func(context.Context) (string, error)
	logger  Logger
	id, op  string
	size    int64 // from getBackup: the archive's size and the cap
	// wrote, when set, is called after each write with the bytes written
	// (ToFile checkpoints with it).
	wrote func(n int)

	// rewindable: the destination may be written again from offset 0, so
	// a cut transfer without a strong validator starts again from zero
	// (a stream cannot).
	rewindable bool

	mu         sync.Mutex // guards the fields below and progress calls
	link       string
	seen       bool   // an answer gave the validators below
	etag       string // the archive's ETag, "" when the server sends none
	lmod       string // its Last-Modified
	lmodStrong bool   // lmod is a strong validator (RFC 9110 §8.8.2.2)
	prior      []span // ranges done before this pass (a resumed file)
	segs       []*segment
	done       atomic.Int64
}

// newDownloader checks src and applies opts.
func newDownloader(src Source, opts []Option) (*downloader, error) {
	if src.Size < 0 {
		return nil, &httpx.InvalidInputError{Field: "size", Reason: "must not be negative"}
	}
	if err := httpx.CheckDownloadURL(src.URL); err != nil {
		return nil, err
	}
	cfg := config{parallel: 1, bufSize: downloadBufSize, stall: time.Minute,
		retry: RetryPolicy{MaxAttempts: 6, MinWait: 200 * time.Millisecond, MaxWait: 5 * time.Second}}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	hc := &http.Client{CheckRedirect: httpx.SafeRedirects(nil)}
	if cfg.hc != nil {
		hc = httpx.WithSafeRedirects(cfg.hc)
	}
	op := src.Operation
	if op == "" {
		op = "download"
	}
	return &downloader{hc: hc, cfg: cfg, link: src.URL, size: src.Size, id: src.ID, op: op,
		refresh: src.Refresh, logger: cfg.logger}, nil
}

// span is the byte range [start, end) of the archive.
type span struct{ start, end int64 }

// segment is a span one connection fills; off is how far it got.
type segment struct {
	start, end int64
	off        atomic.Int64
}

func newSegment(start, end int64) *segment {
	sg := &segment{start: start, end: end}
	sg.off.Store(start)
	return sg
}

// reset forgets everything learnt from the server, for a new pass from zero.
func (d *downloader) reset() {
	d.mu.Lock()
	d.seen, d.etag, d.lmod, d.lmodStrong, d.prior, d.segs = false, "", "", false, nil, nil
	d.mu.Unlock()
	d.done.Store(0)
}

// rewind takes a segment back to its start, and forgets the validators,
// for a transfer that cannot resume where it was cut.
func (d *downloader) rewind(sg *segment) {
	d.mu.Lock()
	d.seen, d.etag, d.lmod, d.lmodStrong = false, "", "", false
	d.mu.Unlock()
	d.done.Add(sg.start - sg.off.Swap(sg.start))
	d.report()
}

func (d *downloader) logRestart(re *restartError) {
	if d.logger != nil {
		d.logger.Warn("scalingodb: download starts again from zero", "id", d.id, "reason", re.reason)
	}
}

// completed returns the ranges written so far, sorted and merged.
func (d *downloader) completed() []span {
	d.mu.Lock()
	all := append([]span(nil), d.prior...)
	for _, sg := range d.segs {
		if off := sg.off.Load(); off > sg.start {
			all = append(all, span{sg.start, off})
		}
	}
	d.mu.Unlock()
	return mergeSpans(all)
}

// mergeSpans sorts spans and merges those that touch or overlap.
func mergeSpans(s []span) []span {
	slices.SortFunc(s, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	out := s[:0]
	for _, x := range s {
		if x.end <= x.start {
			continue
		}
		if n := len(out); n > 0 && x.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, x.end)
			continue
		}
		out = append(out, x)
	}
	return out
}

// holes returns the parts of [0, size) that done does not cover.
func holes(done []span, size int64) []span {
	var out []span
	at := int64(0)
	for _, x := range mergeSpans(append([]span(nil), done...)) {
		if x.start > at {
			out = append(out, span{at, min(x.start, size)})
		}
		at = max(at, x.end)
	}
	if at < size {
		out = append(out, span{at, size})
	}
	return out
}

// result turns the outcome of a pass into the caller's error, checking
// that every byte of the archive arrived.
func (d *downloader) result(err error) error {
	if err != nil {
		return err
	}
	if got := d.done.Load(); got != d.size {
		return &httpx.ResponseError{StatusCode: http.StatusOK, OperationID: d.op,
			Reason: fmt.Sprintf("archive has %d bytes, the backup says %d", got, d.size)}
	}
	return nil
}

// run fetches the spans of todo. Without an answer seen yet, the first
// span is asked for first, open-ended, and its answer gives the archive's
// validators; a server that honours Range then gets the rest over parallel
// connections. It returns a *restartError when the archive changed.
func (d *downloader) run(ctx context.Context, todo []span) error {
	segs := make([]*segment, 0, len(todo))
	for _, x := range todo {
		segs = append(segs, newSegment(x.start, x.end))
	}
	if len(segs) == 0 {
		return nil
	}
	n := d.cfg.parallel
	var first *stream
	d.mu.Lock()
	seen := d.seen
	d.mu.Unlock()
	if !seen {
		failures := 0
		for {
			st, err := d.open(ctx, segs[0], true)
			if err == nil {
				first = st
				break
			}
			if errors.Is(err, errEmptyArchive) && d.size == 0 {
				return nil
			}
			if !d.again(ctx, err, &failures) {
				return d.giveUp(ctx, err)
			}
		}
		// Several connections need a server that honours Range, and a
		// strong validator to prove that their ranges are of one archive.
		if len(segs) == 1 && n > 1 && first.ranged && d.size >= int64(n)*int64(d.cfg.bufSize) && d.resumable() {
			segs = splitSegment(segs[0], n)
		}
	} else if len(segs) < n && d.resumable() {
		segs = splitLargest(segs, n, int64(d.cfg.bufSize))
	}
	d.mu.Lock()
	d.segs = segs
	d.mu.Unlock()
	d.report()

	if len(segs) == 1 {
		return d.fetch(ctx, segs[0], first)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if first != nil {
		// The first answer was sent under the caller's context: a failure of
		// another range must stop it too.
		defer context.AfterFunc(ctx, first.cancel)()
	}
	errs := make([]error, len(segs))
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for i, sg := range segs {
		var b *stream
		if i == 0 {
			b = first
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if ctx.Err() != nil {
				if b != nil {
					b.close()
				}
				errs[i] = ctx.Err()
				return
			}
			if err := d.fetch(ctx, sg, b); err != nil {
				errs[i] = err
				cancel()
			}
		})
	}
	wg.Wait()
	var re *restartError
	for _, err := range errs {
		if errors.As(err, &re) {
			return re
		}
	}
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	return errors.Join(errs...)
}

// splitSegment cuts a fresh segment in n nearly equal ones.
func splitSegment(sg *segment, n int) []*segment {
	size := (sg.end - sg.start) / int64(n)
	segs := make([]*segment, n)
	for i := range segs {
		segs[i] = newSegment(sg.start+int64(i)*size, sg.start+int64(i+1)*size)
	}
	segs[n-1] = newSegment(segs[n-1].start, sg.end)
	return segs
}

// splitLargest halves the largest segment until there are n or the largest
// is smaller than two buffers.
func splitLargest(segs []*segment, n int, minSize int64) []*segment {
	for len(segs) < n {
		i := 0
		for j, sg := range segs {
			if sg.end-sg.start > segs[i].end-segs[i].start {
				i = j
			}
		}
		sg := segs[i]
		if sg.end-sg.start < 2*minSize {
			break
		}
		mid := sg.start + (sg.end-sg.start)/2
		segs = append(segs[:i], append([]*segment{newSegment(sg.start, mid), newSegment(mid, sg.end)}, segs[i+1:]...)...)
	}
	return segs
}

// fetch fills one segment, resuming with a Range request after each cut.
// body, when not nil, is an answer already positioned at the segment's start.
func (d *downloader) fetch(ctx context.Context, sg *segment, body *stream) error {
	buf := make([]byte, d.cfg.bufSize)
	failures := 0
	for {
		if body == nil {
			st, err := d.open(ctx, sg, false)
			if err != nil {
				if !d.again(ctx, err, &failures) {
					return d.giveUp(ctx, err)
				}
				continue
			}
			body = st
		}
		n, err := d.copy(sg, body, buf)
		body.close()
		body = nil
		if err == nil {
			return nil
		}
		if isPermanentDownloadError(err) {
			return err
		}
		resumable := d.resumable()
		if n > 0 && resumable {
			failures = 0
		}
		if !d.again(ctx, err, &failures) {
			return d.giveUp(ctx, err)
		}
		if sg.off.Load() > sg.start && !resumable {
			// Nothing proves that a range asked for now would be of the
			// archive already written (RFC 9110 §13.1.5): start again.
			if !d.rewindable || sg.start != 0 {
				return &restartError{"the server gives no strong validator (ETag or Last-Modified) to resume with"}
			}
			d.rewind(sg)
		}
	}
}

// isPermanentDownloadError reports the failures a new request cannot fix.
func isPermanentDownloadError(err error) bool {
	var we *writeError
	var re *httpx.ResponseError
	var rs *restartError
	return errors.As(err, &we) || errors.As(err, &re) || errors.As(err, &rs)
}

// writeError is a failure of the destination: never retried.
type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }

// overflow is the error of an answer that runs past the backup's size.
func (d *downloader) overflow(status int) error {
	return &httpx.ResponseError{StatusCode: status, OperationID: d.op,
		Reason: fmt.Sprintf("the answer runs past the backup's size of %d bytes", d.size),
		Err:    &http.MaxBytesError{Limit: d.size}}
}

// copy streams body into dst from the segment's offset to its end. It
// returns nil once the segment is complete; at the archive's end it reads
// one byte more to fail an answer that runs past the backup's size.
func (d *downloader) copy(sg *segment, st *stream, buf []byte) (int64, error) {
	var copied int64
	off := sg.off.Load()
	for off < sg.end {
		p := buf
		if int64(len(p)) > sg.end-off {
			p = p[:sg.end-off]
		}
		n, rerr := st.body.Read(p)
		if n > 0 {
			// A slow destination (a pipe to gpg) is no stall of the
			// connection: the timer counts from the end of the write.
			st.timer.Stop()
			w, err := d.dst.WriteAt(p[:n], off)
			if err == nil && w < n {
				err = io.ErrShortWrite // a destination that breaks the io.WriterAt contract
			}
			if err != nil {
				return copied, &writeError{fmt.Errorf("scalingodb: writing the archive: %w", err)}
			}
			st.timer.Reset(d.cfg.stall)
			off += int64(n)
			sg.off.Store(off)
			copied += int64(n)
			d.done.Add(int64(n))
			if d.wrote != nil {
				d.wrote(n)
			}
			d.report()
		}
		if rerr == io.EOF && off < sg.end {
			return copied, io.ErrUnexpectedEOF
		}
		if rerr != nil && rerr != io.EOF {
			return copied, rerr
		}
	}
	if sg.end == d.size {
		var one [1]byte
		if n, _ := io.ReadFull(st.body, one[:]); n > 0 {
			return copied, d.overflow(st.status)
		}
	}
	return copied, nil
}

func (d *downloader) report() {
	if d.cfg.progress == nil {
		return
	}
	d.mu.Lock()
	d.cfg.progress(d.done.Load(), d.size)
	d.mu.Unlock()
}

// stream is one answer of the download host being read, dropped when it
// stalls for longer than the stall timeout.
type stream struct {
	body   io.ReadCloser
	cancel context.CancelFunc
	timer  *time.Timer
	status int
	ranged bool // a 206 answer
}

func (st *stream) close() {
	st.timer.Stop()
	st.cancel()
	st.body.Close()
}

// open sends the request of a segment under a stall timer; openEnded asks
// for everything from the segment's offset.
func (d *downloader) open(ctx context.Context, sg *segment, openEnded bool) (*stream, error) {
	actx, cancel := context.WithCancel(ctx)
	timer := time.AfterFunc(d.cfg.stall, cancel)
	resp, err := d.get(actx, sg, openEnded) //nolint:bodyclose // the stream owns the body and closes it in close
	if err != nil {
		timer.Stop()
		cancel()
		return nil, err
	}
	return &stream{body: resp.Body, cancel: cancel, timer: timer, status: resp.StatusCode,
		ranged: resp.StatusCode == http.StatusPartialContent}, nil
}

// errEmptyArchive is a 416 on "bytes=0-" for an archive of 0 bytes.
var errEmptyArchive = errors.New("empty archive")

// statusError is a non-2xx answer of the download host.
type statusError struct {
	apiErr *httpx.APIError
}

func (e *statusError) Error() string { return e.apiErr.Error() }
func (e *statusError) Unwrap() error { return e.apiErr }

// ifRange is the If-Range value of the archive: a strong validator, the
// only kind that may join ranges of two answers (RFC 9110 §13.1.5). It is
// a strong ETag, else, when there is no ETag at all, a Last-Modified that
// counts as strong, else "": no resume. The caller holds d.mu.
func (d *downloader) ifRange() string {
	switch {
	case isStrongETag(d.etag):
		return d.etag
	case d.etag == "" && d.lmodStrong:
		return d.lmod
	}
	return ""
}

// resumable reports whether the archive has a strong validator.
func (d *downloader) resumable() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.seen && d.ifRange() != ""
}

// isStrongETag reports whether etag is a strong entity tag.
func isStrongETag(etag string) bool {
	return strings.HasPrefix(etag, `"`) && len(etag) >= 2 && strings.HasSuffix(etag, `"`)
}

// strongDate reports whether a Last-Modified counts as a strong validator
// (RFC 9110 §8.8.2.2): it is at least one second before the Date of the
// answer that gave it.
func strongDate(lmod, date string) bool {
	lm, err1 := http.ParseTime(lmod)
	dt, err2 := http.ParseTime(date)
	return err1 == nil && err2 == nil && dt.Sub(lm) >= time.Second
}

// get asks for the rest of a segment, with If-Range once the archive's
// validators are known, and checks that the answer is the same archive,
// starting where asked, no longer than the backup's size.
func (d *downloader) get(ctx context.Context, sg *segment, openEnded bool) (*http.Response, error) {
	off := sg.off.Load()
	d.mu.Lock()
	link, seen, ifRange := d.link, d.seen, d.ifRange()
	d.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return nil, err
	}
	if openEnded || sg.end <= off {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(off, 10)+"-")
	} else {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(off, 10)+"-"+strconv.FormatInt(sg.end-1, 10))
	}
	switch {
	case seen && ifRange != "":
		req.Header.Set("If-Range", ifRange)
	case seen && off > 0:
		// fetch rewinds first; never join ranges without a strong validator.
		return nil, &restartError{"the server gives no strong validator (ETag or Last-Modified) to resume with"}
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*http.Response, error) {
		resp.Body.Close()
		return nil, err
	}
	switch resp.StatusCode {
	case http.StatusPartialContent:
		start, _, total, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if !ok || start != off {
			return fail(&httpx.ResponseError{StatusCode: resp.StatusCode, OperationID: d.op, Reason: "Content-Range does not match the requested range"})
		}
		if total != d.size {
			if seen {
				return fail(&restartError{fmt.Sprintf("the archive now has %d bytes", total)})
			}
			if total > d.size {
				return fail(d.overflow(resp.StatusCode))
			}
			return fail(&httpx.ResponseError{StatusCode: resp.StatusCode, OperationID: d.op,
				Reason: fmt.Sprintf("archive has %d bytes, the backup says %d", total, d.size)})
		}
		if resp.ContentLength > d.size-off {
			return fail(d.overflow(resp.StatusCode))
		}
		if err := d.checkValidators(resp); err != nil {
			return fail(err)
		}
		return resp, nil
	case http.StatusOK:
		if off != 0 {
			return fail(&restartError{"the server answered a ranged request with the whole archive"})
		}
		if resp.ContentLength > d.size {
			return fail(d.overflow(resp.StatusCode))
		}
		if resp.ContentLength >= 0 && resp.ContentLength < d.size {
			return fail(&httpx.ResponseError{StatusCode: resp.StatusCode, OperationID: d.op,
				Reason: fmt.Sprintf("archive has %d bytes, the backup says %d", resp.ContentLength, d.size)})
		}
		if err := d.checkValidators(resp); err != nil {
			return fail(err)
		}
		return resp, nil
	case http.StatusRequestedRangeNotSatisfiable:
		if off == 0 && strings.TrimSpace(resp.Header.Get("Content-Range")) == "bytes */0" {
			return fail(errEmptyArchive)
		}
	}
	defer resp.Body.Close()
	apiErr := httpx.NewAPIError(d.op, resp)
	httpx.DrainBody(resp.Body)
	return nil, &statusError{apiErr}
}

// checkValidators records the validators of the first answer and fails a
// later answer whose validators differ.
func (d *downloader) checkValidators(resp *http.Response) error {
	etag, lmod := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.seen {
		d.seen, d.etag, d.lmod = true, etag, lmod
		d.lmodStrong = strongDate(lmod, resp.Header.Get("Date"))
		return nil
	}
	switch {
	case d.etag != "" && etag != d.etag:
		return &restartError{"the archive's ETag changed"}
	case d.etag == "" && d.lmod != "" && lmod != d.lmod:
		return &restartError{"the archive's Last-Modified changed"}
	}
	return nil
}

// again decides whether a failed attempt is retried, waits if so, and
// renews the link after a 403 (an expired pre-signed URL). A Retry-After
// that is unusable (invalid, zero, negative, past) leaves the backoff.
func (d *downloader) again(ctx context.Context, err error, failures *int) bool {
	if ctx.Err() != nil {
		return false
	}
	if isPermanentDownloadError(err) || errors.Is(err, errEmptyArchive) || errors.As(err, new(*http.MaxBytesError)) {
		return false
	}
	var se *statusError
	if errors.As(err, &se) {
		st := se.apiErr.StatusCode
		if st != http.StatusForbidden && st != http.StatusTooManyRequests && st < 500 {
			return false
		}
	}
	var perm httpx.PermanentError
	if errors.As(err, &perm) && perm.Permanent() {
		return false
	}
	*failures++
	if *failures >= d.cfg.retry.MaxAttempts {
		return false
	}
	wait := httpx.Backoff(d.cfg.retry.MinWait, d.cfg.retry.MaxWait, *failures-1, nil)
	if se != nil && se.apiErr.RetryAfter > 0 {
		wait = min(se.apiErr.RetryAfter, d.cfg.retry.MaxWait)
	}
	if d.logger != nil {
		d.logger.Debug("scalingodb: download resumes", "error", d.wrap(err).Error(), "attempt", *failures, "wait", wait)
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

// giveUp is the error of a transfer that stops after err: a
// *httpx.TransportError of the context's error when it is done (a cut seen while
// the transfer was being stopped is no cause of its own), else err wrapped.
func (d *downloader) giveUp(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !isPermanentDownloadError(err) {
		return d.transportError(err, cerr)
	}
	return d.wrap(err)
}

// transportError is the *httpx.TransportError of a download that failed with
// err, reported as cause: the request was written unless the host never
// answered and err says that it was refused before (see neverSent).
func (d *downloader) transportError(err, cause error) *httpx.TransportError {
	d.mu.Lock()
	seen := d.seen
	d.mu.Unlock()
	return &httpx.TransportError{OperationID: d.op, Written: seen || !httpx.NeverSent(err), Err: httpx.RedactError(cause)}
}

// wrap gives a download error its operation and takes the link's token out of it.
func (d *downloader) wrap(err error) error {
	var se *statusError
	if errors.As(err, &se) {
		return se.apiErr
	}
	var re *httpx.ResponseError
	var rs *restartError
	var we *writeError
	switch {
	case errors.As(err, &re):
		return re
	case errors.As(err, &rs):
		return rs
	case errors.As(err, &we):
		return we.err
	case errors.Is(err, errEmptyArchive):
		return &httpx.ResponseError{StatusCode: http.StatusRequestedRangeNotSatisfiable, OperationID: d.op,
			Reason: fmt.Sprintf("the archive is empty, the backup says %d bytes", d.size)}
	}
	return d.transportError(err, err)
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
