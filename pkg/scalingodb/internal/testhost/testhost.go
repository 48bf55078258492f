// Package testhost holds the pieces that the tests of package scalingodb
// and package download share to play a download host: files of random
// bytes, answers cut halfway, and io.WriterAt destinations. Only tests
// import it.
package testhost

import (
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
)

// RandomBytes returns n bytes of a fixed pseudo-random sequence.
func RandomBytes(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// CuttingWriter is a ResponseWriter that cuts the connection after Limit
// body bytes, as a network failure would.
type CuttingWriter struct {
	http.ResponseWriter
	// Limit is how many body bytes go through before the cut.
	Limit   int
	written int
	cut     bool
}

// Write writes p up to the limit, then cuts the connection.
func (w *CuttingWriter) Write(p []byte) (int, error) {
	if w.cut {
		return 0, io.ErrClosedPipe
	}
	if w.written+len(p) <= w.Limit {
		w.written += len(p)
		return w.ResponseWriter.Write(p)
	}
	n, _ := w.ResponseWriter.Write(p[:w.Limit-w.written])
	w.written += n
	w.ResponseWriter.(http.Flusher).Flush()
	if conn, _, err := w.ResponseWriter.(http.Hijacker).Hijack(); err == nil {
		conn.Close()
	}
	w.cut = true
	return n, io.ErrClosedPipe
}

// MemAt is an io.WriterAt into memory, safe for concurrent writers.
type MemAt struct {
	mu  sync.Mutex
	buf []byte
}

// WriteAt writes p at off, growing the buffer as needed.
func (m *MemAt) WriteAt(p []byte, off int64) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if end := off + int64(len(p)); end > int64(len(m.buf)) {
		m.buf = append(m.buf, make([]byte, end-int64(len(m.buf)))...)
	}
	copy(m.buf[off:], p)
	return len(p), nil
}

// Bytes returns what was written.
func (m *MemAt) Bytes() []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.buf
}

// DiscardAt is an io.WriterAt that drops what it is given.
type DiscardAt struct{}

// WriteAt drops p.
func (DiscardAt) WriteAt(p []byte, _ int64) (int, error) { return len(p), nil }
