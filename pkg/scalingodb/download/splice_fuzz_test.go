package download

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// spliceHost answers each request after a script: the version it serves
// (two files of one size), whether it gives a strong ETag, a weak one, a
// Last-Modified only or no validator, whether it honours Range, and where
// it cuts the answer.
type spliceHost struct {
	mu     sync.Mutex
	script []byte
	n      int
}

// next returns the script's next byte (0 once it is spent: an honest,
// complete answer of the first version).
func (h *spliceHost) next() byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.n >= len(h.script) {
		return 0
	}
	b := h.script[h.n]
	h.n++
	return b
}

// FuzzDownload_NeverSplices plays a host whose file changes, whose
// validators come and go and whose answers are cut anywhere: a download
// that succeeds (ToWriterAt, over 1 or 3 connections, and ToFile) must
// hold one version whole, never parts of two.
func FuzzDownload_NeverSplices(f *testing.F) {
	const size = 800 << 10 // three buffers of 256 KiB: WithParallel(3) splits it
	v := [2][]byte{randomBytes(size), bytes.Repeat([]byte{0x5a}, size)}
	lastMod := [2]time.Time{time.Date(2025, 12, 1, 3, 15, 0, 0, time.UTC), time.Date(2025, 12, 2, 3, 15, 0, 0, time.UTC)}
	h := &spliceHost{}
	src := serve(f, size, func(w http.ResponseWriter, r *http.Request) {
		b := h.next()
		ver := int(b & 1)
		var mod time.Time // ServeContent sends it as Last-Modified, and checks If-Range dates against it
		switch (b >> 1) & 3 {
		case 0:
			w.Header().Set("ETag", []string{`"a"`, `"b"`}[ver])
		case 1:
			w.Header().Set("ETag", []string{`W/"a"`, `W/"b"`}[ver])
			mod = lastMod[ver]
		case 2:
			mod = lastMod[ver]
		}
		if b&8 != 0 {
			r.Header.Del("Range") // a host that ignores Range
		}
		rw := w
		if b&16 != 0 {
			rw = &cuttingWriter{ResponseWriter: w, Limit: int(b>>5) * (size / 9)}
		}
		http.ServeContent(rw, r, "", mod, bytes.NewReader(v[ver]))
	})
	f.Add([]byte{0, 0, 0}, uint8(0))
	f.Add([]byte{16 + 32, 1, 0}, uint8(1))
	f.Add([]byte{16 + 64, 17 + 96, 1, 0, 1}, uint8(2))
	f.Add([]byte{4 + 16 + 32, 5, 4}, uint8(1))
	f.Add([]byte{8 + 16 + 64, 9, 8}, uint8(0))
	dir := f.TempDir()
	retry := WithRetry(RetryPolicy{MaxAttempts: 4, MinWait: time.Microsecond, MaxWait: time.Microsecond})
	f.Fuzz(func(t *testing.T, script []byte, mode uint8) {
		if len(script) > 32 {
			return
		}
		h.mu.Lock()
		h.script, h.n = script, 0
		h.mu.Unlock()
		var got []byte
		var err error
		switch mode % 3 {
		case 0, 1:
			dst := &memAt{}
			_, err = ToWriterAt(context.Background(), src, dst, retry, WithParallel(1+2*int(mode%3)))
			got = dst.Bytes()
		case 2:
			path := filepath.Join(dir, "b.tar.gz")
			for range 2 { // a failed call, then one that may resume it
				if _, err = ToFile(context.Background(), src, path, retry, WithParallel(2)); err == nil {
					break
				}
			}
			got, _ = os.ReadFile(path)
			_ = os.Remove(path)
			_ = os.Remove(path + partSuffix)
			_ = os.Remove(path + stateSuffix)
		}
		if err == nil && !bytes.Equal(got, v[0]) && !bytes.Equal(got, v[1]) {
			t.Fatalf("script %v, mode %d: the download succeeded with %d bytes of neither version", script, mode%3, len(got))
		}
	})
}
