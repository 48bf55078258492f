package backupsync

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"gocloud.dev/gcerrors"
)

// lockExists reports whether the lock object of db is in d.
func lockExists(t *testing.T, d *Destination, db string) bool {
	t.Helper()
	ok, err := d.bucket.Exists(context.Background(), d.key(db, LockName))
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// putLock writes a lock object of another run into d.
func putLock(t *testing.T, d *Destination, db string, rec lockRecord) {
	t.Helper()
	data, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.writeObject(context.Background(), d.key(db, LockName), data); err != nil {
		t.Fatal(err)
	}
}

// TestSync_LockRefusesASecondRun holds the lock of one database as a
// running sync would: a sync then refuses that database with a
// *LockedError, changes nothing in its folder, copies the others, and
// verify does not count the lock as an unlisted object (the folder has no
// manifest yet: nothing to verify). Once the lock is
// released the database syncs, and no lock is left behind.
func TestSync_LockRefusesASecondRun(t *testing.T) {
	for name, dest := range destinations(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, 2, 2, 10<<10)
			d := open(t, dest(t))
			held, _, err := d.lock(ctx, f.dbs[0], "other", time.Now)
			if err != nil {
				t.Fatal(err)
			}
			res := Sync(ctx, d, f.sources(), Options{ToolVersion: "test", Download: fastRetry})
			var locked *LockedError
			if !errors.As(res[0].Err, &locked) || locked.DatabaseID != f.dbs[0] || locked.Holder != held.rec.Holder || len(res[0].Copied) != 0 {
				t.Fatalf("locked database: %+v, want a *LockedError naming the holder", res[0])
			}
			if res[1].Failed() || len(res[1].Copied) != 2 {
				t.Fatalf("the other database: %+v", res[1])
			}
			objs, err := d.objects(ctx, f.dbs[0])
			if err != nil {
				t.Fatal(err)
			}
			if len(objs) != 1 || objs[LockName] == 0 {
				t.Fatalf("the locked folder holds %v, want only the lock", objs)
			}
			vr, err := Verify(ctx, d, f.dbs[0])
			if err != nil {
				t.Fatal(err)
			}
			// The lock is no unlisted object; the folder has no copy yet.
			if len(vr) != 1 || len(vr[0].Unlisted) != 0 || !errors.Is(vr[0].Err, ErrNothingToVerify) {
				t.Errorf("verify of the locked folder: %+v, want nothing unlisted and ErrNothingToVerify", vr)
			}
			if err := held.release(); err != nil {
				t.Fatal(err)
			}
			if lockExists(t, d, f.dbs[0]) {
				t.Fatal("release left the lock")
			}
			res = Sync(ctx, d, f.sources(), Options{ToolVersion: "test", Download: fastRetry})
			if res[0].Failed() || len(res[0].Copied) != 2 || res[1].Failed() || len(res[1].Skipped) != 2 {
				t.Fatalf("after the release: %+v", res)
			}
			for _, db := range f.dbs {
				if lockExists(t, d, db) {
					t.Errorf("%s: a finished sync left its lock", db)
				}
			}
		})
	}
}

// TestSync_TakesOverAnExpiredLock: the lock of a killed run (expired,
// unreadable, or of a process of this host that is gone) is taken over,
// once; a live one is not, nor one of another host before it expires.
func TestSync_TakesOverAnExpiredLock(t *testing.T) {
	now := time.Now().UTC()
	host, deadPID := deadProcess(t)
	tests := []struct {
		name    string
		content []byte
		taken   bool
	}{
		{"expired", mustJSON(t, lockRecord{Holder: "killed", StartedAt: now.Add(-time.Hour), ExpiresAt: now.Add(-time.Minute)}), true},
		{"unreadable", []byte("{\"holder\": \"tor"), true},
		{"live", mustJSON(t, lockRecord{Holder: "running", StartedAt: now.Add(-time.Hour), ExpiresAt: now.Add(time.Minute)}), false},
		{"live process on this host", mustJSON(t, lockRecord{Holder: "running", Host: host, PID: os.Getppid(), PIDNamespace: pidNamespace(), StartedAt: now, ExpiresAt: now.Add(time.Minute)}), false},
		{"live process on another host", mustJSON(t, lockRecord{Holder: "running", Host: host + "-other", PID: deadPID, StartedAt: now, ExpiresAt: now.Add(time.Minute)}), false},
		// Read under a cap: a live record past maxLockBytes is never parsed, so it counts as unreadable.
		{"oversized", append(bytes.Repeat([]byte(" "), maxLockBytes), mustJSON(t, lockRecord{Holder: "running", StartedAt: now, ExpiresAt: now.Add(time.Minute)})...), true},
		{"dead process on this host", mustJSON(t, lockRecord{Holder: "killed", Host: host, PID: deadPID, PIDNamespace: pidNamespace(), StartedAt: now, ExpiresAt: now.Add(time.Minute)}), true},
	}
	for name, dest := range destinations(t) {
		for _, tc := range tests {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				ctx := context.Background()
				f := newFixture(t, 1, 1, 1<<10)
				d := open(t, dest(t))
				if err := d.writeObject(ctx, d.key(f.dbs[0], LockName), tc.content); err != nil {
					t.Fatal(err)
				}
				res := Sync(ctx, d, f.sources(), Options{Download: fastRetry})
				var locked *LockedError
				if tc.taken {
					if res[0].Failed() || len(res[0].Copied) != 1 || lockExists(t, d, f.dbs[0]) {
						t.Fatalf("%+v: the lock was not taken over and released", res[0])
					}
					return
				}
				if !errors.As(res[0].Err, &locked) || locked.Holder != "running" || !lockExists(t, d, f.dbs[0]) {
					t.Fatalf("%+v: a live lock was not respected", res[0])
				}
			})
		}
	}
}

