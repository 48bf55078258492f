package scalingodb

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"
)

// downloadHost is a test download host: getBackup answers size, the link
// points at /dl, and dl serves it. It counts the body bytes /dl sent.
type downloadHost struct {
	size int64
	dl   http.HandlerFunc
	api  http.HandlerFunc // when set, answers getBackup instead

	reqs   atomic.Int64
	served atomic.Int64
	mu     sync.Mutex
	hdrs   []http.Header
}

func (h *downloadHost) handler(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/api/backups/") && h.api != nil:
		h.api(w, r)
	case strings.HasPrefix(r.URL.Path, "/api/backups/"):
		writeJSON(w, 200, fmt.Sprintf(`{"database_backup":{"id":"b1","status":"done","created_at":"2026-01-02T03:04:05Z","size":%d,"created_at":"2024-01-01T00:00:00Z"}}`, h.size))
	case strings.HasSuffix(r.URL.Path, "/archive"):
		writeJSON(w, 200, `{"download_url":"http://`+r.Host+`/dl?token=dl-SECRET"}`)
	case r.URL.Path == "/dl":
		h.reqs.Add(1)
		h.mu.Lock()
		h.hdrs = append(h.hdrs, r.Header.Clone())
		h.mu.Unlock()
		h.dl(&countingWriter{ResponseWriter: w, n: &h.served}, r)
	default:
		writeJSON(w, 404, `{"error":"not found"}`)
	}
}

func (h *downloadHost) headers() []http.Header {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]http.Header(nil), h.hdrs...)
}

// countingWriter counts the body bytes written.
type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (w *countingWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	w.n.Add(int64(n))
	return n, err
}

func (w *countingWriter) Flush() { w.ResponseWriter.(http.Flusher).Flush() }

func (w *countingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return w.ResponseWriter.(http.Hijacker).Hijack()
}

// serveVersion serves data like a careful host: ETag, Range and If-Range.
func serveVersion(w http.ResponseWriter, r *http.Request, data []byte, etag string) {
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/octet-stream")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}

// cutAfter serves data but cuts the connection after limit body bytes.
func cutAfter(w http.ResponseWriter, r *http.Request, data []byte, etag string, limit int) {
	serveVersion(&cuttingWriter{ResponseWriter: w, Limit: limit}, r, data, etag)
}

// endless answers 200 without Content-Length and never ends.
func endless(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(200)
	chunk := bytes.Repeat([]byte("x"), 32<<10)
	for r.Context().Err() == nil {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

func hostClient(t *testing.T, h *downloadHost, opts ...Option) *Client {
	t.Helper()
	c, _, _ := newTestClient(t, h.handler, opts...)
	return c
}

// TestDownloadToFile_DestinationSurvives runs DownloadToFile over an
// existing file against hostile download hosts: each fails, and the file
// is byte for byte what it was.
func TestDownloadToFile_DestinationSurvives(t *testing.T) {
	data := randomBytes(1 << 20)
	old := []byte("last night's good backup")
	bomb := gzipBomb(t, 64<<20)
	apis := map[string]http.HandlerFunc{
		"getBackup answers a gzip bomb": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(bomb)
		},
	}
	tests := []struct {
		name string
		size int64
		dl   http.HandlerFunc
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"getBackup answers a gzip bomb", int64(len(data)), func(w http.ResponseWriter, r *http.Request) { serveVersion(w, r, data, `"v1"`) }, nil, nil},
		{"404", int64(len(data)), func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 404, `{"error":"gone"}`) }, nil, ErrNotFound},
		{"every answer cut", int64(len(data)), func(w http.ResponseWriter, r *http.Request) {
			cutAfter(w, r, data, `"v1"`, 0)
		}, nil, nil},
		{"endless body past the size", 1000, endless, nil, ErrMalformedResponse},
		{"Content-Length larger than the backup", 1000, func(w http.ResponseWriter, r *http.Request) {
			serveVersion(w, r, data, `"v1"`)
		}, nil, ErrMalformedResponse},
		{"Content-Length says more than comes", int64(len(data)), func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			w.WriteHeader(200)
			_, _ = w.Write(data[:100])
		}, nil, nil},
		{"archive changes on every resume", int64(len(data)), func() http.HandlerFunc {
			var n atomic.Int64
			return func(w http.ResponseWriter, r *http.Request) {
				v := n.Add(1)
				cutAfter(w, r, data, fmt.Sprintf(`"v%d"`, v), len(data)/4)
			}
		}(), nil, ErrArchiveChanged},
		{"cancelled context", int64(len(data)), func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			w.WriteHeader(200)
			_, _ = w.Write(data[:1000])
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 100*time.Millisecond)
		}, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &downloadHost{size: tt.size, dl: tt.dl, api: apis[tt.name]}
			c := hostClient(t, h)
			path := filepath.Join(t.TempDir(), "latest.tar.gz")
			if err := os.WriteFile(path, old, 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if tt.ctx != nil {
				ctx, cancel = tt.ctx()
			}
			defer cancel()
			n, err := c.Backups.DownloadToFile(ctx, "db", "b1", path, fastDownloadRetry())
			if err == nil {
				t.Fatalf("got %d bytes and no error", n)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), "dl-SECRET") {
				t.Errorf("error %q holds the link's token", err)
			}
			got, rerr := os.ReadFile(path)
			if rerr != nil || !bytes.Equal(got, old) {
				t.Fatalf("the destination changed: %q, %v", got, rerr)
			}
		})
	}
}

