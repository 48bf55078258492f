//go:build unix

package download

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"
)

func TestToFile_OneAtATime(t *testing.T) {
	data := randomBytes(1 << 20)
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	src := serve(t, int64(len(data)), func(w http.ResponseWriter, r *http.Request) {
		select {
		case started <- struct{}{}:
			<-release // the first download waits here, holding the partial file
		default:
		}
		serveVersion(w, r, data, `"v1"`)
	})
	path := filepath.Join(t.TempDir(), "b.tar.gz")
	first := make(chan error, 1)
	go func() {
		_, err := ToFile(context.Background(), src, path)
		first <- err
	}()
	<-started
	_, err := ToFile(context.Background(), src, path)
	close(release)
	var busy *InProgressError
	if !errors.Is(err, ErrInProgress) || !errors.As(err, &busy) || busy.Path != path {
		t.Errorf("second call: got %v, want a *InProgressError for %s while the first one runs", err, path)
	}
	if err := <-first; err != nil {
		t.Fatalf("first call: %v", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, data) {
		t.Fatal("the file differs from the archive")
	}
}

// TestToFile_ConcurrentCallsNeverEmptyTheFile runs two
// DownloadToFile calls on one path at once, over and over, against a host
// that answers the archive once and then fails: one call gets the archive
// and succeeds, the other fails, and the destination is always the whole
// archive, never empty nor mixed. Every other iteration starts with last
// night's archive at the path. Overlapping cron jobs do this.
func TestToFile_ConcurrentCallsNeverEmptyTheFile(t *testing.T) {
	iterations := 1000
	if testing.Short() {
		iterations = 200
	}
	data := randomBytes(4 << 10)
	var answered atomic.Bool
	src := serve(t, int64(len(data)), func(w http.ResponseWriter, r *http.Request) {
		if answered.CompareAndSwap(false, true) {
			serveVersion(w, r, data, `"v1"`)
			return
		}
		w.WriteHeader(http.StatusInternalServerError)
	})
	dir := t.TempDir()
	// What is tested is the lock, not durability: syncs that cost nothing
	// keep 1,000 iterations fast.
	syncHook = func(*os.File) error { return nil }
	t.Cleanup(func() { syncHook = nil })
	once := WithRetry(RetryPolicy{MaxAttempts: 1, MinWait: time.Millisecond, MaxWait: time.Millisecond})
	var bad, refused int
	for i := range iterations {
		answered.Store(false)
		path := filepath.Join(dir, fmt.Sprintf("b%d.tar.gz", i))
		if i%2 == 1 {
			if err := os.WriteFile(path, []byte("last night's archive"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		var errs [2]error
		var wg sync.WaitGroup
		for k := range errs {
			wg.Go(func() {
				_, errs[k] = ToFile(context.Background(), src, path, once)
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, httpx.ErrServer):
			default:
				refused++
				if !isBusy(err) {
					t.Fatalf("iteration %d: unexpected error %v", i, err)
				}
			}
		}
		got, err := os.ReadFile(path)
		if ok != 1 || err != nil || !bytes.Equal(got, data) {
			bad++
			if bad <= 3 {
				t.Errorf("iteration %d: %d calls succeeded (%v, %v); the destination has %d bytes (%v), equal to the archive: %t",
					i, ok, errs[0], errs[1], len(got), err, bytes.Equal(got, data))
			}
		}
		os.Remove(path)
		if left, _ := filepath.Glob(path + ".partial*"); len(left) != 0 {
			t.Fatalf("iteration %d: left behind %v", i, left)
		}
	}
	if bad != 0 {
		t.Fatalf("%d of %d iterations lost the archive (%d calls refused as busy)", bad, iterations, refused)
	}
	t.Logf("%d iterations, %d calls refused as busy", iterations, refused)
}

func isBusy(err error) bool { return errors.Is(err, ErrInProgress) }
