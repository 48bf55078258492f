package scalingodb

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/scalingodb/dbapi-go/pkg/mockserver"
)

const (
	demoDB     = "my-db-123"
	demoBackup = "5bd2c6104ffb090be1ac3ce2" // done, 1,234,567 bytes
)

// startMockWithCuts serves the demo mock and cuts the first `cuts`
// download answers after 100 KB of body.
func startMockWithCuts(t *testing.T, cuts int64) (*Client, *atomic.Int64) {
	t.Helper()
	mock, err := mockserver.New(mockserver.WithSeed(mockserver.DemoSeed()))
	if err != nil {
		t.Fatal(err)
	}
	var downloads atomic.Int64
	h := mock.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/download") {
			if n := downloads.Add(1); n <= cuts {
				h.ServeHTTP(&cuttingWriter{ResponseWriter: w, Limit: 100_000 * int(n)}, r)
				return
			}
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := New(WithBaseURL(srv.URL), WithToken(mockserver.DefaultToken), withResponseValidation())
	if err != nil {
		t.Fatal(err)
	}
	return c, &downloads
}

func TestDownload_MockCutThreeTimes(t *testing.T) {
	ctx := context.Background()
	clean, _ := startMockWithCuts(t, 0)
	ref := &memAt{}
	if _, err := clean.Backups.DownloadAt(ctx, demoDB, demoBackup, ref); err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(ref.Bytes())
	if len(ref.Bytes()) != 1234567 {
		t.Fatalf("reference download has %d bytes", len(ref.Bytes()))
	}
	served := sha256.New()
	if _, err := io.Copy(served, mockserver.ArchiveContent(demoBackup, 1234567)); err != nil {
		t.Fatal(err)
	}
	if [sha256.Size]byte(served.Sum(nil)) != want {
		t.Fatal("the clean download differs from what the mock serves")
	}
	for _, parallel := range []int{1, 3} {
		c, downloads := startMockWithCuts(t, 3)
		dst := &memAt{}
		n, err := c.Backups.DownloadAt(ctx, demoDB, demoBackup, dst, WithParallel(parallel), fastDownloadRetry())
		if err != nil {
			t.Fatalf("parallel %d: %v", parallel, err)
		}
		if n != int64(len(ref.Bytes())) || sha256.Sum256(dst.Bytes()) != want {
			t.Fatalf("parallel %d: got %d bytes with another hash", parallel, n)
		}
		if got := downloads.Load(); got != int64(parallel)+3 {
			t.Errorf("parallel %d: %d download requests, want %d (3 cut, then resumed)", parallel, got, parallel+3)
		}
	}
}

func TestResponseValidation(t *testing.T) {
	// Against the mock, which keeps the contract, every call passes.
	c, _ := startMockWithCuts(t, 0)
	ctx := context.Background()
	if _, err := c.Databases.Get(ctx, demoDB); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Backups.List(ctx, demoDB); err != nil {
		t.Fatal(err)
	}
	// A backup without its required name breaks the spec: the client
	// without validation accepts it, the one with validation fails.
	body := `{"database_backups":[{"id":"b","status":"done","database_id":"db","created_at":"2026-01-02T03:04:05Z","secret":"s3cr3t-value"}]}`
	plain, _, _ := newTestClient(t, fixed(200, body))
	if _, err := plain.Backups.List(ctx, "db"); err != nil {
		t.Fatalf("without validation: %v", err)
	}
	strict, rec, _ := newTestClient(t, fixed(200, body), withResponseValidation())
	_, err := strict.Backups.List(ctx, "db")
	var re *ResponseError
	if !errors.Is(err, ErrMalformedResponse) || !errors.As(err, &re) || re.OperationID != "listBackups" {
		t.Fatalf("with validation: got %v", err)
	}
	if strings.Contains(err.Error(), "s3cr3t-value") || strings.Contains(err.Error(), "{") {
		t.Errorf("error %q quotes the body", err)
	}
	if rec.count() != 1 {
		t.Errorf("a violation was retried: %d requests", rec.count())
	}
}