func TestDownload_NeverPastTheSize(t *testing.T) {
	const size = 5000
	tests := []struct {
		name string
		dl   http.HandlerFunc
	}{
		{"endless, no Content-Length", endless},
		{"longer than announced by getBackup, no Content-Length", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(200)
			_, _ = w.Write(bytes.Repeat([]byte("y"), size+1))
		}},
		{"206 with the wrong total", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Range", fmt.Sprintf("bytes 0-%d/%d", 2*size-1, 2*size))
			w.WriteHeader(206)
			_, _ = w.Write(bytes.Repeat([]byte("y"), 2*size))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &downloadHost{size: size, dl: tt.dl}
			c := hostClient(t, h)
			var out bytes.Buffer
			n, err := c.Backups.Download(context.Background(), "db", "b1", &out, fastDownloadRetry())
			if !errors.As(err, new(*http.MaxBytesError)) || !errors.Is(err, ErrMalformedResponse) {
				t.Fatalf("got %v, want a malformed response wrapping *http.MaxBytesError", err)
			}
			if out.Len() > size || n > size {
				t.Fatalf("%d bytes (n=%d) reached the destination, the backup has %d", out.Len(), n, size)
			}
			if got := h.reqs.Load(); got != 1 {
				t.Errorf("%d requests, want 1: an answer past the size is not retried", got)
			}
		})
	}
}

func TestDownload_ResumeSendsIfRange(t *testing.T) {
	data := randomBytes(1 << 20)
	var n atomic.Int64
	h := &downloadHost{size: int64(len(data)), dl: func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			cutAfter(w, r, data, `"v1"`, len(data)/2)
			return
		}
		serveVersion(w, r, data, `"v1"`)
	}}
	c := hostClient(t, h)
	var out bytes.Buffer
	if _, err := c.Backups.Download(context.Background(), "db", "b1", &out, fastDownloadRetry()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), data) {
		t.Fatal("the stream differs from the archive")
	}
	hdrs := h.headers()
	if len(hdrs) != 2 {
		t.Fatalf("%d requests, want 2", len(hdrs))
	}
	if hdrs[0].Get("If-Range") != "" || hdrs[1].Get("If-Range") != `"v1"` || hdrs[1].Get("Range") != fmt.Sprintf("bytes=%d-%d", len(data)/2, len(data)-1) {
		t.Errorf("resume headers: Range %q If-Range %q", hdrs[1].Get("Range"), hdrs[1].Get("If-Range"))
	}
	if got := h.served.Load(); got != int64(len(data)) {
		t.Errorf("the host sent %d bytes, want %d: nothing twice", got, len(data))
	}
}

