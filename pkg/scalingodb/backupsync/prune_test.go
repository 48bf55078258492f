package backupsync

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/mockserver"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// TestSync_RetentionNeverCountsALostCopy: the newest listed copy is gone
// (absent, or of another size) and so is its backup on the API, so it
// cannot be copied again. Retention must not count it as a kept copy and
// prune the older, intact ones in its place: the run fails, names the lost
// copy, and prunes nothing.
func TestSync_RetentionNeverCountsALostCopy(t *testing.T) {
	for _, damage := range []string{"absent", "truncated"} {
		t.Run(damage, func(t *testing.T) {
			forEachDestination(t, func(t *testing.T, d *Destination) {
				ctx := context.Background()
				f, m := synced(t, d, 3)
				db := f.dbs[0]
				lost := m.Backups[2]
				var err error
				switch damage {
				case "absent":
					err = d.bucket.Delete(ctx, d.key(db, lost.Key))
				case "truncated":
					err = d.bucket.WriteAll(ctx, d.key(db, lost.Key), []byte("short"), nil)
				}
				if err != nil {
					t.Fatal(err)
				}
				// The API has expired the newest backup: only the two older ones.
				later := newFixture(t, 1, 2, 4000)
				res := Sync(ctx, d, later.sources(), Options{Policy: Policy{Last: 1}})
				if !res[0].Failed() || !strings.Contains(res[0].Err.Error(), lost.ID) {
					t.Errorf("run with a lost copy: %+v, want a failure naming %s", res[0], lost.ID)
				}
				if len(res[0].Pruned) != 0 {
					t.Errorf("pruned %v while the only kept copy is lost", res[0].Pruned)
				}
				for _, e := range m.Backups[:2] {
					if ok, err := d.bucket.Exists(ctx, d.key(db, e.Key)); !ok || err != nil {
						t.Errorf("intact copy %s was removed (%v)", e.Key, err)
					}
				}
			})
		})
	}
}

// synced returns a fixture of one database with n backups, all copied to
// d by a first sync, and the manifest that sync wrote.
func synced(t *testing.T, d *Destination, n int) (*fixture, *Manifest) {
	t.Helper()
	f := newFixture(t, 1, n, 4000)
	if res := Sync(context.Background(), d, f.sources(), Options{}); res[0].Failed() || len(res[0].Copied) != n {
		t.Fatalf("first run: %+v", res[0])
	}
	m, err := d.readManifest(context.Background(), f.dbs[0])
	if err != nil || len(m.Backups) != n {
		t.Fatalf("manifest: %+v, %v", m, err)
	}
	return f, m
}

// TestSync_InvalidPolicyPrunesNothing: a policy with a negative count or
// span, which a program can build (the CLI refuses it), keeps no copy at
// all; Sync must refuse it instead of pruning every copy.
func TestSync_InvalidPolicyPrunesNothing(t *testing.T) {
	tests := []struct {
		name   string
		policy Policy
	}{
		{"negative last", Policy{Last: -1}},
		{"negative daily", Policy{Daily: -7}},
		{"negative within", Policy{Within: Span{Days: -30}}},
		{"negative hours beside a valid rule", Policy{Monthly: 0, Within: Span{Hours: -1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			d := open(t, t.TempDir())
			f := newFixture(t, 1, 3, 2000)
			if res := Sync(ctx, d, f.sources(), Options{}); res[0].Failed() || len(res[0].Copied) != 3 {
				t.Fatalf("first run: %+v", res[0])
			}
			for _, dry := range []bool{true, false} {
				res := Sync(ctx, d, f.sources(), Options{Policy: tt.policy, DryRun: dry})
				var ie *scalingodb.InvalidInputError
				if !res[0].Failed() || !errors.As(res[0].Err, &ie) || len(res[0].Pruned) != 0 {
					t.Errorf("dry run %t: %+v, want an *InvalidInputError and nothing pruned", dry, res[0])
				}
			}
			if m, err := d.readManifest(ctx, f.dbs[0]); err != nil || len(m.Backups) != 3 {
				t.Errorf("manifest after an invalid policy: %+v, %v", m, err)
			}
		})
	}
}

// FuzzPolicy_KeepsTheNewest: whatever the times, a valid policy (no
// negative count or span) keeps the most recent copy, and only indexes of
// times.
func FuzzPolicy_KeepsTheNewest(f *testing.F) {
	f.Add(uint8(1), uint8(0), uint8(0), uint8(0), uint8(0), uint8(0), []byte{1, 2, 3, 200, 7})
	f.Add(uint8(0), uint8(2), uint8(1), uint8(1), uint8(0), uint8(0), []byte{0, 0, 0})
	f.Add(uint8(0), uint8(0), uint8(0), uint8(0), uint8(3), uint8(5), []byte{9, 250, 3, 3, 41})
	f.Fuzz(func(t *testing.T, last, daily, weekly, monthly, days, hours uint8, gaps []byte) {
		if len(gaps) == 0 || len(gaps) > 200 {
			return
		}
		p := Policy{Last: int(last % 8), Daily: int(daily % 8), Weekly: int(weekly % 8), Monthly: int(monthly % 8),
			Within: Span{Days: int(days % 40), Hours: int(hours % 30)}}
		times := make([]time.Time, len(gaps))
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		newest := 0
		for i, g := range gaps {
			// Any order, with ties: gaps of 0 to 255 hours, some backwards.
			if g%5 == 0 {
				at = at.Add(-time.Duration(g) * time.Hour)
			} else {
				at = at.Add(time.Duration(g) * time.Hour)
			}
			times[i] = at
			if at.After(times[newest]) {
				newest = i
			}
		}
		keep := p.Keep(times)
		kept := false
		for i := range keep {
			if i < 0 || i >= len(times) {
				t.Fatalf("Keep returned index %d of %d times", i, len(times))
			}
			if times[i].Equal(times[newest]) {
				kept = true
			}
		}
		if !kept {
			t.Fatalf("policy %v kept %v of %v: not the most recent copy", p, keep, times)
		}
	})
}

// TestPolicy_StringOfAnInvalidPolicy: the error of an invalid policy
// names it; String must not panic on negative counts.
func TestPolicy_StringOfAnInvalidPolicy(t *testing.T) {
	tests := []struct {
		policy Policy
		want   string
	}{
		{Policy{Last: -1}, "--keep-last -1"},
		{Policy{Within: Span{Days: -3}}, "--keep-within -3d"},
		{Policy{Daily: 7, Within: Span{Months: 6}}, "--keep-daily 7 --keep-within 6m"},
	}
	for _, tt := range tests {
		if got := tt.policy.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.policy, got, tt.want)
		}
		if err := tt.policy.check(); (err == nil) != (tt.want == "--keep-daily 7 --keep-within 6m") {
			t.Errorf("%#v.check() = %v", tt.policy, err)
		}
	}
}

