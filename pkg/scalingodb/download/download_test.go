package download

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/testhost"
)

// linkToken is the credential in the test links' query: it must never
// appear in an error.
const linkToken = "dl-SECRET"

// serve starts a host whose /dl answers with dl, and returns the Source
// of a file of the given size behind a link that carries linkToken.
func serve(t testing.TB, size int64, dl http.HandlerFunc) Source {
	t.Helper()
	srv := httptest.NewServer(dl)
	t.Cleanup(srv.Close)
	return Source{URL: srv.URL + "/dl?token=" + linkToken, Size: size, ID: "b1", Operation: "downloadBackup"}
}

// serveVersion serves data like a careful host: ETag, Range and If-Range.
func serveVersion(w http.ResponseWriter, r *http.Request, data []byte, etag string) {
	w.Header().Set("ETag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}

// The shared pieces of a download host (package internal/testhost).
type (
	memAt         = testhost.MemAt
	cuttingWriter = testhost.CuttingWriter
	discardAt     = testhost.DiscardAt
)

var randomBytes = testhost.RandomBytes

var fast = WithRetry(RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: time.Millisecond})

// TestToWriterAt covers what the downloader promises from a link and a
// size alone: the whole file, resumed after cuts, over ranged connections;
// a file that runs past the size, or falls short of it, is a
// *ResponseError; a host error is an *APIError; no error holds the link's
// token.
func TestToWriterAt(t *testing.T) {
	data := randomBytes(3 << 20)
	v2 := randomBytes(len(data))
	tests := []struct {
		name    string
		size    int64
		opts    []Option
		dl      func(n int64, w http.ResponseWriter, r *http.Request) // n: the request's number, from 1
		wantErr error
		wantAs  any
	}{
		{name: "whole", size: int64(len(data)),
			dl: func(_ int64, w http.ResponseWriter, r *http.Request) { serveVersion(w, r, data, `"v1"`) }},
		{name: "parallel", size: int64(len(data)), opts: []Option{WithParallel(4)},
			dl: func(_ int64, w http.ResponseWriter, r *http.Request) { serveVersion(w, r, data, `"v1"`) }},
		{name: "cut twice, resumed", size: int64(len(data)),
			dl: func(n int64, w http.ResponseWriter, r *http.Request) {
				if n <= 2 {
					serveVersion(&cuttingWriter{ResponseWriter: w, Limit: 100 << 10}, r, data, `"v1"`)
					return
				}
				serveVersion(w, r, data, `"v1"`)
			}},
		{name: "changed once, started again", size: int64(len(data)),
			dl: func(n int64, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					serveVersion(&cuttingWriter{ResponseWriter: w, Limit: 100 << 10}, r, v2, `"v2"`)
					return
				}
				serveVersion(w, r, data, `"v1"`)
			}},
		{name: "past the size", size: int64(len(data)) - 1, wantErr: httpx.ErrMalformedResponse, wantAs: new(*http.MaxBytesError),
			dl: func(_ int64, w http.ResponseWriter, r *http.Request) { serveVersion(w, r, data, `"v1"`) }},
		{name: "short of the size", size: int64(len(data)) + 1, wantErr: httpx.ErrMalformedResponse, wantAs: new(*httpx.ResponseError),
			dl: func(_ int64, w http.ResponseWriter, r *http.Request) { serveVersion(w, r, data, `"v1"`) }},
		{name: "host error", size: int64(len(data)), wantErr: httpx.ErrNotFound, wantAs: new(*httpx.APIError),
			dl: func(_ int64, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNotFound) }},
		{name: "changed twice", size: int64(len(data)), wantErr: ErrArchiveChanged, wantAs: new(*ArchiveChangedError),
			dl: func(n int64, w http.ResponseWriter, r *http.Request) {
				body := [][]byte{data, v2}[n%2]
				serveVersion(&cuttingWriter{ResponseWriter: w, Limit: 100 << 10}, r, body, []string{`"v1"`, `"v2"`}[n%2])
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var reqs atomic.Int64
			src := serve(t, tt.size, func(w http.ResponseWriter, r *http.Request) { tt.dl(reqs.Add(1), w, r) })
			dst := &memAt{}
			n, err := ToWriterAt(context.Background(), src, dst, append([]Option{fast}, tt.opts...)...)
			if tt.wantErr == nil {
				if err != nil || n != int64(len(data)) || !bytes.Equal(dst.Bytes(), data) {
					t.Fatalf("got %d bytes, %v; equal to the file: %t", n, err, bytes.Equal(dst.Bytes(), data))
				}
				return
			}
			if !errors.Is(err, tt.wantErr) || !errors.As(err, tt.wantAs) {
				t.Fatalf("got %v, want %v and %T", err, tt.wantErr, tt.wantAs)
			}
			if strings.Contains(err.Error(), linkToken) || !strings.HasPrefix(err.Error(), "scalingodb: downloadBackup: ") {
				t.Errorf("error %q leaks the token or does not name the operation", err)
			}
		})
	}
}

