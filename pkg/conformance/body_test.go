package conformance

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
)

func TestReadCapped(t *testing.T) {
	const limit = 10 << 10
	tests := []struct {
		name     string
		size     int
		hint     int64
		wantOver bool
	}{
		{"empty", 0, -1, false},
		{"small, unknown length", 100, -1, false},
		{"at the limit, unknown length", limit, -1, false},
		{"one over, unknown length", limit + 1, -1, true},
		{"far over, unknown length", 10 * limit, -1, true},
		{"at the limit, announced", limit, limit, false},
		{"announced over", limit + 1, limit + 1, true},
		{"announced short, sends more", limit + 1, 10, true},
		{"announced short, sends more within the limit", 5000, 10, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := bytes.Repeat([]byte("abcdefg"), tt.size/7+1)[:tt.size]
			// HalfReader makes the reads short, as a network's are.
			got, err := readCapped(iotest.HalfReader(bytes.NewReader(want)), limit, tt.hint)
			var mbe *http.MaxBytesError
			if tt.wantOver {
				if !errors.As(err, &mbe) || mbe.Limit != limit {
					t.Fatalf("err = %v, want a *http.MaxBytesError with limit %d", err, limit)
				}
				if got != nil {
					t.Errorf("got %d bytes with the error, want none", len(got))
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("got %d bytes, want the %d sent", len(got), len(want))
			}
		})
	}
}

// TestReadCapped_ReadsNoMoreThanTheCap proves that an endless body costs the cap, not more.
func TestReadCapped_ReadsNoMoreThanTheCap(t *testing.T) {
	var n countingReader
	_, err := readCapped(&n, 1<<20, -1)
	var mbe *http.MaxBytesError
	if !errors.As(err, &mbe) {
		t.Fatalf("err = %v", err)
	}
	if n.n != 1<<20+1 {
		t.Errorf("read %d bytes, want the cap plus one", n.n)
	}
}

// countingReader is an endless body that counts what is read from it.
type countingReader struct{ n int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	clear(p)
	c.n += int64(len(p))
	return len(p), nil
}

func TestReadCapped_PassesReadErrors(t *testing.T) {
	boom := errors.New("boom")
	_, err := readCapped(io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom)), 1<<20, -1)
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
}

// readCapped fails a body that ends before its announced length, or whose reader says it was
// cut (io.ErrUnexpectedEOF: net/http's chunked reader, a gzip stream), with a
// *TruncatedBodyError that counts what came; never does it return the bytes that came as the
// whole body. A body over the cap is over the cap, cut or not: reaching the cap is no cut.
// Before the fix, every cut body came back whole.
func TestReadCapped_Cut(t *testing.T) {
	const limit = 10 << 10
	cut := func(n int) io.Reader { // n bytes, then the reader says the body was cut
		return io.MultiReader(bytes.NewReader(make([]byte, n)), iotest.ErrReader(io.ErrUnexpectedEOF))
	}
	short := func(n int) io.Reader { return bytes.NewReader(make([]byte, n)) }
	tests := []struct {
		name          string
		r             io.Reader
		hint          int64
		wantRead      int64 // for a cut
		wantAnnounced int64
		wantOver      bool
	}{
		{name: "Content-Length cut, reader ends early", r: short(10), hint: 5000, wantRead: 10, wantAnnounced: 5000},
		{name: "Content-Length cut before any byte", r: short(0), hint: 78, wantRead: 0, wantAnnounced: 78},
		{name: "Content-Length cut, reader says unexpected EOF", r: cut(61), hint: 78, wantRead: 61, wantAnnounced: 78},
		{name: "Content-Length at the cap, cut", r: short(limit - 1), hint: limit, wantRead: limit - 1, wantAnnounced: limit},
		{name: "chunked cut", r: cut(61), hint: -1, wantRead: 61, wantAnnounced: -1},
		{name: "chunked cut before any byte", r: cut(0), hint: -1, wantRead: 0, wantAnnounced: -1},
		{name: "chunked cut after several reads", r: cut(3 * limit / 4), hint: -1, wantRead: 3 * limit / 4, wantAnnounced: -1},
		{name: "chunked cut past the cap is over the cap", r: cut(2 * limit), hint: -1, wantOver: true},
		{name: "chunked cut one past the cap is over the cap", r: cut(limit + 1), hint: -1, wantOver: true},
		{name: "announced over the cap and cut is over the cap", r: short(10), hint: limit + 1, wantOver: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readCapped(iotest.HalfReader(tt.r), limit, tt.hint)
			if got != nil {
				t.Errorf("got %d bytes with the error, want none", len(got))
			}
			if tt.wantOver {
				var mbe *http.MaxBytesError
				if !errors.As(err, &mbe) {
					t.Fatalf("err = %v, want a *http.MaxBytesError", err)
				}
				return
			}
			var te *TruncatedBodyError
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want a *TruncatedBodyError", err)
			}
			if te.Read != tt.wantRead || te.Announced != tt.wantAnnounced {
				t.Errorf("read %d of %d, want %d of %d", te.Read, te.Announced, tt.wantRead, tt.wantAnnounced)
			}
			if !errors.Is(err, io.ErrUnexpectedEOF) || !errors.Is(err, ErrTruncatedBody) {
				t.Errorf("err = %v does not match io.ErrUnexpectedEOF and ErrTruncatedBody", err)
			}
		})
	}
}

// A whole body read through readCapped comes back whole, whatever the sizes of its reads: the
// end of a body at its announced length, or at the cap, is no cut.
func TestReadCapped_WholeIsNoCut(t *testing.T) {
	const limit = 10 << 10
	for _, size := range []int{0, 1, 61, 4 << 10, limit - 1, limit} {
		for _, hint := range []int64{-1, int64(size)} {
			want := bytes.Repeat([]byte{'x'}, size)
			for name, r := range map[string]io.Reader{
				"half reads":     iotest.HalfReader(bytes.NewReader(want)),
				"one byte reads": iotest.OneByteReader(bytes.NewReader(want)),
				"data with EOF":  iotest.DataErrReader(bytes.NewReader(want)),
			} {
				got, err := readCapped(r, limit, hint)
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("%d bytes, hint %d, %s: got %d bytes, %v", size, hint, name, len(got), err)
				}
			}
		}
	}
}

// A gzip stream cut short is a cut body too: decodedForCheck does not give its first bytes as
// the whole body.
func TestDecodedForCheck_CutGzip(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(bytes.Repeat([]byte(`{"a":1}`), 1000))
	_ = zw.Close()
	h := http.Header{"Content-Encoding": {"gzip"}}
	if _, err := decodedForCheck(h, buf.Bytes(), 1<<20); err != nil {
		t.Fatalf("whole stream: %v", err)
	}
	got, err := decodedForCheck(h, buf.Bytes()[:buf.Len()-10], 1<<20)
	var te *TruncatedBodyError
	if !errors.As(err, &te) || got != nil {
		t.Fatalf("cut stream: %d bytes, %v; want a *TruncatedBodyError", len(got), err)
	}
}