// TestLock_RenewAndLoss: a renewal moves the expiry and checks the holder;
// after another run took the lock over, a renewal and the release report a
// *LockLostError and leave the other's lock alone.
func TestLock_RenewAndLoss(t *testing.T) {
	defer func(d time.Duration) { lockRenewEvery = d }(lockRenewEvery)
	lockRenewEvery = time.Hour // renewals by hand only
	for name, dest := range destinations(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			d := open(t, dest(t))
			clock := time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC)
			held, _, err := d.lock(ctx, "db-x", "test", func() time.Time { return clock })
			if err != nil {
				t.Fatal(err)
			}
			clock = clock.Add(3 * time.Minute)
			if err := held.renew(ctx); err != nil {
				t.Fatal(err)
			}
			rec, err := d.readLock(ctx, d.key("db-x", LockName))
			if err != nil || rec.Holder != held.rec.Holder || !rec.ExpiresAt.Equal(clock.Add(LockTTL)) {
				t.Fatalf("after renewal: %+v, %v", rec, err)
			}
			// Another run takes the lock over (it judged ours expired).
			putLock(t, d, "db-x", lockRecord{Holder: "thief", StartedAt: clock, ExpiresAt: clock.Add(LockTTL)})
			var lost *LockLostError
			if err := held.renew(ctx); !errors.As(err, &lost) || lost.DatabaseID != "db-x" {
				t.Fatalf("renewal of a lost lock: %v, want a *LockLostError", err)
			}
			if err := held.release(); !errors.As(err, &lost) {
				t.Fatalf("release: %v, want a *LockLostError", err)
			}
			rec, err = d.readLock(ctx, d.key("db-x", LockName))
			if err != nil || rec.Holder != "thief" {
				t.Fatalf("release touched the other run's lock: %+v, %v", rec, err)
			}
		})
	}
}

// TestLock_LossCancelsTheRun: the renewal loop cancels the run's context,
// with a *LockLostError as its cause, once it finds another run's lock. (A
// renewal reads, then writes: one that read just before the other run's
// write puts this run's record back, so the other run writes until the
// loop notices, as it would on its next renewal.)
func TestLock_LossCancelsTheRun(t *testing.T) {
	defer func(d time.Duration) { lockRenewEvery = d }(lockRenewEvery)
	lockRenewEvery = 5 * time.Millisecond
	ctx := context.Background()
	d := open(t, filepath.Join(t.TempDir(), "copies"))
	held, lctx, err := d.lock(ctx, "db-z", "test", time.Now)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for lctx.Err() == nil && time.Now().Before(deadline) {
		putLock(t, d, "db-z", lockRecord{Holder: "thief", StartedAt: time.Now(), ExpiresAt: time.Now().Add(LockTTL)})
		time.Sleep(2 * time.Millisecond)
	}
	var lost *LockLostError
	if !errors.As(context.Cause(lctx), &lost) {
		t.Fatalf("cause %v, want a *LockLostError", context.Cause(lctx))
	}
	if err := held.release(); !errors.As(err, &lost) {
		t.Fatalf("release: %v, want a *LockLostError", err)
	}
}

// TestLock_CreateExclusive: the primitive under the lock writes once and
// refuses the second write, in a folder and in S3 (If-None-Match).
func TestLock_CreateExclusive(t *testing.T) {
	for name, dest := range destinations(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			d := open(t, dest(t))
			key := d.key("db-y", LockName)
			for i, want := range []bool{true, false} {
				got, err := d.createExclusive(ctx, key, []byte(`{"holder":"`+string(rune('a'+i))+`"}`))
				if err != nil || got != want {
					t.Fatalf("write %d: created %v, %v; want %v", i, got, err, want)
				}
			}
			rec, err := d.readLock(ctx, key)
			if err != nil || rec.Holder != "a" {
				t.Fatalf("the second write changed the lock: %+v, %v", rec, err)
			}
			if err := d.removeLock(ctx, key); err != nil {
				t.Fatal(err)
			}
			if _, err := d.readLock(ctx, key); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("after removal: %v", err)
			}
			if err := d.removeLock(ctx, key); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
				t.Fatalf("removing a lock already gone: %v", err)
			}
		})
	}
}

// deadProcess returns this host's name and the ID of a process of this
// test binary that has ended: its ID is free.
func deadProcess(t *testing.T) (host string, pid int) {
	t.Helper()
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	exited := exec.Command(os.Args[0], "-test.run=^$")
	if err := exited.Run(); err != nil {
		t.Fatal(err)
	}
	return host, exited.Process.Pid
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
