package limits

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestReadBody_Cut checks readBody on a reader that fails with io.ErrUnexpectedEOF (net/http's chunked
// reader on a body cut before its last chunk): an error, never the part that came.
func TestReadBody_Cut(t *testing.T) {
	for _, length := range []int64{-1, 20} {
		r := io.MultiReader(bytes.NewReader([]byte(`{"a":1}`)), iotestErrReader{io.ErrUnexpectedEOF})
		if b, err := readBody(r, length); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("length %d: readBody = %q, %v; want io.ErrUnexpectedEOF", length, b, err)
		}
	}
	if b, err := readBody(bytes.NewReader([]byte(`{"a":1}`)), -1); err != nil || string(b) != `{"a":1}` {
		t.Errorf("a whole body of unknown length: %q, %v", b, err)
	}
}

// iotestErrReader fails every read with err.
type iotestErrReader struct{ err error }

func (r iotestErrReader) Read([]byte) (int, error) { return 0, r.err }

// TestHandler: a body over the cap never reaches the operation (413, whether its length is known
// or not), a body within it reaches the operation whole, and the body of an operation that takes
// none is left unread.
func TestHandler(t *testing.T) {
	small := []byte(`{"database_user":{"name":"reporting"}}`)
	tests := []struct {
		name      string
		body      []byte
		length    int64 // -1: unknown (chunked)
		takesBody bool
		status    int
		reached   string // the body the operation read; "-" when it was not called
	}{
		{"within the cap", small, int64(len(small)), true, http.StatusOK, string(small)},
		{"within the cap, unknown length", small, -1, true, http.StatusOK, string(small)},
		{"over the cap by its length", bytes.Repeat([]byte("a"), MaxBodyBytes+1), MaxBodyBytes + 1, true, http.StatusRequestEntityTooLarge, "-"},
		{"over the cap, unknown length", bytes.Repeat([]byte("a"), MaxBodyBytes+1), -1, true, http.StatusRequestEntityTooLarge, "-"},
		{"no body taken: not read here", small, int64(len(small)), false, http.StatusOK, string(small)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reached := "-"
			var sameBody bool
			req := httptest.NewRequest(http.MethodPost, "/api/databases/my-db-123/users", bytes.NewReader(tc.body))
			req.ContentLength = tc.length
			original := req.Body
			next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sameBody = r.Body == original
				b, _ := io.ReadAll(r.Body)
				reached = string(b)
			})
			w := httptest.NewRecorder()
			Handler(next, time.Second, time.Second, func(*http.Request) bool { return tc.takesBody }).ServeHTTP(w, req)
			if w.Code != tc.status || reached != tc.reached {
				t.Errorf("status %d, operation read %.40q; want %d, %.40q", w.Code, reached, tc.status, tc.reached)
			}
			if !tc.takesBody && !sameBody {
				t.Error("the body of an operation that takes none was read before it")
			}
		})
	}
}
