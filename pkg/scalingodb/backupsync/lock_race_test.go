package backupsync

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestLock_TakeoverRace: two runs find the same expired lock. The first has
// decided to take it over when the second runs its whole takeover (the hook
// stands between the decision and the removal of the expired lock). Exactly
// one run holds the lock afterwards: the other fails with a *LockedError,
// and the lock object names the run that holds it.
func TestLock_TakeoverRace(t *testing.T) {
	defer func(h func()) { takeoverHook = h }(takeoverHook)
	now := time.Now().UTC()
	for name, dest := range destinations(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			d := open(t, dest(t))
			putLock(t, d, "db-r", lockRecord{Holder: "killed", StartedAt: now.Add(-time.Hour), ExpiresAt: now.Add(-time.Minute)})
			var (
				second    *heldLock
				secondErr error
			)
			takeoverHook = func() {
				takeoverHook = nil // the second run goes straight through
				second, _, secondErr = d.lock(ctx, "db-r", "second", time.Now)
			}
			first, _, firstErr := d.lock(ctx, "db-r", "first", time.Now)
			if takeoverHook != nil {
				t.Fatal("the first run did not try to take the expired lock over")
			}
			var locked *LockedError
			var winner *heldLock
			switch {
			case firstErr == nil && secondErr == nil:
				t.Fatalf("both runs hold the lock: %q and %q", first.rec.Holder, second.rec.Holder)
			case firstErr == nil && errors.As(secondErr, &locked):
				winner = first
			case secondErr == nil && errors.As(firstErr, &locked):
				winner = second
			default:
				t.Fatalf("first: %v; second: %v; want one lock and one *LockedError", firstErr, secondErr)
			}
			rec, err := d.readLock(ctx, d.key("db-r", LockName))
			if err != nil || rec.Holder != winner.rec.Holder {
				t.Fatalf("the lock object is %+v, %v; want the winner's, %q", rec, err, winner.rec.Holder)
			}
			if err := winner.release(); err != nil {
				t.Fatal(err)
			}
			objs, err := d.objects(ctx, "db-r")
			if err != nil || len(objs) != 0 {
				t.Fatalf("after the release the folder holds %v, %v; want nothing", objs, err)
			}
		})
	}
}

// TestLock_StopsBeforeItsLeaseEnds: a run whose renewals keep failing (its
// destination is gone) stops changing the folder, with a *LockLostError,
// before its lock expires, so that another run taking the expired lock
// over never writes beside it.
func TestLock_StopsBeforeItsLeaseEnds(t *testing.T) {
	defer func(d time.Duration) { lockRenewEvery = d }(lockRenewEvery)
	lockRenewEvery = 5 * time.Millisecond
	ctx := context.Background()
	d := open(t, t.TempDir()+"/copies")
	start := time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC)
	clock := make(chan time.Time, 1)
	clock <- start
	now := func() time.Time { c := <-clock; clock <- c; return c }
	held, lctx, err := d.lock(ctx, "db-l", "test", now)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.bucket.Close(); err != nil { // every renewal fails from now on
		t.Fatal(err)
	}
	// Renewals fail while the lease has time left: the run goes on.
	time.Sleep(50 * time.Millisecond)
	if lctx.Err() != nil {
		t.Fatalf("the run stopped with time left on its lease: %v", context.Cause(lctx))
	}
	// The lease nears its end without a renewal: the run stops before it ends.
	<-clock
	clock <- start.Add(LockTTL - lockRenewEvery/2)
	select {
	case <-lctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the run went on past the end of its lease")
	}
	var lost *LockLostError
	if !errors.As(context.Cause(lctx), &lost) || lost.DatabaseID != "db-l" || lost.Cause == nil {
		t.Fatalf("cause %v, want a *LockLostError naming the failed renewal", context.Cause(lctx))
	}
	_ = held.release()
}

// TestLock_TakeoverMarker: a takeover marker of a live run refuses the
// takeover of the stale lock; the marker of a run killed during its takeover
// (expired, or of a process of this host that is gone) is itself taken
// over, and the run takes the lock, leaving no marker behind.
func TestLock_TakeoverMarker(t *testing.T) {
	now := time.Now().UTC()
	host, deadPID := deadProcess(t)
	tests := []struct {
		name   string
		marker lockRecord
		taken  bool
	}{
		{"live", lockRecord{Holder: "taking", StartedAt: now, ExpiresAt: now.Add(time.Minute)}, false},
		{"expired", lockRecord{Holder: "killed taking", StartedAt: now.Add(-time.Hour), ExpiresAt: now.Add(-time.Minute)}, true},
		{"dead process on this host", lockRecord{Holder: "killed taking", Host: host, PID: deadPID, PIDNamespace: pidNamespace(), StartedAt: now, ExpiresAt: now.Add(time.Minute)}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			forEachDestination(t, func(t *testing.T, d *Destination) {
				ctx := context.Background()
				putLock(t, d, "db-m", lockRecord{Holder: "killed", StartedAt: now.Add(-time.Hour), ExpiresAt: now.Add(-time.Minute)})
				stale, err := d.readLock(ctx, d.key("db-m", LockName))
				if err != nil {
					t.Fatal(err)
				}
				if err := d.writeObject(ctx, d.key("db-m", takeoverPrefix+stale.version+".json"), mustJSON(t, tc.marker)); err != nil {
					t.Fatal(err)
				}
				held, _, err := d.lock(ctx, "db-m", "test", time.Now)
				objs, lerr := d.objects(ctx, "db-m")
				if lerr != nil {
					t.Fatal(lerr)
				}
				if !tc.taken {
					var locked *LockedError
					if !errors.As(err, &locked) || !strings.Contains(locked.Holder, "taking") || len(objs) != 2 {
						t.Fatalf("lock: %v; folder %v; want a *LockedError naming the marker's run, the lock and the marker kept", err, objs)
					}
					return
				}
				if err != nil {
					t.Fatalf("lock: %v; want the lock taken over", err)
				}
				defer func() { _ = held.release() }()
				if len(objs) != 1 || objs[LockName] == 0 {
					t.Fatalf("the folder holds %v; want the new lock only", objs)
				}
			})
		})
	}
}

// TestIsLockObject names the objects verify passes over: the lock, the
// takeover markers and the temporary file of a lock being created,
// nothing else.
func TestIsLockObject(t *testing.T) {
	for name, want := range map[string]bool{
		LockName:                           true,
		takeoverPrefix + "0a1b2c.json":     true,
		ManifestName:                       false,
		"2026-12-05T03-00-00Z_bk-1.tar.gz": false,
		".sync-lock.json.tmp":              false,
		LockName + lockTempInfix + "12345": true,
	} {
		if got := isLockObject(name); got != want {
			t.Errorf("isLockObject(%q) = %v, want %v", name, got, want)
		}
	}
}
