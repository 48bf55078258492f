package conformance

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// DefaultMaxBodyBytes is the largest body, counted decompressed, that a Validator reads by default:
// 32 MiB. WithMaxBodyBytes changes it.
const DefaultMaxBodyBytes int64 = 32 << 20

// WithMaxBodyBytes sets the largest body, counted in decompressed bytes, that the Validator reads
// (n <= 0 keeps DefaultMaxBodyBytes). A larger body is never held in memory whole: the Transport
// fails the round trip with an error that wraps *http.MaxBytesError, the Middleware answers a larger
// request with 413 and streams a larger response through unchecked (reporting a KindTooLarge
// violation), and ValidateRequest reports a KindTooLarge violation.
func WithMaxBodyBytes(n int64) Option {
	return func(o *options) {
		if n > 0 {
			o.maxBody = n
		}
	}
}

// readCapped reads r to its end, holding at most limit bytes. hint is the announced length (-1 when
// unknown). When r holds more than limit bytes, it returns no data and a *http.MaxBytesError, having
// read limit+1 bytes at most. When the body is cut (r ends before hint bytes, or r's own read fails
// with io.ErrUnexpectedEOF, as net/http's reader of a chunked body cut before its last chunk does,
// or a gzip reader of a cut stream), it returns no data and a *TruncatedBodyError: the bytes that came
// are never given as the whole body. Reaching the cap is no cut: a body over the cap is over the cap,
// whether or not it was cut after. Data is read into chunks that double up to 1 MiB and are joined
// once at the end, so that a body over the cap costs about the cap, not the several times the cap
// that a growing slice costs.
func readCapped(r io.Reader, limit, hint int64) ([]byte, error) {
	if hint > limit {
		return nil, &http.MaxBytesError{Limit: limit}
	}
	if hint < 0 {
		return readChunks(r, limit, nil, nil)
	}
	// Announced: one buffer of the announced size, plus one byte to see the end.
	buf := make([]byte, hint+1)
	n, err := fill(r, buf)
	if int64(n) > hint {
		// More than announced: go on reading in chunks (a reader of the wire never gives more).
		return readChunks(r, limit, buf, err)
	}
	switch {
	case errors.Is(err, io.EOF) && int64(n) == hint:
		return buf[:n], nil
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return nil, &TruncatedBodyError{Read: int64(n), Announced: hint}
	}
	return nil, err
}

// fill reads r into buf until buf is full or a read fails, and returns that read's error as it came:
// unlike io.ReadFull, it keeps r's own io.ErrUnexpectedEOF (a cut) apart from io.EOF (the end).
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// readChunks reads the rest of r after first (already read; firstErr is the error of the read that
// filled it).
func readChunks(r io.Reader, limit int64, first []byte, firstErr error) ([]byte, error) {
	var chunks [][]byte
	total := int64(len(first))
	if len(first) > 0 {
		chunks = append(chunks, first)
	}
	err := firstErr
	size := 4 << 10
	for {
		if total > limit {
			return nil, &http.MaxBytesError{Limit: limit}
		}
		switch {
		case err == nil:
		case errors.Is(err, io.EOF):
			return joinChunks(chunks, total), nil
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, &TruncatedBodyError{Read: total, Announced: -1}
		default:
			return nil, err
		}
		if want := limit + 1 - total; int64(size) > want {
			size = int(want)
		}
		buf := make([]byte, size)
		var n int
		n, err = fill(r, buf)
		if n > 0 {
			chunks = append(chunks, buf[:n])
			total += int64(n)
		}
		if size < 1<<20 {
			size *= 2
		}
	}
}

func joinChunks(chunks [][]byte, total int64) []byte {
	if len(chunks) == 1 {
		return chunks[0]
	}
	out := make([]byte, 0, total)
	for i, c := range chunks {
		out = append(out, c...)
		chunks[i] = nil // let the collector take each chunk once copied
	}
	return out
}