// TestDownload_ChangedArchive changes the archive while it is downloaded:
// destinations that can be rewound start again and get the new archive
// whole; a stream that already has bytes fails with *ArchiveChangedError.
func TestDownload_ChangedArchive(t *testing.T) {
	v1, v2 := randomBytes(1<<20), bytes.Repeat([]byte("2"), 1<<20)
	changed := func(ignoreIfRange bool) http.HandlerFunc {
		var n atomic.Int64
		return func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				cutAfter(w, r, v1, `"v1"`, len(v1)/2)
				return
			}
			if ignoreIfRange {
				// A host that ignores If-Range: 206 with another ETag.
				r.Header.Del("If-Range")
			}
			serveVersion(w, r, v2, `"v2"`)
		}
	}
	for _, ignore := range []bool{false, true} {
		t.Run(fmt.Sprintf("host ignores If-Range %t", ignore), func(t *testing.T) {
			t.Run("stream", func(t *testing.T) {
				c := hostClient(t, &downloadHost{size: int64(len(v1)), dl: changed(ignore)})
				var out bytes.Buffer
				n, err := c.Backups.Download(context.Background(), "db", "b1", &out, fastDownloadRetry())
				var ce *ArchiveChangedError
				if !errors.As(err, &ce) || !errors.Is(err, ErrArchiveChanged) || ce.Written != n || n != int64(len(v1)/2) {
					t.Fatalf("got %d, %v; want *ArchiveChangedError after %d bytes", n, err, len(v1)/2)
				}
			})
			t.Run("WriterAt", func(t *testing.T) {
				c := hostClient(t, &downloadHost{size: int64(len(v1)), dl: changed(ignore)})
				dst := &memAt{}
				if _, err := c.Backups.DownloadAt(context.Background(), "db", "b1", dst, fastDownloadRetry()); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(dst.Bytes(), v2) {
					t.Fatal("spliced: the destination is not the new archive")
				}
			})
			t.Run("file", func(t *testing.T) {
				c := hostClient(t, &downloadHost{size: int64(len(v1)), dl: changed(ignore)})
				path := filepath.Join(t.TempDir(), "b.tar.gz")
				if _, err := c.Backups.DownloadToFile(context.Background(), "db", "b1", path, fastDownloadRetry()); err != nil {
					t.Fatal(err)
				}
				if got, _ := os.ReadFile(path); !bytes.Equal(got, v2) {
					t.Fatal("spliced: the file is not the new archive")
				}
			})
		})
	}
	t.Run("200 to a ranged request", func(t *testing.T) {
		var n atomic.Int64
		h := &downloadHost{size: int64(len(v1)), dl: func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				cutAfter(w, r, v1, `"v1"`, len(v1)/2)
				return
			}
			w.Header().Set("Content-Length", strconv.Itoa(len(v1)))
			w.WriteHeader(200)
			_, _ = w.Write(v1)
		}}
		c := hostClient(t, h)
		var out bytes.Buffer
		if _, err := c.Backups.Download(context.Background(), "db", "b1", &out, fastDownloadRetry()); !errors.Is(err, ErrArchiveChanged) {
			t.Fatalf("stream: got %v, want ErrArchiveChanged", err)
		}
		n.Store(0)
		dst := &memAt{}
		if _, err := c.Backups.DownloadAt(context.Background(), "db", "b1", dst, fastDownloadRetry()); err != nil || !bytes.Equal(dst.Bytes(), v1) {
			t.Fatalf("WriterAt: got %v", err)
		}
	})
}

