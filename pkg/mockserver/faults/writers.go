package faults

import (
	"errors"
	"net/http"
	"strconv"
)

// discardWriter runs an operation whose answer a fault replaces.
type discardWriter struct {
	header http.Header
	status int
}

func (d *discardWriter) Header() http.Header { return d.header }
func (d *discardWriter) Write(p []byte) (int, error) {
	if d.status == 0 {
		d.status = http.StatusOK
	}
	return len(p), nil
}
func (d *discardWriter) WriteHeader(code int) {
	if d.status == 0 {
		d.status = code
	}
}

var errReset = errors.New("faults: connection reset by fault injection")

// resetWriter passes the headers and the first half of the body through, then cuts the connection.
// The status line and headers are held until the first byte of the body: an answer without a body
// (a 204, an empty 200) is cut before its status line, as a real failure would be, never sent in
// full on a connection then closed, which a client would put back in its pool.
type resetWriter struct {
	http.ResponseWriter
	limit       int64 // bytes of body to let through; -1 until known
	written     int64
	status      int
	wroteHeader bool // the handler wrote its header (held until sentHeader)
	sentHeader  bool // the header was passed to the connection
	done        bool
	beforeCut   func()
}

func (rw *resetWriter) WriteHeader(code int) {
	if rw.wroteHeader || code < 200 {
		return
	}
	rw.wroteHeader, rw.status = true, code
	if n, err := strconv.ParseInt(rw.Header().Get("Content-Length"), 10, 64); err == nil {
		rw.limit = n / 2
	}
}

func (rw *resetWriter) Write(p []byte) (int, error) {
	if rw.done {
		return 0, errReset
	}
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if !rw.sentHeader {
		rw.sentHeader = true
		rw.ResponseWriter.WriteHeader(rw.status)
	}
	if rw.limit < 0 {
		rw.limit = int64(len(p)) / 2
	}
	if rw.written+int64(len(p)) <= rw.limit {
		n, err := rw.ResponseWriter.Write(p)
		rw.written += int64(n)
		return n, err
	}
	n, _ := rw.ResponseWriter.Write(p[:rw.limit-rw.written])
	rw.written += int64(n)
	rw.cut()
	return n, errReset
}

// Flush passes a flush through once the header is sent; before, it would send the held header.
func (rw *resetWriter) Flush() {
	if rw.sentHeader && !rw.done {
		_ = http.NewResponseController(rw.ResponseWriter).Flush()
	}
}

func (rw *resetWriter) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// cut sends what was written so far, if anything, and closes the connection: with nothing written,
// the client reads no status line at all.
func (rw *resetWriter) cut() {
	if rw.done {
		return
	}
	rw.done = true
	if rw.beforeCut != nil {
		rw.beforeCut()
	}
	rc := http.NewResponseController(rw.ResponseWriter)
	if rw.sentHeader {
		_ = rc.Flush()
	}
	if conn, _, err := rc.Hijack(); err == nil {
		_ = conn.Close()
		return
	}
	panic(http.ErrAbortHandler)
}
