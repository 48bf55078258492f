package scalingodb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/testhost"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The shared pieces of a download host (package internal/testhost).
type (
	discardAt     = testhost.DiscardAt
	memAt         = testhost.MemAt
	cuttingWriter = testhost.CuttingWriter
)

var randomBytes = testhost.RandomBytes

// archiveServer serves a backup of the given bytes the way the API does:
// getBackup, getBackupArchive and a ranged download. cut(n) tells whether
// download request n (from 1) is cut halfway through its body.
type archiveServer struct {
	data    []byte
	size    int64 // the size getBackup reports
	cut     func(n int64) bool
	token   string
	noRange bool // answer 200 with the whole archive, whatever the Range
	stall   func(n int64) bool
	dlReqs  atomic.Int64
	mu      sync.Mutex
	dlHdrs  []http.Header
	archive atomic.Int64
}

func (a *archiveServer) handler(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/api/backups/"):
			writeJSON(w, 200, fmt.Sprintf(`{"database_backup":{"id":"b1","status":"done","size":%d,"created_at":"2024-01-01T00:00:00Z"}}`, a.size))
		case strings.HasSuffix(r.URL.Path, "/archive"):
			a.archive.Add(1)
			writeJSON(w, 200, `{"download_url":"http://`+r.Host+`/api/databases/db/backups/b1/download?token=`+a.token+`"}`)
		case strings.HasSuffix(r.URL.Path, "/download"):
			n := a.dlReqs.Add(1)
			a.mu.Lock()
			a.dlHdrs = append(a.dlHdrs, r.Header.Clone())
			a.mu.Unlock()
			if r.URL.Query().Get("token") != a.token {
				writeJSON(w, 403, `{"error":"forbidden"}`)
				return
			}
			start, end := int64(0), int64(len(a.data))-1
			status := 200
			if rg := r.Header.Get("Range"); rg != "" && !a.noRange {
				s, e, _ := strings.Cut(strings.TrimPrefix(rg, "bytes="), "-")
				start, _ = strconv.ParseInt(s, 10, 64)
				if e != "" {
					end, _ = strconv.ParseInt(e, 10, 64)
				}
				status = 206
				w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, len(a.data)))
			}
			body := a.data[start : end+1]
			w.Header().Set("ETag", `"a1"`) // strong: ranges may be joined
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(status)
			if a.stall != nil && a.stall(n) {
				_, _ = w.Write(body[:len(body)/2])
				w.(http.Flusher).Flush()
				<-r.Context().Done() // send nothing more until the client gives up
				return
			}
			if a.cut != nil && a.cut(n) {
				_, _ = w.Write(body[:len(body)/2])
				w.(http.Flusher).Flush()
				resetConn(t, w)
				return
			}
			_, _ = w.Write(body)
		default:
			writeJSON(w, 404, `{"error":"not found"}`)
		}
	}
}

// archiveClient returns a client of a, where override answers first the
// requests it takes (it returns true for those) and a answers the rest.
func archiveClient(t *testing.T, a *archiveServer, override func(w http.ResponseWriter, r *http.Request) bool) *Client {
	t.Helper()
	h := a.handler(t)
	c, _, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if !override(w, r) {
			h(w, r)
		}
	})
	return c
}

func fastDownloadRetry() DownloadOption {
	return WithDownloadRetry(RetryPolicy{MaxAttempts: 5, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond})
}