// TestToWriter streams in order, and cannot take back what the writer
// received when the file changes after the first bytes.
func TestToWriter(t *testing.T) {
	data, v2 := randomBytes(1<<20), randomBytes(1<<20)
	var reqs atomic.Int64
	src := serve(t, int64(len(data)), func(w http.ResponseWriter, r *http.Request) {
		if reqs.Add(1) == 1 {
			serveVersion(&cuttingWriter{ResponseWriter: w, Limit: 100 << 10}, r, data, `"v1"`)
			return
		}
		serveVersion(w, r, v2, `"v2"`)
	})
	var buf bytes.Buffer
	n, err := ToWriter(context.Background(), src, &buf, fast)
	var ce *ArchiveChangedError
	if !errors.As(err, &ce) || ce.Written != n || n != int64(buf.Len()) || ce.BackupID != "b1" {
		t.Fatalf("changed stream: got %d bytes, %v", n, err)
	}
	src2 := serve(t, int64(len(data)), func(w http.ResponseWriter, r *http.Request) { serveVersion(w, r, data, `"v1"`) })
	buf.Reset()
	if n, err := ToWriter(context.Background(), src2, &buf); err != nil || n != int64(len(data)) || !bytes.Equal(buf.Bytes(), data) {
		t.Fatalf("whole stream: %d, %v", n, err)
	}
}

// TestRefresh renews an expired link after a 403, through Source.Refresh.
func TestRefresh(t *testing.T) {
	data := randomBytes(512 << 10)
	src := serve(t, int64(len(data)), func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("token") != "fresh" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		serveVersion(w, r, data, `"v1"`)
	})
	fresh := strings.Replace(src.URL, linkToken, "fresh", 1)
	var refreshed atomic.Int64
	src.Refresh = func(context.Context) (string, error) { refreshed.Add(1); return fresh, nil }
	dst := &memAt{}
	if _, err := ToWriterAt(context.Background(), src, dst, fast); err != nil || !bytes.Equal(dst.Bytes(), data) || refreshed.Load() != 1 {
		t.Fatalf("got %v, %d refreshes", err, refreshed.Load())
	}
	src.Refresh = nil
	if _, err := ToWriterAt(context.Background(), src, &memAt{}, fast); !errors.Is(err, httpx.ErrForbidden) {
		t.Fatalf("without Refresh: got %v, want ErrForbidden", err)
	}
}

// TestInvalidInput refuses before sending anything.
func TestInvalidInput(t *testing.T) {
	ok := Source{URL: "http://127.0.0.1:1/dl", Size: 1}
	tests := []struct {
		name string
		run  func() error
	}{
		{"nil WriterAt", func() error { _, err := ToWriterAt(context.Background(), ok, nil); return err }},
		{"nil Writer", func() error { _, err := ToWriter(context.Background(), ok, nil); return err }},
		{"empty path", func() error { _, err := ToFile(context.Background(), ok, ""); return err }},
		{"negative size", func() error {
			_, err := ToWriterAt(context.Background(), Source{URL: ok.URL, Size: -1}, &memAt{})
			return err
		}},
		{"relative link", func() error {
			_, err := ToWriterAt(context.Background(), Source{URL: "/dl", Size: 1}, &memAt{})
			return err
		}},
	}
	for _, tt := range tests {
		if err := tt.run(); !errors.Is(err, httpx.ErrInvalidInput) {
			t.Errorf("%s: got %v, want ErrInvalidInput", tt.name, err)
		}
	}
}

