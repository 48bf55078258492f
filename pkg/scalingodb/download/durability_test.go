package download

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestToFile_FsyncErrorIsNeverResumed fails one fsync of the partial file,
// as Linux reports a lost writeback once and then lets the next fsync
// succeed: the bytes written before the failure may not be on the disk, so
// the call must fail, leave the destination as it was, and no sidecar may
// claim those bytes (the next call fetches the whole archive again).
func TestToFile_FsyncErrorIsNeverResumed(t *testing.T) {
	tests := []struct {
		name string
		size int
		// pause, when set, holds the answer after that many bytes until the
		// failing fsync has run (a checkpoint's, in the background).
		pause int
	}{
		{name: "the final sync", size: 1 << 20},
		{name: "a checkpoint's sync", size: checkpointEvery + 2<<20, pause: checkpointEvery + 1<<20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := randomBytes(tt.size)
			var ranges []string // the Range of each request
			var mu sync.Mutex
			var failing atomic.Bool
			failing.Store(true)
			failed := make(chan struct{})
			var once sync.Once
			syncHook = func(f *os.File) error {
				if failing.Load() && strings.HasSuffix(f.Name(), partSuffix) {
					failed := false
					once.Do(func() { failed = true })
					if failed {
						return &os.PathError{Op: "fsync", Path: f.Name(), Err: syscall.EIO}
					}
				}
				return f.Sync()
			}
			t.Cleanup(func() { syncHook = nil })
			var sig sync.Once
			src := serve(t, int64(len(data)), func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				ranges = append(ranges, r.Header.Get("Range"))
				mu.Unlock()
				if tt.pause == 0 || !failing.Load() || r.Header.Get("Range") != "bytes=0-" {
					serveVersion(w, r, data, `"v1"`)
					return
				}
				w.Header().Set("ETag", `"v1"`)
				w.Header().Set("Content-Length", strconv.Itoa(len(data)))
				_, _ = w.Write(data[:tt.pause])
				w.(http.Flusher).Flush()
				select {
				case <-failed:
				case <-time.After(10 * time.Second):
				case <-r.Context().Done():
					return
				}
				_, _ = w.Write(data[tt.pause:])
			})
			if tt.pause > 0 {
				// The hook signals the host once the checkpoint's sync failed.
				inner := syncHook
				syncHook = func(f *os.File) error {
					err := inner(f)
					if err != nil {
						sig.Do(func() { close(failed) })
					}
					return err
				}
			}
			path := filepath.Join(t.TempDir(), "b.tar.gz")
			if err := os.WriteFile(path, []byte("last night's"), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := ToFile(context.Background(), src, path, fast)
			if !errors.Is(err, syscall.EIO) {
				t.Fatalf("ToFile after a failed fsync: %v, want an error wrapping EIO", err)
			}
			if got, _ := os.ReadFile(path); string(got) != "last night's" {
				t.Fatalf("the destination changed after a failed fsync: %d bytes", len(got))
			}
			if _, err := os.Stat(path + stateSuffix); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a sidecar claims bytes written before a failed fsync (stat: %v)", err)
			}
			failing.Store(false)
			mu.Lock()
			ranges = nil
			mu.Unlock()
			if n, err := ToFile(context.Background(), src, path, fast); err != nil || n != int64(len(data)) {
				t.Fatalf("the next call: %d, %v", n, err)
			}
			if got, _ := os.ReadFile(path); !bytes.Equal(got, data) {
				t.Fatal("the file differs from the source")
			}
			mu.Lock()
			defer mu.Unlock()
			if len(ranges) == 0 || ranges[0] != "bytes=0-" {
				t.Errorf("the next call asked for %q, want the whole archive again (bytes=0-)", ranges)
			}
		})
	}
}

// halfWriter accepts half of each write and, against the io.Writer
// contract, reports no error: a broken destination.
type halfWriter struct{ n int64 }

func (w *halfWriter) Write(p []byte) (int, error) {
	k := (len(p) + 1) / 2
	w.n += int64(k)
	return k, nil
}

func (w *halfWriter) WriteAt(p []byte, _ int64) (int, error) { return w.Write(p) }

// TestDownload_ShortWriteFails: a destination that takes fewer bytes than
// it was given, even without an error, must fail the download, never let
// it pass as whole.
func TestDownload_ShortWriteFails(t *testing.T) {
	data := randomBytes(300 << 10)
	src := serve(t, int64(len(data)), func(w http.ResponseWriter, r *http.Request) { serveVersion(w, r, data, `"v1"`) })
	tests := []struct {
		name string
		run  func(w *halfWriter) (int64, error)
	}{
		{"ToWriter", func(w *halfWriter) (int64, error) { return ToWriter(context.Background(), src, w, fast) }},
		{"ToWriterAt", func(w *halfWriter) (int64, error) { return ToWriterAt(context.Background(), src, w, fast) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &halfWriter{}
			n, err := tt.run(w)
			if !errors.Is(err, io.ErrShortWrite) {
				t.Errorf("got %d bytes (%d written), %v; want io.ErrShortWrite", n, w.n, err)
			}
		})
	}
}

// TestToFile_PartialFileLongerThanTheArchive: a partial file that holds
// bytes past the archive's size (written by something else) beside a
// sidecar that proves its first bytes: the call resumes and completes
// instead of failing at every call on the file's size.
func TestToFile_PartialFileLongerThanTheArchive(t *testing.T) {
	data := randomBytes(1 << 20)
	src := serve(t, int64(len(data)), func(w http.ResponseWriter, r *http.Request) { serveVersion(w, r, data, `"v1"`) })
	path := filepath.Join(t.TempDir(), "b.tar.gz")
	part := append(append([]byte(nil), data[:1000]...), make([]byte, len(data))...) // 1000 good bytes, then junk past the end
	if err := os.WriteFile(path+partSuffix, part, 0o600); err != nil {
		t.Fatal(err)
	}
	st := `{"version":2,"backup_id":"b1","size":` + strconv.Itoa(len(data)) + `,"etag":"\"v1\"","done":[[0,1000]]}`
	if err := os.WriteFile(path+stateSuffix, []byte(st), 0o600); err != nil {
		t.Fatal(err)
	}
	if n, err := ToFile(context.Background(), src, path, fast); err != nil || n != int64(len(data)) {
		t.Fatalf("ToFile: %d, %v", n, err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, data) {
		t.Fatal("the file differs from the source")
	}
}