func TestDownload(t *testing.T) {
	data := randomBytes(3<<20 + 12345)
	want := sha256.Sum256(data)
	tests := []struct {
		name     string
		parallel int
		cut      func(n int64) bool
		wantReqs int64
	}{
		{"one stream", 1, nil, 1},
		{"cut three times", 1, func(n int64) bool { return n <= 3 }, 4},
		{"four ranges", 4, nil, 4},
		{"four ranges with cuts", 4, func(n int64) bool { return n == 2 || n == 3 || n == 5 }, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &archiveServer{data: data, size: int64(len(data)), cut: tt.cut, token: "dl-token-SECRET"}
			c, _, _ := newTestClient(t, a.handler(t))
			dst := &memAt{}
			var calls, last atomic.Int64
			n, err := c.Backups.DownloadAt(context.Background(), "db", "b1", dst, WithParallel(tt.parallel), fastDownloadRetry(),
				WithProgress(func(done, total int64) {
					calls.Add(1)
					if done < last.Load() || total != int64(len(data)) {
						t.Errorf("progress went back or has a wrong total: %d/%d", done, total)
					}
					last.Store(done)
				}))
			if err != nil {
				t.Fatal(err)
			}
			if n != int64(len(data)) || sha256.Sum256(dst.Bytes()) != want {
				t.Fatalf("got %d bytes with another hash, want %d", n, len(data))
			}
			if got := a.dlReqs.Load(); got != tt.wantReqs {
				t.Errorf("%d download requests, want %d", got, tt.wantReqs)
			}
			if calls.Load() == 0 || last.Load() != int64(len(data)) {
				t.Errorf("progress: %d calls, last %d", calls.Load(), last.Load())
			}
			a.mu.Lock()
			defer a.mu.Unlock()
			for _, h := range a.dlHdrs {
				if h.Get("Authorization") != "" {
					t.Errorf("the download request carried Authorization %q", h.Get("Authorization"))
				}
			}
		})
	}
}

func TestDownload_ResumeIsBounded(t *testing.T) {
	data := randomBytes(100_000)
	a := &archiveServer{data: data, size: int64(len(data)), token: "tok"}
	var dl atomic.Int64
	c := archiveClient(t, a, func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, "/download") {
			return false
		}
		// Headers, then a cut before any byte: no progress, ever.
		dl.Add(1)
		w.Header().Set("Content-Range", fmt.Sprintf("bytes 0-%d/%d", len(data)-1, len(data)))
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.WriteHeader(206)
		w.(http.Flusher).Flush()
		resetConn(t, w)
		return true
	})
	_, err := c.Backups.DownloadAt(context.Background(), "db", "b1", &memAt{}, fastDownloadRetry())
	if err == nil {
		t.Fatal("want an error")
	}
	if n := dl.Load(); n != 5 {
		t.Fatalf("%d download attempts, want 5 (the retry bound)", n)
	}
}

func TestDownload_StalledConnectionIsResumed(t *testing.T) {
	data := randomBytes(1 << 20)
	a := &archiveServer{data: data, size: int64(len(data)), token: "tok", stall: func(n int64) bool { return n == 1 }}
	c, _, _ := newTestClient(t, a.handler(t))
	dst := &memAt{}
	n, err := c.Backups.DownloadAt(context.Background(), "db", "b1", dst, WithStallTimeout(50*time.Millisecond), fastDownloadRetry())
	if err != nil || n != int64(len(data)) || !bytes.Equal(dst.Bytes(), data) {
		t.Fatalf("got %d, %v", n, err)
	}
	// The stalled request, then at least one resume (a loaded machine may
	// stall a resume too).
	if a.dlReqs.Load() < 2 {
		t.Errorf("%d requests, want 2 or more (the stalled one, then the resume)", a.dlReqs.Load())
	}
}

func TestDownload_ServerWithoutRanges(t *testing.T) {
	data := randomBytes(2 << 20)
	a := &archiveServer{data: data, size: int64(len(data)), token: "tok", noRange: true}
	c, _, _ := newTestClient(t, a.handler(t))
	dst := &memAt{}
	n, err := c.Backups.DownloadAt(context.Background(), "db", "b1", dst, WithParallel(4), fastDownloadRetry())
	if err != nil || n != int64(len(data)) || !bytes.Equal(dst.Bytes(), data) {
		t.Fatalf("got %d, %v", n, err)
	}
	if a.dlReqs.Load() != 1 {
		t.Errorf("%d requests, want 1: a server without ranges gets one stream", a.dlReqs.Load())
	}
}

