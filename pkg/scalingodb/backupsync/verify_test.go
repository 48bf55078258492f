package backupsync

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestVerify_NothingToVerifyIsAFailure: a verify that checked no copy
// must not pass: a database folder whose manifest is gone (its copies all
// "unlisted"), a database given that has no folder (a typo), a
// destination with no database folder at all (a wrong prefix).
func TestVerify_NothingToVerifyIsAFailure(t *testing.T) {
	forEachDestination(t, func(t *testing.T, d *Destination) {
		ctx := context.Background()
		if _, err := Verify(ctx, d); !errors.Is(err, ErrNothingToVerify) {
			t.Errorf("verify of an empty destination: %v, want ErrNothingToVerify", err)
		}
		f := newFixture(t, 1, 2, 3000)
		db := f.dbs[0]
		if res := Sync(ctx, d, f.sources(), Options{}); res[0].Failed() {
			t.Fatal(res[0])
		}
		vr, err := Verify(ctx, d, db, "db-typo")
		if err != nil || len(vr) != 2 {
			t.Fatalf("verify: %+v, %v", vr, err)
		}
		if vr[0].Failed() || vr[0].OK != 2 {
			t.Errorf("verify of a synced database: %+v", vr[0])
		}
		if !vr[1].Failed() || !errors.Is(vr[1].Err, ErrNothingToVerify) {
			t.Errorf("verify of a database with no folder: %+v, want a failure", vr[1])
		}
		if err := d.bucket.Delete(ctx, d.key(db, ManifestName)); err != nil {
			t.Fatal(err)
		}
		vr, err = Verify(ctx, d)
		if err != nil || len(vr) != 1 {
			t.Fatalf("verify: %+v, %v", vr, err)
		}
		if !vr[0].Failed() || !errors.Is(vr[0].Err, ErrNothingToVerify) || len(vr[0].Unlisted) != 2 {
			t.Errorf("verify of a folder whose manifest is gone: %+v, want a failure and 2 unlisted", vr[0])
		}
		if err := d.writeManifest(ctx, &Manifest{Format: ManifestFormat, DatabaseID: db, UpdatedAt: time.Now().UTC()}); err != nil {
			t.Fatal(err)
		}
		vr, err = Verify(ctx, d, db)
		if err != nil || len(vr) != 1 || !vr[0].Failed() || !errors.Is(vr[0].Err, ErrNothingToVerify) {
			t.Errorf("verify of a manifest that lists no copy: %+v, %v; want ErrNothingToVerify", vr, err)
		}
	})
}

// TestVerify_PassesOverAFirstSyncUnderWay: a folder that holds only the
// lock of a first sync (no manifest yet) is no failure of a verify of the
// whole destination, and no database to report; named, it has nothing to
// verify.
func TestVerify_PassesOverAFirstSyncUnderWay(t *testing.T) {
	forEachDestination(t, func(t *testing.T, d *Destination) {
		ctx := context.Background()
		f := newFixture(t, 1, 1, 3000)
		if res := Sync(ctx, d, f.sources(), Options{}); res[0].Failed() {
			t.Fatal(res[0])
		}
		held, _, err := d.lock(ctx, "db-new", "test", time.Now)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = held.release() }()
		vr, err := Verify(ctx, d)
		if err != nil || len(vr) != 1 || vr[0].DatabaseID != f.dbs[0] || vr[0].Failed() {
			t.Errorf("verify: %+v, %v; want only %s, intact", vr, err, f.dbs[0])
		}
		vr, err = Verify(ctx, d, "db-new")
		if err != nil || len(vr) != 1 || !errors.Is(vr[0].Err, ErrNothingToVerify) {
			t.Errorf("verify of the folder under way, named: %+v, %v; want ErrNothingToVerify", vr, err)
		}
	})
}
