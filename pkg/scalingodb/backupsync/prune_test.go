package backupsync

import (
	"context"
	"strings"
	"testing"
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
				f := newFixture(t, 1, 3, 4000)
				db := f.dbs[0]
				if res := Sync(ctx, d, f.sources(), Options{}); res[0].Failed() || len(res[0].Copied) != 3 {
					t.Fatalf("first run: %+v", res[0])
				}
				m, err := d.readManifest(ctx, db)
				if err != nil || len(m.Backups) != 3 {
					t.Fatalf("manifest: %+v, %v", m, err)
				}
				lost := m.Backups[2]
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