func TestDownload_Failures(t *testing.T) {
	data := randomBytes(100_000)
	tests := []struct {
		name  string
		size  int64
		serve http.HandlerFunc
		want  error
	}{
		{"size differs from the backup", 100_001, nil, ErrMalformedResponse},
		{"download host always fails", int64(len(data)), func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 500, `{"error":"x"}`) }, ErrServer},
		{"link not found", int64(len(data)), func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 404, `{"error":"x"}`) }, ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &archiveServer{data: data, size: tt.size, token: "dl-SECRET"}
			c := archiveClient(t, a, func(w http.ResponseWriter, r *http.Request) bool {
				if tt.serve == nil || !strings.HasSuffix(r.URL.Path, "/download") {
					return false
				}
				tt.serve(w, r)
				return true
			})
			_, err := c.Backups.DownloadAt(context.Background(), "db", "b1", &memAt{}, fastDownloadRetry())
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), "dl-SECRET") {
				t.Errorf("error %q holds the link's token", err)
			}
		})
	}
}

func TestDownload_RenewsExpiredLink(t *testing.T) {
	data := randomBytes(200_000)
	a := &archiveServer{data: data, size: int64(len(data)), token: "fresh"}
	var links atomic.Int64
	c := archiveClient(t, a, func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, "/archive") || links.Add(1) != 1 {
			return false
		}
		// The first link has already expired.
		writeJSON(w, 200, `{"download_url":"http://`+r.Host+`/api/databases/db/backups/b1/download?token=stale"}`)
		return true
	})
	dst := &memAt{}
	n, err := c.Backups.DownloadAt(context.Background(), "db", "b1", dst, fastDownloadRetry())
	if err != nil || n != int64(len(data)) || !bytes.Equal(dst.Bytes(), data) {
		t.Fatalf("got %d, %v", n, err)
	}
	if links.Load() != 2 || a.dlReqs.Load() != 2 {
		t.Fatalf("%d links and %d downloads, want 2 and 2", links.Load(), a.dlReqs.Load())
	}
}

func TestDownloadToFile(t *testing.T) {
	data := randomBytes(500_000)
	a := &archiveServer{data: data, size: int64(len(data)), token: "tok", cut: func(n int64) bool { return n == 1 }}
	c, _, _ := newTestClient(t, a.handler(t))
	path := filepath.Join(t.TempDir(), "backup.tar.gz")
	if _, err := c.Backups.DownloadToFile(context.Background(), "db", "b1", path, WithParallel(3), fastDownloadRetry()); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("file differs (%d bytes, %v)", len(got), err)
	}
	// A failed download leaves no partial file behind.
	bad := &archiveServer{data: data, size: 1, token: "tok"}
	c2, _, _ := newTestClient(t, bad.handler(t))
	path2 := filepath.Join(t.TempDir(), "bad.tar.gz")
	if _, err := c2.Backups.DownloadToFile(context.Background(), "db", "b1", path2); err == nil {
		t.Fatal("want an error")
	}
	if _, err := os.Stat(path2); !os.IsNotExist(err) {
		t.Errorf("partial file left: %v", err)
	}
}

// validators are the headers a host gives its archive.
type validators struct {
	etag string        // "" for none
	lmod time.Duration // Last-Modified this long before Date; < 0 for none
}

// serveValidated serves data with Range and the validators v, under a
// fixed Date, without evaluating If-Range: a host whose validators do not
// prove which bytes it serves.
func serveValidated(w http.ResponseWriter, r *http.Request, data []byte, v validators) {
	date := time.Date(2026, 12, 5, 4, 0, 0, 0, time.UTC)
	w.Header().Set("Date", date.Format(http.TimeFormat))
	if v.etag != "" {
		w.Header().Set("ETag", v.etag)
	}
	if v.lmod >= 0 {
		w.Header().Set("Last-Modified", date.Add(-v.lmod).Format(http.TimeFormat))
	}
	r.Header.Del("If-Range")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}

// checkRanges fails when a request asks for a range past offset 0 without
// a strong validator in If-Range (RFC 9110 §13.1.5).
func checkRanges(t *testing.T, h *downloadHost) {
	t.Helper()
	for i, hd := range h.headers() {
		rg, ir := hd.Get("Range"), hd.Get("If-Range")
		if rg != "" && !strings.HasPrefix(rg, "bytes=0-") && (ir == "" || strings.HasPrefix(ir, "W/")) {
			t.Errorf("request %d: Range %q with If-Range %q: only a strong validator may join ranges", i, rg, ir)
		}
	}
}

