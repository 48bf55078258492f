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
// read limit+1 bytes at most. Data is read into chunks that double up to 1 MiB and are
// joined once at the end, so that a body over the cap costs about the cap, not the several times
// the cap that a growing slice costs.
func readCapped(r io.Reader, limit, hint int64) ([]byte, error) {
	if hint > limit {
		return nil, &http.MaxBytesError{Limit: limit}
	}
	if hint >= 0 {
		// Announced: one buffer of the announced size, plus one byte to see the end.
		buf := make([]byte, hint+1)
		n, err := io.ReadFull(r, buf)
		switch err {
		case io.ErrUnexpectedEOF, io.EOF:
			return buf[:n], nil
		case nil:
			// More than announced: go on reading in chunks.
			return readChunks(r, limit, buf)
		}
		return buf[:n], err
	}
	return readChunks(r, limit, nil)
}

func readChunks(r io.Reader, limit int64, first []byte) ([]byte, error) {
	var chunks [][]byte
	total := int64(len(first))
	if len(first) > 0 {
		chunks = append(chunks, first)
	}
	size := 4 << 10
	for {
		if total > limit {
			return nil, &http.MaxBytesError{Limit: limit}
		}
		if want := limit + 1 - total; int64(size) > want {
			size = int(want)
		}
		buf := make([]byte, size)
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			chunks = append(chunks, buf[:n])
			total += int64(n)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			if total > limit {
				return nil, &http.MaxBytesError{Limit: limit}
			}
			return joinChunks(chunks, total), nil
		}
		if err != nil {
			return nil, err
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
// encodings are returned as they are.
func decodedForCheck(header http.Header, data []byte, limit int64) ([]byte, error) {
	if !strings.EqualFold(strings.TrimSpace(header.Get("Content-Encoding")), "gzip") || len(data) == 0 {
		return data, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return readCapped(zr, limit, -1)
}