// TestToFile downloads atomically: a failure leaves the destination as
// it was, and the next call resumes from the sidecar.
func TestToFile(t *testing.T) {
	data := randomBytes(2 << 20)
	var broken atomic.Bool
	broken.Store(true)
	src := serve(t, int64(len(data)), func(w http.ResponseWriter, r *http.Request) {
		if broken.Load() {
			serveVersion(&cuttingWriter{ResponseWriter: w, Limit: 1 << 20}, r, data, `"v1"`)
			return
		}
		serveVersion(w, r, data, `"v1"`)
	})
	path := filepath.Join(t.TempDir(), "b.tar.gz")
	if err := os.WriteFile(path, []byte("last night's"), 0o600); err != nil {
		t.Fatal(err)
	}
	once := WithRetry(RetryPolicy{MaxAttempts: 1})
	if _, err := ToFile(context.Background(), src, path, once); err == nil {
		t.Fatal("cut download: want an error")
	}
	if got, _ := os.ReadFile(path); string(got) != "last night's" {
		t.Fatalf("the destination changed after a failure: %q", got)
	}
	if _, err := os.Stat(path + stateSuffix); err != nil {
		t.Fatalf("no sidecar to resume from: %v", err)
	}
	broken.Store(false)
	var first int64 = -1
	progress := WithProgress(func(done, _ int64) {
		if first < 0 {
			first = done
		}
	})
	if n, err := ToFile(context.Background(), src, path, progress); err != nil || n != int64(len(data)) {
		t.Fatalf("resume: %d, %v", n, err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, data) {
		t.Fatal("the file differs from the source")
	}
	if first < 1<<20 {
		t.Errorf("the resume started from %d bytes, want at least the 1 MiB already there", first)
	}
}

func TestParseContentRange(t *testing.T) {
	tests := []struct {
		in          string
		s, e, total int64
		ok          bool
	}{
		{"bytes 0-1023/17484513608", 0, 1023, 17484513608, true},
		{"bytes 10-10/11", 10, 10, 11, true},
		{"bytes 10-9/11", 0, 0, 0, false},
		{"bytes 0-10/10", 0, 0, 0, false},
		{"bytes */10", 0, 0, 0, false},
		{"items 0-1/2", 0, 0, 0, false},
		{"", 0, 0, 0, false},
	}
	for _, tt := range tests {
		s, e, total, ok := parseContentRange(tt.in)
		if s != tt.s || e != tt.e || total != tt.total || ok != tt.ok {
			t.Errorf("parseContentRange(%q) = %d, %d, %d, %v", tt.in, s, e, total, ok)
		}
	}
}

// TestToFile_Fsyncs counts the fsyncs of a download to a file: a file
// that completes before the first checkpoint needs no sidecar and no fsync
// but one of the file and one of its folder at the rename.
func TestToFile_Fsyncs(t *testing.T) {
	tests := []struct {
		name string
		size int
		max  int
	}{
		{"1.2 MB", 1_200_000, 2},
		{"one checkpoint", checkpointEvery + 1<<20, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := randomBytes(tt.size)
			src := serve(t, int64(len(data)), func(w http.ResponseWriter, r *http.Request) { serveVersion(w, r, data, `"v1"`) })
			dir := t.TempDir()
			var mu sync.Mutex
			var synced []string
			syncHook = func(f *os.File) error {
				mu.Lock()
				synced = append(synced, filepath.Base(f.Name()))
				mu.Unlock()
				return f.Sync()
			}
			t.Cleanup(func() { syncHook = nil })
			path := filepath.Join(dir, "b.tar.gz")
			if _, err := ToFile(context.Background(), src, path); err != nil {
				t.Fatal(err)
			}
			if got, _ := os.ReadFile(path); !bytes.Equal(got, data) {
				t.Fatal("the file differs from the source")
			}
			mu.Lock()
			defer mu.Unlock()
			if len(synced) > tt.max {
				t.Errorf("%d fsyncs %v, want at most %d", len(synced), synced, tt.max)
			}
			if n := len(synced); n < 2 || synced[n-2] != "b.tar.gz.partial" || synced[n-1] != filepath.Base(dir) {
				t.Errorf("fsyncs %v: want the partial file, then its folder, last", synced)
			}
		})
	}
}