// changingHost is a download host whose first download request serves
// first under the validators v and is cut after cut bytes, whose later
// ones fail with a 500 while broken holds, and then serve later under v.
func changingHost(size, cut int, first, later []byte, v validators, broken *atomic.Bool) *downloadHost {
	var n atomic.Int64
	h := &downloadHost{size: int64(size)}
	h.dl = func(rw http.ResponseWriter, r *http.Request) {
		switch k := n.Add(1); {
		case k == 1:
			serveValidated(&cuttingWriter{ResponseWriter: rw, Limit: cut}, r, first, v)
		case broken.Load():
			rw.WriteHeader(http.StatusInternalServerError)
		default:
			serveValidated(rw, r, later, v)
		}
	}
	return h
}

// downloadFileAcross downloads backup b1 to a new file and returns the
// file's bytes. While broken holds, a first call must fail (with an error
// matching wantFirst, when not nil) before broken is cleared and a second
// call succeeds. what names the run in failures.
func downloadFileAcross(t *testing.T, c *Client, broken *atomic.Bool, wantFirst error, what string) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "b.tar.gz")
	if broken.Load() {
		_, err := c.Backups.DownloadToFile(context.Background(), "db", "b1", path, fastDownloadRetry())
		if err == nil || (wantFirst != nil && !errors.Is(err, wantFirst)) {
			t.Fatalf("%s: first call: got %v, want an error matching %v", what, err, wantFirst)
		}
		broken.Store(false)
	}
	if _, err := c.Backups.DownloadToFile(context.Background(), "db", "b1", path, fastDownloadRetry()); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	got, _ := os.ReadFile(path)
	return got
}

// TestDownload_WeakValidatorNeverSplices cuts a download, then serves
// another archive of the same size under the same validators, which do not
// prove identity (a weak ETag, a Last-Modified too close to Date, a weak
// ETag beside an old Last-Modified). A destination that can be rewound
// gets the new archive whole; a stream fails with ErrArchiveChanged; no
// destination ever joins the two archives: 108 runs, each cut elsewhere.
func TestDownload_WeakValidatorNeverSplices(t *testing.T) {
	const size = 64 << 10
	v1, v2 := randomBytes(size), bytes.Repeat([]byte("2"), size)
	weak := []struct {
		name string
		v    validators
	}{
		{"weak ETag", validators{etag: `W/"b1"`, lmod: -1}},
		{"Last-Modified equal to Date", validators{lmod: 0}},
		{"weak ETag and an old Last-Modified", validators{etag: `W/"b1"`, lmod: time.Hour}},
	}
	dests := []string{"stream", "WriterAt", "file", "file across calls"}
	const runs = 9
	rng := rand.New(rand.NewPCG(3, 4))
	spliced := 0
	for _, w := range weak {
		for _, dest := range dests {
			t.Run(w.name+"/"+dest, func(t *testing.T) {
				for range runs {
					cut := 1 + rng.IntN(size-2)
					var broken atomic.Bool
					broken.Store(dest == "file across calls")
					h := changingHost(size, cut, v1, v2, w.v, &broken)
					c := hostClient(t, h)
					var got []byte
					switch dest {
					case "stream":
						var out bytes.Buffer
						_, err := c.Backups.Download(context.Background(), "db", "b1", &out, fastDownloadRetry())
						if !errors.Is(err, ErrArchiveChanged) {
							t.Errorf("cut at %d: got %v, want ErrArchiveChanged", cut, err)
						}
						if !bytes.Equal(out.Bytes(), v1[:out.Len()]) {
							spliced++
							t.Errorf("cut at %d: the stream joined two archives", cut)
						}
						checkRanges(t, h)
						continue
					case "WriterAt":
						dst := &memAt{}
						if _, err := c.Backups.DownloadAt(context.Background(), "db", "b1", dst, fastDownloadRetry()); err != nil {
							t.Fatalf("cut at %d: %v", cut, err)
						}
						got = dst.Bytes()
					case "file", "file across calls":
						got = downloadFileAcross(t, c, &broken, nil, fmt.Sprintf("cut at %d", cut))
					}
					if !bytes.Equal(got, v2) {
						spliced++
						t.Errorf("cut at %d: the destination is not the new archive (%d bytes, first %d of the old one kept)", cut, len(got), cut)
					}
					checkRanges(t, h)
				}
			})
		}
	}
	if spliced != 0 {
		t.Errorf("%d of %d runs spliced two archives", spliced, len(weak)*len(dests)*runs)
	}
}