// tooLargeError is the error of a body over the cap: it names what was read and wraps
// *http.MaxBytesError, which callers find with errors.As without importing this package.
func tooLargeError(what string, err error) error {
	return fmt.Errorf("conformance: %s over %s: %w", what, sizeName(limitOf(err)), err)
}

func limitOf(err error) int64 {
	if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
		return mbe.Limit
	}
	return 0
}

// sizeName renders a byte count for messages: "32 MiB", "1000 bytes".
func sizeName(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// decodedForCheck returns the bytes to validate for a body sent with the given Content-Encoding:
// a gzip body is decompressed, within limit, so that the cap counts decompressed bytes. Other
// encodings are returned as they are. A gzip stream cut short gives a *TruncatedBodyError (its Read
// counts the decompressed bytes that came).
func decodedForCheck(header http.Header, data []byte, limit int64) ([]byte, error) {
	if !strings.EqualFold(strings.TrimSpace(header.Get("Content-Encoding")), "gzip") || len(data) == 0 {
		return data, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, &TruncatedBodyError{Announced: -1}
	}
	if err != nil {
		return nil, err
	}
	return readCapped(zr, limit, -1)
}

// ErrTruncatedBody is matched (errors.Is) by every *TruncatedBodyError.
var ErrTruncatedBody = errors.New("conformance: body cut short")

// TruncatedBodyError is the error of a body that ended before its framing said it would: fewer
// bytes than its Content-Length, or a chunked body (or a gzip stream) cut before its end. The
// connection broke: the body is no contract violation, and this error is never a *ViolationError.
// It matches ErrTruncatedBody and io.ErrUnexpectedEOF with errors.Is (io.ErrUnexpectedEOF is what
// net/http's own body reader returns for a cut body), so that a client's retry policy that retries
// a cut answer retries this one too.
type TruncatedBodyError struct {
	In          string // "request" or "response"; "" when unknown
	OperationID string // the operation of the spec; "" when unknown
	Method      string
	Path        string // the request's path, without its query
	Status      int    // the response's status; 0 for a request
	Read        int64  // the bytes that came (decompressed bytes for a cut gzip stream)
	Announced   int64  // the Content-Length; -1 when the body had none (chunked, gzip stream)
}

// Error names the operation and request, and says how much of the body came.
func (e *TruncatedBodyError) Error() string {
	var b strings.Builder
	b.WriteString("conformance: ")
	if e.Method != "" {
		writeExchange(&b, e.OperationID, e.Method, e.Path, e.Status)
		b.WriteString(": ")
	}
	b.WriteString(e.Problem())
	return b.String()
}

// Problem says what was cut and how much of it came, without naming the request:
// "request body cut short: 61 of the 78 bytes of its Content-Length came".
func (e *TruncatedBodyError) Problem() string {
	what := "body"
	if e.In != "" {
		what = e.In + " body"
	}
	if e.Announced >= 0 {
		return fmt.Sprintf("%s cut short: %d of the %d bytes of its Content-Length came", what, e.Read, e.Announced)
	}
	return fmt.Sprintf("%s cut short: it broke off after %d bytes, before its end", what, e.Read)
}

// Unwrap gives ErrTruncatedBody and io.ErrUnexpectedEOF to errors.Is.
func (e *TruncatedBodyError) Unwrap() []error {
	return []error{ErrTruncatedBody, io.ErrUnexpectedEOF}
}

// truncatedAt fills the request and operation of a *TruncatedBodyError in err, and returns whether
// err holds one.
func truncatedAt(err error, info *opInfo, r *http.Request, in string, status int) bool {
	te := (*TruncatedBodyError)(nil)
	if !errors.As(err, &te) {
		return false
	}
	te.In, te.Method, te.Path, te.Status = in, r.Method, requestPath(r), status
	if info != nil {
		te.OperationID = info.op.ID
	}
	return true
}