// TestDownloadToFile_ResumesAcrossCalls cuts a first call halfway (the
// host then fails), and checks that a second call fetches only what is
// missing, with If-Range, and that the file is the archive.
func TestDownloadToFile_ResumesAcrossCalls(t *testing.T) {
	data := randomBytes(8 << 20)
	for _, parallel := range []int{1, 4} {
		t.Run(fmt.Sprintf("parallel %d", parallel), func(t *testing.T) {
			var broken atomic.Bool
			broken.Store(true)
			h := &downloadHost{size: int64(len(data))}
			h.dl = func(w http.ResponseWriter, r *http.Request) {
				if !broken.Load() {
					serveVersion(w, r, data, `"v1"`)
					return
				}
				// The first answer of each range, then 500s: each range
				// stops halfway.
				if r.Header.Get("X-Seen") == "" && h.reqs.Load() <= int64(parallel) {
					rg := r.Header.Get("Range")
					s, e, _ := strings.Cut(strings.TrimPrefix(rg, "bytes="), "-")
					start, _ := strconv.ParseInt(s, 10, 64)
					end := int64(len(data)) - 1
					if e != "" {
						end, _ = strconv.ParseInt(e, 10, 64)
					}
					if parallel > 1 && start == 0 {
						end = int64(len(data))/int64(parallel) - 1
					}
					cutAfter(w, r, data, `"v1"`, int(end-start+1)/2)
					return
				}
				w.WriteHeader(500)
			}
			c := hostClient(t, h)
			dir := t.TempDir()
			path := filepath.Join(dir, "b.tar.gz")
			_, err := c.Backups.DownloadToFile(context.Background(), "db", "b1", path, WithParallel(parallel),
				WithDownloadRetry(RetryPolicy{MaxAttempts: 2, MinWait: time.Millisecond, MaxWait: time.Millisecond}))
			if !errors.Is(err, ErrServer) {
				t.Fatalf("first call: got %v, want ErrServer", err)
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("the destination exists after a failure: %v", err)
			}
			// What the sidecar claims must be in the partial file.
			// The sidecar, as package download writes it.
			var st struct {
				BackupID string     `json:"backup_id"`
				Size     int64      `json:"size"`
				ETag     string     `json:"etag"`
				Done     [][2]int64 `json:"done"`
			}
			raw, err := os.ReadFile(path + ".partial.json")
			if err != nil || json.Unmarshal(raw, &st) != nil {
				t.Fatalf("no sidecar after the failure: %v", err)
			}
			part, err := os.ReadFile(path + ".partial")
			if err != nil {
				t.Fatal(err)
			}
			var claimed int64
			for _, r := range st.Done {
				if r[1] > int64(len(part)) || !bytes.Equal(part[r[0]:r[1]], data[r[0]:r[1]]) {
					t.Fatalf("the sidecar claims %v, which the partial file does not hold", r)
				}
				claimed += r[1] - r[0]
			}
			if claimed == 0 || st.ETag != `"v1"` || st.BackupID != "b1" || st.Size != int64(len(data)) {
				t.Fatalf("sidecar %+v claims nothing useful", st)
			}
			// A cut stream hands over all it sent: the sidecar claims it.
			if first := h.served.Load(); parallel == 1 && first-claimed > 1<<20 {
				t.Errorf("the first call received %d bytes, the sidecar claims only %d", first, claimed)
			}
			broken.Store(false)
			h.served.Store(0)
			before := len(h.headers())
			n, err := c.Backups.DownloadToFile(context.Background(), "db", "b1", path, WithParallel(parallel), fastDownloadRetry())
			if err != nil || n != int64(len(data)) {
				t.Fatalf("second call: %d, %v", n, err)
			}
			if got, _ := os.ReadFile(path); !bytes.Equal(got, data) {
				t.Fatal("the file differs from the archive")
			}
			if got, want := h.served.Load(), int64(len(data))-claimed; got != want {
				t.Errorf("the second call received %d bytes, want %d (what the first one lacked)", got, want)
			}
			for _, hd := range h.headers()[before:] {
				if hd.Get("If-Range") != `"v1"` || hd.Get("Range") == "" || strings.HasPrefix(hd.Get("Range"), "bytes=0-") && parallel == 1 {
					t.Errorf("resume request: Range %q If-Range %q", hd.Get("Range"), hd.Get("If-Range"))
				}
			}
			left, _ := filepath.Glob(filepath.Join(dir, "*.partial*"))
			if len(left) != 0 {
				t.Errorf("left behind: %v", left)
			}
		})
	}
}