// TestDownload_StrongValidatorResumes checks the other side: a strong ETag,
// or a Last-Modified at least one second before Date with no ETag, lets a
// cut download resume with If-Range where it stopped, in one call and
// across calls.
func TestDownload_StrongValidatorResumes(t *testing.T) {
	const size = 256 << 10
	data := randomBytes(size)
	date := time.Date(2026, 12, 5, 4, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		v       validators
		ifRange string
	}{
		{"strong ETag", validators{etag: `"b1"`, lmod: -1}, `"b1"`},
		{"strong ETag and Last-Modified", validators{etag: `"b1"`, lmod: time.Hour}, `"b1"`},
		{"Last-Modified 1s before Date", validators{lmod: time.Second}, date.Add(-time.Second).Format(http.TimeFormat)},
	}
	for _, tt := range tests {
		for _, dest := range []string{"stream", "file", "file across calls"} {
			t.Run(tt.name+"/"+dest, func(t *testing.T) {
				var broken atomic.Bool
				broken.Store(dest == "file across calls")
				h := changingHost(size, size/2, data, data, tt.v, &broken)
				c := hostClient(t, h)
				var got []byte
				if dest == "stream" {
					var out bytes.Buffer
					if _, err := c.Backups.Download(context.Background(), "db", "b1", &out, fastDownloadRetry()); err != nil {
						t.Fatal(err)
					}
					got = out.Bytes()
				} else {
					got = downloadFileAcross(t, c, &broken, ErrServer, dest)
				}
				if !bytes.Equal(got, data) {
					t.Fatal("the destination differs from the archive")
				}
				// Every request after the cut one asks for the rest only.
				for _, hd := range h.headers()[1:] {
					if !strings.HasPrefix(hd.Get("Range"), fmt.Sprintf("bytes=%d-", size/2)) || hd.Get("If-Range") != tt.ifRange {
						t.Errorf("resume: Range %q If-Range %q, want from %d with If-Range %q", hd.Get("Range"), hd.Get("If-Range"), size/2, tt.ifRange)
					}
				}
			})
		}
	}
}

// TestDownload_WithoutStrongValidator checks the limits of a host that
// gives no strong validator: one connection whatever WithParallel says, and
// a cut transfer starts again from zero at most as often as the retry
// policy allows attempts.
func TestDownload_WithoutStrongValidator(t *testing.T) {
	data := randomBytes(2 << 20)
	tests := []struct {
		name     string
		cut      bool
		wantErr  bool
		wantReqs int64
	}{
		{"parallel asked", false, false, 1},
		{"every answer cut halfway", true, true, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &downloadHost{size: int64(len(data)), dl: func(w http.ResponseWriter, r *http.Request) {
				if tt.cut {
					w = &cuttingWriter{ResponseWriter: w, Limit: len(data) / 2}
				}
				serveValidated(w, r, data, validators{etag: `W/"b1"`, lmod: time.Hour})
			}}
			c := hostClient(t, h)
			dst := &memAt{}
			_, err := c.Backups.DownloadAt(context.Background(), "db", "b1", dst, WithParallel(4), fastDownloadRetry())
			if (err != nil) != tt.wantErr {
				t.Fatalf("got %v, want an error: %t", err, tt.wantErr)
			}
			if !tt.wantErr && !bytes.Equal(dst.Bytes(), data) {
				t.Error("the destination differs from the archive")
			}
			if got := h.reqs.Load(); got != tt.wantReqs {
				t.Errorf("%d requests, want %d", got, tt.wantReqs)
			}
			checkRanges(t, h)
		})
	}
}
