// Package limits bounds what the mock reads from and waits on a client: a request body over
// MaxBodyBytes is answered 413 before anything else looks at the request, a body must arrive within
// a read deadline, and each write of an answer within a write deadline.
package limits

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/respond"
)

// MaxBodyBytes is the largest request body the mock accepts: 1 MiB. A larger one, sent to an
// operation that takes a body, is answered 413 with the spec's Error body before anything else looks
// at the request (authentication, validation, the operation), and the mock reads no more than
// MaxBodyBytes+1 bytes of it; a Content-Length above the cap is refused without reading the body at
// all. The connection is then closed. The body of a request to an operation that takes none is not
// read: the operation answers as if it had none.
const MaxBodyBytes = 1 << 20

// Handler is the outermost link of the mock's chain after the request ID: it sets a write deadline
// of write before each write of the answer, and reads the request body, within the read deadline
// read and the size cap, before anything else sees the request. takesBody tells whether the
// operation a request is routed to takes a body; the body of one that does not is never read.
func Handler(next http.Handler, read, write time.Duration, takesBody func(*http.Request) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw := w // MaxBytesReader tells net/http's own writer to close the connection on overflow
		dw := deadlinePool.Get().(*deadlineWriter)
		dw.ResponseWriter, dw.rc, dw.d = w, *http.NewResponseController(w), write
		defer func() {
			*dw = deadlineWriter{} // keep no writer of a finished request alive in the pool
			deadlinePool.Put(dw)
		}()
		w = dw
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		if !takesBody(r) {
			// No operation that takes a body serves r: its body is never read, and the answer is
			// the one the spec describes for the operation (which ignores the body), or a 404,
			// never a 413 the operation does not list. net/http discards at most 256 KiB of the
			// body afterwards, within the read deadline, or closes the connection.
			_ = dw.rc.SetReadDeadline(time.Now().Add(read))
			next.ServeHTTP(w, r)
			return
		}
		if r.ContentLength > MaxBodyBytes {
			tooLarge(w)
			return
		}
		_ = dw.rc.SetReadDeadline(time.Now().Add(read)) // ErrNotSupported under httptest.ResponseRecorder
		body, err := readBody(http.MaxBytesReader(raw, r.Body, MaxBodyBytes), r.ContentLength)
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			tooLarge(w)
			return
		case err != nil:
			// Too slow (the read deadline passed) or cut by the client: no answer can be sent on
			// this connection, and net/http closes it.
			panic(http.ErrAbortHandler)
		}
		_ = dw.rc.SetReadDeadline(time.Time{}) // the rest is the answer's, bounded per write
		r.Body = http.NoBody
		if len(body) > 0 {
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		next.ServeHTTP(w, r)
	})
}

// readBody reads a whole request body of length bytes, or of unknown length when length is negative,
// from a reader that fails past MaxBodyBytes. A body of known length is read into a slice of its
// size; one of unknown length into a pooled buffer of the cap's size, then copied out, so that a
// body over the cap costs no allocation at all (growing a buffer as the bytes come in left about
// 3 MiB of garbage per body over the cap).
func readBody(body io.Reader, length int64) ([]byte, error) {
	if length >= 0 {
		buf := make([]byte, length)
		_, err := io.ReadFull(body, buf)
		return buf, err
	}
	bp := bodyPool.Get().(*[]byte)
	defer bodyPool.Put(bp)
	n, err := fill(body, *bp) // one byte more than the cap: the reader fails first
	return bytes.Clone((*bp)[:n]), err
}

// fill reads into buf until it is full or the reader ends. Unlike io.ReadFull, it keeps the reader's
// own error: io.EOF, the body's end, is no error, while io.ErrUnexpectedEOF from net/http's chunked
// reader is a body cut before its last chunk, which must never be taken for the whole body.
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// bodyPool holds buffers of MaxBodyBytes+1 bytes for request bodies of unknown length.
var bodyPool = sync.Pool{New: func() any {
	b := make([]byte, MaxBodyBytes+1)
	return &b
}}

// tooLarge answers 413 with the spec's Error body and closes the connection: the rest of the body
// is not worth reading.
func tooLarge(w http.ResponseWriter) {
	code := "request_too_large"
	w.Header().Set("Connection", "close")
	respond.WriteErrorBody(w, http.StatusRequestEntityTooLarge, dbapi.Error{
		Error: "the request body is larger than " + strconv.Itoa(MaxBodyBytes) + " bytes", Code: &code,
	})
}

// deadlineWriter sets the connection's write deadline d ahead before each write, so that a write
// blocked on a client that stopped reading fails after d, while an answer made of many writes (a
// bandwidth-capped download) can last as long as it takes.
type deadlineWriter struct {
	http.ResponseWriter
	rc http.ResponseController // of ResponseWriter
	d  time.Duration
}

// deadlinePool recycles deadlineWriters: one is needed for every request.
var deadlinePool = sync.Pool{New: func() any { return new(deadlineWriter) }}

func (dw *deadlineWriter) renew() {
	_ = dw.rc.SetWriteDeadline(time.Now().Add(dw.d))
}

func (dw *deadlineWriter) Write(p []byte) (int, error) {
	dw.renew()
	return dw.ResponseWriter.Write(p)
}

// Flush sends what is buffered, within a fresh deadline.
func (dw *deadlineWriter) Flush() {
	dw.renew()
	_ = dw.rc.Flush()
}

// Unwrap gives http.ResponseController access to the underlying writer.
func (dw *deadlineWriter) Unwrap() http.ResponseWriter { return dw.ResponseWriter }