// TestDownloadToFile_UntrustedSidecar checks that a partial file is only
// trusted as far as a matching sidecar proves it.
func TestDownloadToFile_UntrustedSidecar(t *testing.T) {
	data := randomBytes(1 << 20)
	tests := []struct {
		name    string
		sidecar string
		part    []byte
	}{
		{"claims more than the file holds", `{"version":1,"backup_id":"b1","size":1048576,"etag":"\"v1\"","done":[[0,1048576]]}`, data[:1000]},
		{"another backup", `{"version":1,"backup_id":"b2","size":1048576,"etag":"\"v1\"","done":[[0,1000]]}`, bytes.Repeat([]byte("z"), 1000)},
		{"no validator", `{"version":1,"backup_id":"b1","size":1048576,"done":[[0,1000]]}`, bytes.Repeat([]byte("z"), 1000)},
		{"weak ETag", `{"version":2,"backup_id":"b1","size":1048576,"etag":"W/\"v1\"","done":[[0,1000]]}`, bytes.Repeat([]byte("z"), 1000)},
		{"version 1 with only a Last-Modified", `{"version":1,"backup_id":"b1","size":1048576,"last_modified":"Sat, 05 Dec 2026 03:00:00 GMT","done":[[0,1000]]}`, bytes.Repeat([]byte("z"), 1000)},
		{"version 1 with a weak ETag", `{"version":1,"backup_id":"b1","size":1048576,"etag":"W/\"v1\"","done":[[0,1000]]}`, bytes.Repeat([]byte("z"), 1000)},
		{"unknown version", `{"version":3,"backup_id":"b1","size":1048576,"etag":"\"v1\"","done":[[0,1000]]}`, bytes.Repeat([]byte("z"), 1000)},
		{"not JSON", `{"version":1,`, bytes.Repeat([]byte("z"), 1000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &downloadHost{size: int64(len(data)), dl: func(w http.ResponseWriter, r *http.Request) { serveVersion(w, r, data, `"v1"`) }}
			c := hostClient(t, h)
			path := filepath.Join(t.TempDir(), "b.tar.gz")
			if err := os.WriteFile(path+".partial", tt.part, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path+".partial.json", []byte(tt.sidecar), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Backups.DownloadToFile(context.Background(), "db", "b1", path); err != nil {
				t.Fatal(err)
			}
			if got, _ := os.ReadFile(path); !bytes.Equal(got, data) {
				t.Fatal("the file differs from the archive")
			}
			if hd := h.headers()[0]; hd.Get("Range") != "bytes=0-" || hd.Get("If-Range") != "" {
				t.Errorf("first request: Range %q If-Range %q, want a fresh start", hd.Get("Range"), hd.Get("If-Range"))
			}
		})
	}
}

// gzipBomb returns gzip bytes that expand to n zero bytes.
func gzipBomb(tb testing.TB, n int64) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		tb.Fatal(err)
	}
	zero := make([]byte, 1<<20)
	for written := int64(0); written < n; written += int64(len(zero)) {
		if _, err := zw.Write(zero[:min(int64(len(zero)), n-written)]); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// bombServer answers every request with the gzip bomb, and counts them.
func bombServer(tb testing.TB, bomb []byte, reqs *atomic.Int64) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqs.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(len(bomb)))
		_, _ = w.Write(bomb)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

