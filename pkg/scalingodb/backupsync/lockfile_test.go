package backupsync

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
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

// TestLock_StoreThatIgnoresIfNoneMatch: some S3-compatible stores ignore
// If-None-Match and overwrite. A second run must still find the first
// run's live lock and stop with a *LockedError, not overwrite it and sync
// the same database beside it.
func TestLock_StoreThatIgnoresIfNoneMatch(t *testing.T) {
	_, fake := fakeS3Handler(t)
	base := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Del("If-None-Match")
		fake.ServeHTTP(w, r)
	}))
	s3Env(t)
	d := open(t, s3URL(base, "p"))
	ctx := context.Background()
	first, _, err := d.lock(ctx, "db-x", "first", time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = first.release() }()
	_, _, err = d.lock(ctx, "db-x", "second", time.Now)
	var locked *LockedError
	if !errors.As(err, &locked) || locked.Holder != first.rec.Holder {
		t.Fatalf("second lock: %v, want a *LockedError naming the first run", err)
	}
	if rec, err := d.readLock(ctx, d.key("db-x", LockName)); err != nil || rec.Holder != first.rec.Holder {
		t.Fatalf("the lock is now %+v (%v), want the first run's", rec, err)
	}
}

// TestLockRecord_StaleOnlyInItsPIDNamespace: containers that share the
// host's name (host networking, a fixed hostname) each have their own
// process IDs: a lock of this host name whose process ID is free here may
// be a live run in another container. It is stale at once only when its
// run was in this PID namespace; else it lapses with LockTTL.
func TestLockRecord_StaleOnlyInItsPIDNamespace(t *testing.T) {
	now := time.Now().UTC()
	host, deadPID := deadProcess(t)
	tests := []struct {
		name  string
		rec   lockRecord
		stale bool
	}{
		{"dead process, this namespace", lockRecord{Host: host, PID: deadPID, PIDNamespace: pidNamespace(), ExpiresAt: now.Add(time.Minute)}, true},
		{"dead process, another namespace", lockRecord{Host: host, PID: deadPID, PIDNamespace: "pid:[1]", ExpiresAt: now.Add(time.Minute)}, pidNamespace() == "pid:[1]"},
		{"expired, another namespace", lockRecord{Host: host, PID: deadPID, PIDNamespace: "pid:[1]", ExpiresAt: now.Add(-time.Minute)}, true},
		{"live process, this namespace", lockRecord{Host: host, PID: os.Getppid(), PIDNamespace: pidNamespace(), ExpiresAt: now.Add(time.Minute)}, false},
	}
	if pidNamespace() != "" {
		// A record of a version that did not name its namespace.
		tests = append(tests, struct {
			name  string
			rec   lockRecord
			stale bool
		}{"dead process, namespace not named", lockRecord{Host: host, PID: deadPID, ExpiresAt: now.Add(time.Minute)}, false})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rec.stale(now); got != tt.stale {
				t.Errorf("stale = %v, want %v (this namespace: %q)", got, tt.stale, pidNamespace())
			}
		})
	}
}

// TestSync_RemovesLeftLockTemps: the temporary files of the lock's
// creation that a killed run left in a database's folder are removed by
// the next run that holds the lock, and only those: every other name
// stays.
func TestSync_RemovesLeftLockTemps(t *testing.T) {
	tests := []struct {
		name string
		gone bool
	}{
		{LockName + lockTempInfix + "1234567890", true},
		{takeoverPrefix + "0123456789abcdef01234567.json" + lockTempInfix + "42", true},
		{LockName + lockTempInfix + "12x", false},
		{LockName + lockTempInfix, false},
		{LockName + ".tmp", false},
		{"notes" + LockName + lockTempInfix + "1", false},
		{"sub/" + LockName + lockTempInfix + "1", false},
		{takeoverPrefix + "zz.json" + lockTempInfix + "1", false},
		{"abc.json" + lockTempInfix + "1", false},
		{takeoverPrefix + ".json" + lockTempInfix + "1", false},
	}
	dir := filepath.Join(t.TempDir(), "copies")
	d := open(t, dir)
	f := newFixture(t, 1, 1, 1000)
	folder := filepath.Join(dir, f.dbs[0])
	for _, tt := range tests {
		p := filepath.Join(folder, filepath.FromSlash(tt.name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if res := Sync(context.Background(), d, f.sources(), Options{ToolVersion: "test"}); res[0].Failed() {
		t.Fatal(res[0].Err)
	}
	for _, tt := range tests {
		_, err := os.Stat(filepath.Join(folder, filepath.FromSlash(tt.name)))
		if gone := errors.Is(err, os.ErrNotExist); gone != tt.gone {
			t.Errorf("%s: removed %v, want %v (%v)", tt.name, gone, tt.gone, err)
		}
	}
}