// TestPartFile_CheckpointClaimsOnlySyncedBytes writes while a checkpoint
// syncs: the sidecar must not claim what was written after the snapshot
// that the sync covers.
func TestPartFile_CheckpointClaimsOnlySyncedBytes(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "b.tar.gz")
	f, err := os.OpenFile(path+partSuffix, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := newDownloader(Source{URL: "http://127.0.0.1:1/dl", Size: 100, ID: "b1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.seen, d.etag = true, `"v1"`
	sg := newSegment(0, 100)
	d.segs = []*segment{sg}
	if _, err := f.WriteAt(make([]byte, 50), 0); err != nil {
		t.Fatal(err)
	}
	sg.off.Store(50)
	p := &partFile{path: path, part: path + partSuffix, state: path + stateSuffix, d: d, f: f}
	p.sync = func(f *os.File) error {
		// 30 more bytes arrive while the sync runs.
		if _, err := f.WriteAt(make([]byte, 30), 50); err != nil {
			return err
		}
		sg.off.Store(80)
		return f.Sync()
	}
	if err := p.checkpoint(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path + stateSuffix)
	if err != nil {
		t.Fatal(err)
	}
	var st partState
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][2]int64{{0, 50}}, st.Done); diff != "" {
		t.Errorf("claimed ranges (-want +got):\n%s", diff)
	}
}

// BenchmarkToWriterAt downloads 64 MiB from a host in the test process
// over one and four ranged connections, into a discarding io.WriterAt:
// the downloader's own cost beside the loopback's.
func BenchmarkToWriterAt(b *testing.B) {
	data := randomBytes(64 << 20)
	src := serve(b, int64(len(data)), func(w http.ResponseWriter, r *http.Request) { serveVersion(w, r, data, `"v1"`) })
	for _, n := range []int{1, 4} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if got, err := ToWriterAt(context.Background(), src, discardAt{}, WithParallel(n)); err != nil || got != int64(len(data)) {
					b.Fatal(got, err)
				}
			}
		})
	}
}

// TestToFile_EmptyIDNeverResumes: with no Source.ID nothing tells two
// files of the same size apart, so ToFile neither resumes a sidecar nor
// writes one: a complete partial file of another file at the path is
// downloaded over, never renamed as this one; a cut download leaves no
// sidecar.
func TestToFile_EmptyIDNeverResumes(t *testing.T) {
	other, data := bytes.Repeat([]byte("other file "), 1<<20/11+1)[:1<<20], randomBytes(1<<20)
	modTime := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
	}{
		// Written the same second as this one, on a host that sends
		// Last-Modified and no ETag: If-Range cannot tell them apart.
		{"a complete partial file of another file", func(t *testing.T, path string) {
			st, err := json.Marshal(partState{Version: partStateVersion, BackupID: "", Size: int64(len(other)), LastModified: modTime.Format(http.TimeFormat), Done: [][2]int64{{0, int64(len(other))}}})
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path+partSuffix, other, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path+stateSuffix, st, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"a cut download of another file", func(t *testing.T, path string) {
			src := serve(t, int64(len(other)), func(w http.ResponseWriter, r *http.Request) {
				serveVersion(&cuttingWriter{ResponseWriter: w, Limit: 1 << 19}, r, other, `"other"`)
			})
			src.ID = ""
			if _, err := ToFile(context.Background(), src, path, WithRetry(RetryPolicy{MaxAttempts: 1})); err == nil {
				t.Fatal("cut download: want an error")
			}
			for _, left := range []string{path + stateSuffix, path + partSuffix} {
				if _, err := os.Stat(left); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("a download without ID left %s (%v), which no call resumes", filepath.Base(left), err)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f")
			tt.setup(t, path)
			var requests atomic.Int64
			src := serve(t, int64(len(data)), func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				http.ServeContent(w, r, "", modTime, bytes.NewReader(data))
			})
			src.ID = ""
			if n, err := ToFile(context.Background(), src, path, fast); err != nil || n != int64(len(data)) {
				t.Fatalf("ToFile: %d, %v", n, err)
			}
			if got, _ := os.ReadFile(path); !bytes.Equal(got, data) {
				t.Errorf("the file is not this source's (%d requests): another file's bytes were resumed", requests.Load())
			}
			if _, err := os.Stat(path + stateSuffix); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a sidecar is left (%v)", err)
			}
		})
	}
}