func TestAPIAnswer_OverTheCapIsNotRetried(t *testing.T) {
	var reqs atomic.Int64
	srv := bombServer(t, gzipBomb(t, 64<<20), &reqs)
	c, err := New(WithBaseURL(srv.URL), WithToken(testToken), WithRetry(RetryPolicy{MaxAttempts: 4, MinWait: time.Millisecond, MaxWait: time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Users.List(context.Background(), "db")
	if !errors.As(err, new(*http.MaxBytesError)) {
		t.Fatalf("got %v, want an error wrapping *http.MaxBytesError", err)
	}
	if n := reqs.Load(); n != 1 {
		t.Fatalf("%d requests, want 1: an answer over the cap is not retried", n)
	}
}

func TestReadCapped(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		wantErr bool
	}{
		{"empty", 0, false},
		{"small", 10, false},
		{"one chunk", 1 << 20, false},
		{"several chunks", 3<<20 + 17, false},
		{"at the cap", 4 << 20, false},
		{"one byte over", 4<<20 + 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := randomBytes(tt.n)
			var buf bytes.Buffer
			err := httpx.ReadCapped(&buf, iotest.HalfReader(bytes.NewReader(in)), 4<<20)
			if tt.wantErr {
				if !errors.As(err, new(*http.MaxBytesError)) {
					t.Fatalf("got %v, want *http.MaxBytesError", err)
				}
				return
			}
			if err != nil || !bytes.Equal(buf.Bytes(), in) {
				t.Fatalf("got %d bytes, %v", buf.Len(), err)
			}
			if buf.Cap() > 4<<20 {
				t.Errorf("buffer grew to %d bytes, past the cap", buf.Cap())
			}
		})
	}
}

// TestRedirects checks where Authorization goes when the API redirects.
func TestRedirects(t *testing.T) {
	var got sync.Map // server name -> Authorization seen
	target := func(name string) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got.Store(name, r.Header.Get("Authorization"))
			writeJSON(w, 200, `{"database-users":[]}`)
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	other := target("other origin")
	t.Run("another port drops the token", func(t *testing.T) {
		c, _, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
		})
		if _, err := c.Users.List(context.Background(), "db"); err != nil {
			t.Fatal(err)
		}
		if auth, ok := got.Load("other origin"); !ok || auth != "" {
			t.Fatalf("the other origin saw Authorization %q (reached: %t)", auth, ok)
		}
	})
	t.Run("same origin keeps the token", func(t *testing.T) {
		var seen atomic.Value
		c, _, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/api/moved" {
				http.Redirect(w, r, "/api/moved", http.StatusTemporaryRedirect)
				return
			}
			seen.Store(r.Header.Get("Authorization"))
			writeJSON(w, 200, `{"database-users":[]}`)
		})
		if _, err := c.Users.List(context.Background(), "db"); err != nil {
			t.Fatal(err)
		}
		if seen.Load() != "Bearer "+testToken {
			t.Fatalf("same origin saw Authorization %q", seen.Load())
		}
	})
	t.Run("https to http is refused", func(t *testing.T) {
		plain := target("plain http")
		tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusTemporaryRedirect)
		}))
		t.Cleanup(tlsSrv.Close)
		c, err := New(WithBaseURL(tlsSrv.URL), WithToken(testToken), WithHTTPClient(tlsSrv.Client()),
			WithRetry(RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: time.Millisecond}))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Users.List(context.Background(), "db")
		var re *RedirectError
		if !errors.As(err, &re) {
			t.Fatalf("got %v, want a *RedirectError", err)
		}
		if _, reached := got.Load("plain http"); reached {
			t.Fatal("the plain http server was reached")
		}
	})
	t.Run("download link https to http is refused", func(t *testing.T) {
		plain := target("plain download")
		var tlsSrv *httptest.Server
		tlsSrv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case strings.HasPrefix(r.URL.Path, "/api/backups/"):
				writeJSON(w, 200, `{"database_backup":{"id":"b1","status":"done","created_at":"2026-01-02T03:04:05Z","size":10}}`)
			case strings.HasSuffix(r.URL.Path, "/archive"):
				writeJSON(w, 200, `{"download_url":"`+tlsSrv.URL+`/dl?token=dl-SECRET"}`)
			default:
				http.Redirect(w, r, plain.URL+"/dl?token=dl-SECRET", http.StatusFound)
			}
		}))
		t.Cleanup(tlsSrv.Close)
		c, err := New(WithBaseURL(tlsSrv.URL), WithToken(testToken), WithHTTPClient(tlsSrv.Client()))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "b")
		if err := os.WriteFile(path, []byte("previous"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err = c.Backups.DownloadToFile(context.Background(), "db", "b1", path, fastDownloadRetry())
		var re *RedirectError
		if !errors.As(err, &re) || strings.Contains(err.Error(), "dl-SECRET") {
			t.Fatalf("got %v, want a *RedirectError without the token", err)
		}
		if got, _ := os.ReadFile(path); string(got) != "previous" {
			t.Fatalf("the destination changed: %q", got)
		}
		if _, reached := got.Load("plain download"); reached {
			t.Fatal("the plain http server was reached")
		}
	})
}

