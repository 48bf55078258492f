package backupsync

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
)

// TestLock_FolderLockIsNeverSeenEmpty: a run that finds the lock file
// takes an unreadable one for the torn lock of a killed run and removes
// it at once; so a live run's lock must never be visible without its
// record, as a file created with O_EXCL is until it is written.
func TestLock_FolderLockIsNeverSeenEmpty(t *testing.T) {
	d := open(t, t.TempDir())
	ctx := context.Background()
	key := d.key("db-x", LockName)
	path := filepath.Join(d.dir, filepath.FromSlash(key))
	data := []byte(`{"holder":"h","started_at":"2026-12-05T03:00:00Z","expires_at":"2026-12-05T03:10:00Z"}`)
	var stop atomic.Bool
	var empty atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		for !stop.Load() {
			if b, err := os.ReadFile(path); err == nil && len(b) < len(data) {
				empty.Add(1)
			}
		}
	})
	for range 300 {
		created, err := d.createExclusive(ctx, key, data)
		if err != nil || !created {
			t.Fatalf("createExclusive: %t, %v", created, err)
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	if n := empty.Load(); n > 0 {
		t.Errorf("the lock was seen %d times without its record", n)
	}
}