// TestSync_LostLockStopsThePrune: a run whose lock another run took over
// (its context cancelled with a *LockLostError) must stop changing the
// folder: no further delete, no manifest written over the other run's.
func TestSync_LostLockStopsThePrune(t *testing.T) {
	defer func(d time.Duration) { lockRenewEvery = d }(lockRenewEvery)
	lockRenewEvery = 5 * time.Millisecond
	ctx := context.Background()
	d := open(t, filepath.Join(t.TempDir(), "copies"))
	f := newFixture(t, 1, 4, 2000)
	db := f.dbs[0]
	if res := Sync(ctx, d, f.sources(), Options{}); res[0].Failed() || len(res[0].Copied) != 4 {
		t.Fatalf("first run: %+v", res[0])
	}
	before, err := d.bucket.ReadAll(ctx, d.key(db, ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	took := false
	events := func(e Event) {
		if e.Kind != EventPruned || took {
			return
		}
		took = true
		// Another run takes the lock over; wait until this run's renewal
		// loop saw it (it stops renewing, so the lock stays the other's).
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			putLock(t, d, db, lockRecord{Holder: "thief", StartedAt: time.Now(), ExpiresAt: time.Now().Add(LockTTL)})
			time.Sleep(50 * time.Millisecond)
			if rec, err := d.readLock(ctx, d.key(db, LockName)); err == nil && rec.Holder == "thief" {
				return
			}
		}
	}
	res := Sync(ctx, d, f.sources(), Options{Policy: Policy{Last: 1}, Events: events})
	var lost *LockLostError
	if !errors.As(res[0].Err, &lost) {
		t.Errorf("run that lost its lock: %+v, want a *LockLostError", res[0])
	}
	if len(res[0].Pruned) != 1 {
		t.Errorf("pruned %v after the lock was lost, want only the one before", res[0].Pruned)
	}
	after, err := d.bucket.ReadAll(ctx, d.key(db, ManifestName))
	if err != nil || !bytes.Equal(before, after) {
		t.Errorf("the manifest was written after the lock was lost (%v)", err)
	}
}

// TestSync_DoneBackupWithNegativeSizeFails: a done backup the API lists
// with a negative size cannot be copied; the run must say so, not pass it
// over as if there were nothing to copy.
func TestSync_DoneBackupWithNegativeSizeFails(t *testing.T) {
	const body = `{"database_backups":[{"id":"5bd5c2f04ffb090000000001","created_at":"2026-12-01T03:15:00Z",` +
		`"name":"x.tar.gz","size":-5,"status":"done","database_id":"a0","method":"periodic"}]}`
	base := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/databases/db-00/backups") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	d := open(t, t.TempDir())
	res := Sync(context.Background(), d, []Source{{DatabaseID: "db-00", Client: clientFor(t, base+"/api")}}, Options{})
	if !res[0].Failed() || !strings.Contains(res[0].Err.Error(), "5bd5c2f04ffb090000000001") {
		t.Errorf("run: %+v, want a failure naming the backup", res[0])
	}
}

// TestSync_FutureBackupPrunesNothing: a backup the API dates far in the
// future (a clock gone wrong) would be the most recent copy, and
// --keep-within counts from the most recent copy: every real copy would
// be pruned. The run must fail on it and prune nothing.
func TestSync_FutureBackupPrunesNothing(t *testing.T) {
	ctx := context.Background()
	d := open(t, t.TempDir())
	f := newFixture(t, 1, 3, 2000)
	if res := Sync(ctx, d, f.sources(), Options{}); res[0].Failed() || len(res[0].Copied) != 3 {
		t.Fatalf("first run: %+v", res[0])
	}
	seed := seedOf(1, 3, 2000)
	future := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	bad := seed.Databases[0].Backups[0]
	bad.ID, bad.CreatedAt, bad.StartedAt = backupID(0, 500), future, &future
	seed.Databases[0].Backups = append(seed.Databases[0].Backups, bad)
	later := newFixture(t, 1, 0, 0, mockserver.WithSeed(seed))
	res := Sync(ctx, d, later.sources(), Options{Policy: Policy{Within: Span{Days: 7}}})
	if !res[0].Failed() || !strings.Contains(res[0].Err.Error(), bad.ID) || len(res[0].Pruned) != 0 {
		t.Errorf("run: %+v, want a failure naming %s and nothing pruned", res[0], bad.ID)
	}
	if m, err := d.readManifest(ctx, f.dbs[0]); err != nil || len(m.Backups) != 3 {
		t.Errorf("manifest: %+v, %v; want the 3 copies", m, err)
	}
}