// TestRetryAfter_UnusableMeansBackoff answers 429 with unusable Retry-After
// values and checks the client still waits the backoff between attempts.
func TestRetryAfter_UnusableMeansBackoff(t *testing.T) {
	const minWait = 40 * time.Millisecond
	for _, v := range []string{"soon", "-3", "0", "Mon, 02 Jan 2006 15:04:05 GMT"} {
		t.Run(v, func(t *testing.T) {
			var mu sync.Mutex
			var times []time.Time
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				times = append(times, time.Now())
				mu.Unlock()
				w.Header().Set("Retry-After", v)
				writeJSON(w, 429, `{"error":"slow down"}`)
			}))
			t.Cleanup(srv.Close)
			c, err := New(WithBaseURL(srv.URL), WithToken(testToken), WithRetry(RetryPolicy{MaxAttempts: 3, MinWait: minWait, MaxWait: time.Second}))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Users.List(context.Background(), "db"); !errors.Is(err, ErrRateLimited) {
				t.Fatalf("got %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(times) != 3 {
				t.Fatalf("%d attempts, want 3", len(times))
			}
			// The backoff waits at least half of MinWait, then of 2×MinWait.
			for i, want := range []time.Duration{minWait / 2, minWait} {
				if gap := times[i+1].Sub(times[i]); gap < want {
					t.Errorf("attempt %d came %v after the previous one, want at least %v", i+2, gap, want)
				}
			}
		})
	}
}

func TestSignedURL_RedactedUnderEveryVerb(t *testing.T) {
	s := newSignedURL("https://db-api.example/api/databases/d/backups/b/download?token=tok-SECRET")
	type holder struct {
		Link SignedURL
		N    int
	}
	outputs := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x", "%X", "%T %v", "%10.3s", "%t", "%e"} {
		outputs[verb] = fmt.Sprintf(verb, s)
		outputs[verb+" struct"] = fmt.Sprintf(verb, holder{Link: s, N: 1})
		outputs[verb+" pointer to struct"] = fmt.Sprintf(verb, &holder{Link: s})
		outputs[verb+" slice"] = fmt.Sprintf(verb, []SignedURL{s})
		outputs[verb+" map"] = fmt.Sprintf(verb, map[string]SignedURL{"k": s})
	}
	for name, out := range outputs {
		if strings.Contains(out, "tok-SECRET") {
			t.Errorf("%s prints the token: %s", name, out)
		}
	}
	if d := fmt.Sprintf("%d", s); !strings.Contains(d, "db-api.example") {
		t.Errorf("%%d prints %q, want the URL without its query", d)
	}
}

func TestSecret_RedactedUnderEveryVerb(t *testing.T) {
	const pw = "K_gaef6ripo7Ao4Uaxai6Kiey"
	s := NewSecret(pw)
	for _, verb := range []string{"%d", "%x", "%v", "%10s", "%e"} {
		for _, v := range []any{s, []Secret{s}, map[string]Secret{"k": s}, struct{ P Secret }{s}} {
			if out := fmt.Sprintf(verb, v); strings.Contains(out, pw) {
				t.Errorf("%s prints the secret: %s", verb, out)
			}
		}
	}
}

