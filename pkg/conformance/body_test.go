package conformance

import (
	"bytes"
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
		{"announced long, sends less", 10, 5000, false},
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
