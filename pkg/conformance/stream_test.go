package conformance_test

import (
	"bytes"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// archivePath is a download URL of the spec; its pre-signed token is not checked here.
const archivePath = "/api/databases/my-db-123/backups/b1/download?token=t"

// stalledArchive serves a binary archive in two parts and waits between them until the test has
// read the first: a component that buffered the whole body would hold the client until the wait
// times out.
type stalledArchive struct {
	first, rest []byte
	release     chan struct{}
	timedOut    atomic.Bool
}

func newStalledArchive() *stalledArchive {
	return &stalledArchive{
		first:   bytes.Repeat([]byte("PGDMP\x00\xff"), 1<<19), // ~3.7 MB, not UTF-8
		rest:    bytes.Repeat([]byte{0xfe}, 2<<20),
		release: make(chan struct{}),
	}
}

func (a *stalledArchive) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Accept-Ranges", "bytes")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(a.first)
	_ = http.NewResponseController(w).Flush()
	select {
	case <-a.release:
	case <-time.After(20 * time.Second): // only reached when something buffers the body
		a.timedOut.Store(true)
	}
	_, _ = w.Write(a.rest)
}

// read reads resp: the first part must arrive before the archive is released, and every byte must
// come through unchanged. who names the component under test in failures.
func (a *stalledArchive) read(t *testing.T, resp *http.Response, who string) {
	t.Helper()
	defer resp.Body.Close()
	head := make([]byte, len(a.first))
	if _, err := io.ReadFull(resp.Body, head); err != nil {
		t.Fatal(err)
	}
	close(a.release)
	tail, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if a.timedOut.Load() {
		t.Errorf("%s held the binary body until the server finished", who)
	}
	if !bytes.Equal(head, a.first) || !bytes.Equal(tail, a.rest) {
		t.Errorf("body differs: %d + %d bytes", len(head), len(tail))
	}
}