func TestBackupsService_WaitTimeout(t *testing.T) {
	var polls atomic.Int64
	handler := func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			writeJSON(w, 201, `{"database_backup":{"id":"b9","status":"scheduled","created_at":"2026-01-02T03:04:05Z","created_at":"2024-01-01T00:00:00Z"}}`)
			return
		}
		polls.Add(1)
		writeJSON(w, 200, `{"database_backup":{"id":"b9","status":"running","created_at":"2026-01-02T03:04:05Z","created_at":"2024-01-01T00:00:00Z"}}`)
	}
	tests := []struct {
		name string
		call func(ctx context.Context, c *Client, opts ...WaitOption) (*Backup, error)
	}{
		{"Wait", func(ctx context.Context, c *Client, opts ...WaitOption) (*Backup, error) {
			return c.Backups.Wait(ctx, "b9", opts...)
		}},
		{"CreateAndWait", func(ctx context.Context, c *Client, opts ...WaitOption) (*Backup, error) {
			return c.Backups.CreateAndWait(ctx, "db", opts...)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, _ := newTestClient(t, handler)
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			var seen []BackupStatus
			b, err := tt.call(ctx, c, WithPollInterval(5*time.Millisecond, 5*time.Millisecond),
				WithPollCallback(func(e PollEvent) { seen = append(seen, BackupStatus(e.State)) }))
			var we *WaitError
			if !errors.As(err, &we) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("got %v, want a *WaitError wrapping context.DeadlineExceeded", err)
			}
			if diff := cmp.Diff(WaitError{Resource: "backup", ID: "b9", LastState: string(BackupRunning), Err: context.DeadlineExceeded}, *we, cmp.Comparer(func(a, b error) bool { return errors.Is(a, b) })); diff != "" {
				t.Errorf("WaitError (-want +got):\n%s", diff)
			}
			if b == nil || b.ID != "b9" || b.Status != BackupRunning {
				t.Fatalf("got backup %+v, want b9 as last seen", b)
			}
			if len(seen) == 0 || seen[len(seen)-1] != BackupRunning {
				t.Errorf("poll callback saw %v", seen)
			}
			if !strings.Contains(err.Error(), "b9") {
				t.Errorf("error %q does not name the backup", err)
			}
		})
	}
}

func TestAPIError_NotFoundSaysWhat(t *testing.T) {
	tests := []struct {
		name string
		body string
		call func(c *Client) error
		want []string
	}{
		{"resource in the body", `{"resource":"database","error":"not found"}`,
			func(c *Client) error { _, err := c.Databases.Get(context.Background(), "my-db-9"); return err },
			[]string{"getDatabase", "database", "my-db-9"}},
		{"no resource: the path names it", `{"error":"not found"}`,
			func(c *Client) error { _, err := c.Backups.Get(context.Background(), "b-404"); return err },
			[]string{"getBackup", "/backups/b-404"}},
		{"user", `{"error":"not found"}`,
			func(c *Client) error { return c.Users.Delete(context.Background(), "db-1", "someone") },
			[]string{"db-1", "someone"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, _ := newTestClient(t, fixed(404, tt.body))
			err := tt.call(c)
			if !errors.Is(err, ErrNotFound) {
				t.Fatalf("got %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// slowWriter takes its time with each write, like a pipe to a busy encrypter.
type slowWriter struct {
	bytes.Buffer
	delay time.Duration
}

func (w *slowWriter) Write(p []byte) (int, error) {
	time.Sleep(w.delay)
	return w.Buffer.Write(p)
}

func TestDownload_SlowWriterIsNoStall(t *testing.T) {
	data := randomBytes(1 << 20)
	h := &downloadHost{size: int64(len(data)), dl: func(w http.ResponseWriter, r *http.Request) { serveVersion(w, r, data, `"v1"`) }}
	c := hostClient(t, h)
	out := &slowWriter{delay: 60 * time.Millisecond}
	if _, err := c.Backups.Download(context.Background(), "db", "b1", out, WithStallTimeout(30*time.Millisecond), fastDownloadRetry()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), data) {
		t.Fatal("the stream differs from the archive")
	}
	if n := h.reqs.Load(); n != 1 {
		t.Errorf("%d requests, want 1: a slow destination is not a stalled connection", n)
	}
}
