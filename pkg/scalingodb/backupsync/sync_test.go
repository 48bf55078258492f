package backupsync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"gocloud.dev/blob"
	"gocloud.dev/blob/memblob"
	"gocloud.dev/gcerrors"

	"github.com/scalingodb/dbapi-go/pkg/mockserver"
)

// archiveSum is the SHA-256 of the archive the mock serves for a backup.
func archiveSum(t testing.TB, id string, size int64) string {
	t.Helper()
	h := sha256.New()
	if _, err := io.Copy(h, mockserver.ArchiveContent(id, size)); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// destinations are the kinds of destination every engine test runs on.
func destinations(t *testing.T) map[string]func(t *testing.T) string {
	return map[string]func(t *testing.T) string{
		"folder": func(t *testing.T) string { return filepath.Join(t.TempDir(), "copies") },
		"file":   func(t *testing.T) string { return "file://" + filepath.ToSlash(t.TempDir()) + "/nested" },
		"s3":     func(t *testing.T) string { return startS3(t, "prod/backups") },
	}
}

// forEachDestination runs body in a subtest for each kind of destination,
// with a destination of that kind opened for it.
func forEachDestination(t *testing.T, body func(t *testing.T, d *Destination)) {
	t.Helper()
	for name, dest := range destinations(t) {
		t.Run(name, func(t *testing.T) { body(t, open(t, dest(t))) })
	}
}

func TestSync_CopiesThenSkips(t *testing.T) {
	const size = 300 << 10
	forEachDestination(t, func(t *testing.T, d *Destination) {
		ctx := context.Background()
		f := newFixture(t, 3, 3, size)
		res := Sync(ctx, d, f.sources(), Options{Jobs: 2, ToolVersion: "test", Download: fastRetry})
		for i, r := range res {
			if r.Failed() || len(r.Copied) != 3 || r.Bytes != 3*size || r.DatabaseID != dbName(i) || r.Seconds <= 0 {
				t.Fatalf("first run, database %d: %+v", i, r)
			}
		}
		// The manifest lists the archives with their sums and the layout.
		for i, db := range f.dbs {
			m, err := d.readManifest(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Backups) != 3 {
				t.Fatalf("%s: manifest lists %d backups", db, len(m.Backups))
			}
			for j, e := range m.Backups {
				if e.ID != backupID(i, j) || e.SHA256 != archiveSum(t, e.ID, size) || e.Size != size || e.ToolVersion != "test" || e.ETag == "" {
					t.Errorf("%s entry %d: %+v", db, j, e)
				}
				want := backupTime(j).Format("20060102T150405Z") + "_" + backupID(i, j) + ".tar.gz"
				if e.Key != want {
					t.Errorf("key %q, want %q", e.Key, want)
				}
			}
		}
		vr, err := Verify(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		if len(vr) != 3 {
			t.Fatalf("verify saw %d databases: %+v", len(vr), vr)
		}
		for _, r := range vr {
			if r.Failed() || r.OK != 3 || len(r.Unlisted) != 0 {
				t.Errorf("verify %s: %+v", r.DatabaseID, r)
			}
		}
		// A rerun with nothing new: no archive request, one list per database.
		lists, archives := f.counts.lists.Load(), f.counts.archives.Load()
		res = Sync(ctx, d, f.sources(), Options{Jobs: 2, ToolVersion: "test"})
		for _, r := range res {
			if r.Failed() || len(r.Copied) != 0 || len(r.Skipped) != 3 {
				t.Errorf("second run: %+v", r)
			}
		}
		if n := f.counts.archives.Load() - archives; n != 0 {
			t.Errorf("second run: %d archive requests, want 0", n)
		}
		if n := f.counts.lists.Load() - lists; n > int64(len(f.dbs)) {
			t.Errorf("second run: %d list requests for %d databases", n, len(f.dbs))
		}
	})
}

func TestSync_DryRunChangesNothing(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 1, 3, 1000)
	dir := t.TempDir()
	d := open(t, dir)
	res := Sync(ctx, d, f.sources(), Options{DryRun: true})
	if res[0].Failed() || len(res[0].Copied) != 3 || res[0].Bytes != 0 {
		t.Fatalf("dry run: %+v", res[0])
	}
	if n := f.counts.archives.Load(); n != 0 {
		t.Errorf("dry run made %d archive requests", n)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("dry run wrote %d entries", len(entries))
	}
}

func TestSync_Retention(t *testing.T) {
	forEachDestination(t, func(t *testing.T, d *Destination) {
		ctx := context.Background()
		f := newFixture(t, 1, 5, 2000)
		// A stranger's object under the prefix is never touched.
		stranger := d.key(f.dbs[0], "notes.txt")
		if err := d.bucket.WriteAll(ctx, stranger, []byte("mine"), nil); err != nil {
			t.Fatal(err)
		}
		res := Sync(ctx, d, f.sources(), Options{})
		if res[0].Failed() || len(res[0].Copied) != 5 {
			t.Fatalf("first run: %+v", res[0])
		}
		// keep-last 2, as a dry run first: it says, changes nothing.
		res = Sync(ctx, d, f.sources(), Options{Policy: Policy{Last: 2}, DryRun: true})
		want := []string{backupID(0, 0), backupID(0, 1), backupID(0, 2)}
		if got := sorted(res[0].Pruned); !slices.Equal(got, want) {
			t.Fatalf("dry run pruned %v, want %v", got, want)
		}
		if m, _ := d.readManifest(ctx, f.dbs[0]); len(m.Backups) != 5 {
			t.Fatalf("dry run changed the manifest: %d entries", len(m.Backups))
		}
		res = Sync(ctx, d, f.sources(), Options{Policy: Policy{Last: 2}})
		if got := sorted(res[0].Pruned); res[0].Failed() || !slices.Equal(got, want) {
			t.Fatalf("prune: %+v", res[0])
		}
		m, err := d.readManifest(ctx, f.dbs[0])
		if err != nil || len(m.Backups) != 2 || m.Backups[0].ID != backupID(0, 3) {
			t.Fatalf("manifest after prune: %+v, %v", m, err)
		}
		objs, _ := d.objects(ctx, f.dbs[0])
		var names []string
		for k := range objs {
			names = append(names, k)
		}
		sort.Strings(names)
		wantNames := []string{m.Backups[0].Key, m.Backups[1].Key, ManifestName, "notes.txt"}
		sort.Strings(wantNames)
		if !slices.Equal(names, wantNames) {
			t.Errorf("objects after prune: %v, want %v", names, wantNames)
		}
		// A pruned backup is not copied again by the next run.
		archives := f.counts.archives.Load()
		res = Sync(ctx, d, f.sources(), Options{Policy: Policy{Last: 2}})
		if res[0].Failed() || len(res[0].Copied) != 0 || f.counts.archives.Load() != archives {
			t.Errorf("run after prune: %+v, %d archive requests", res[0], f.counts.archives.Load()-archives)
		}
		vr, _ := Verify(ctx, d, f.dbs[0])
		if vr[0].Failed() || vr[0].OK != 2 || len(vr[0].Unlisted) != 1 || vr[0].Unlisted[0].Key != stranger {
			t.Errorf("verify: %+v", vr[0])
		}
	})
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// cutter cuts every archive download of one database: after 50 KiB for a
// first request, at once for a resumed (ranged) one, so that the client
// gives up with bytes already written.
func cutter(h http.Handler, db string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/databases/"+db+"/") && strings.HasSuffix(r.URL.Path, "/download") && r.URL.Query().Get("token") != "" {
			left := 50 << 10
			if r.Header.Get("Range") != "" {
				left = 0
			}
			w = &cutWriter{ResponseWriter: w, left: left}
		}
		h.ServeHTTP(w, r)
	})
}

type cutWriter struct {
	http.ResponseWriter
	left int
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if c.left <= 0 {
		panic(http.ErrAbortHandler)
	}
	if len(p) > c.left {
		p = p[:c.left]
	}
	n, _ := c.ResponseWriter.Write(p)
	c.left -= n
	if c.left <= 0 {
		panic(http.ErrAbortHandler)
	}
	return n, nil
}

func TestSync_FailureLeavesNothingAndSparesOthers(t *testing.T) {
	forEachDestination(t, func(t *testing.T, d *Destination) {
		ctx := context.Background()
		f := newFixture(t, 3, 2, 200<<10)
		// Rebuild the client over a server that cuts db-01's archives.
		srv := httptestServer(t, cutter(f.counts.wrap(f.srv.Handler()), f.dbs[1]))
		f.client = clientFor(t, srv+"/api")
		retry := fastRetry[:0:0]
		retry = append(retry, shortRetry)
		res := Sync(ctx, d, f.sources(), Options{Jobs: 3, Download: retry})
		for i, r := range res {
			if i == 1 {
				if !r.Failed() || len(r.Copied) != 0 || len(r.Errors) != 2 {
					t.Errorf("cut database: %+v", r)
				}
				continue
			}
			if r.Failed() || len(r.Copied) != 2 {
				t.Errorf("database %d: %+v", i, r)
			}
		}
		// Nothing at the final keys of the failed database, no manifest.
		for j := range 2 {
			key := d.key(f.dbs[1], objectName(backupTime(j), backupID(1, j), "x.tar.gz"))
			if ok, err := d.bucket.Exists(ctx, key); ok || err != nil {
				t.Errorf("%s exists after a failed copy (%v)", key, err)
			}
		}
		if _, err := d.bucket.Attributes(ctx, d.key(f.dbs[1], ManifestName)); gcerrors.Code(err) != gcerrors.NotFound {
			t.Errorf("manifest of the failed database: %v", err)
		}
	})
}

func TestSync_Faults(t *testing.T) {
	// Resets, 5xx and archives that change after each download: every
	// copy ends complete and verified, however many attempts it took.
	forEachDestination(t, func(t *testing.T, d *Destination) {
		ctx := context.Background()
		f := newFixture(t, 2, 2, 512<<10, mockserver.WithFaults(mockserver.Faults{ResetRate: 0.2, ErrorRate: 0.1, ArchiveChangeRate: 0.5, Seed: 7}))
		var res []Result
		for range 5 { // a failed database is retried by the next run
			res = Sync(ctx, d, f.sources(), Options{Download: fastRetry})
			if !res[0].Failed() && !res[1].Failed() {
				break
			}
		}
		for _, r := range res {
			if r.Failed() {
				t.Fatalf("still failing after 5 runs: %+v", r)
			}
		}
		vr, err := Verify(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range vr {
			if r.Failed() || r.OK != 2 || len(r.Unlisted) != 0 {
				t.Errorf("verify %s: %+v", r.DatabaseID, r)
			}
		}
	})
}

func TestVerify_FindsMissingCorruptUnlisted(t *testing.T) {
	forEachDestination(t, func(t *testing.T, d *Destination) {
		ctx := context.Background()
		f := newFixture(t, 1, 3, 4000)
		if res := Sync(ctx, d, f.sources(), Options{}); res[0].Failed() {
			t.Fatal(res[0])
		}
		m, _ := d.readManifest(ctx, f.dbs[0])
		db := f.dbs[0]
		if err := d.bucket.Delete(ctx, d.key(db, m.Backups[0].Key)); err != nil {
			t.Fatal(err)
		}
		data, _ := d.bucket.ReadAll(ctx, d.key(db, m.Backups[1].Key))
		data[100] ^= 1
		if err := d.bucket.WriteAll(ctx, d.key(db, m.Backups[1].Key), data, nil); err != nil {
			t.Fatal(err)
		}
		if err := d.bucket.WriteAll(ctx, d.key(db, "20200101T000000Z_x.tar.gz"), []byte("x"), nil); err != nil {
			t.Fatal(err)
		}
		vr, err := Verify(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		r := vr[0]
		if !r.Failed() || r.OK != 1 || len(r.Missing) != 1 || len(r.Corrupt) != 1 || len(r.Unlisted) != 1 ||
			r.Missing[0].BackupID != m.Backups[0].ID || r.Corrupt[0].BackupID != m.Backups[1].ID ||
			!strings.Contains(r.Corrupt[0].Reason, "sha256") {
			t.Errorf("verify: %+v", r)
		}
		// The next sync copies the missing and corrupt ones again.
		res := Sync(ctx, d, f.sources(), Options{})
		// (The corrupt one has the right size, but another ETag: sync reads
		// it again and finds another SHA-256.)
		if res[0].Failed() || len(res[0].Copied) != 2 {
			t.Errorf("resync: %+v, want the missing and the corrupt copies made again", res[0])
		}
		vr, _ = Verify(ctx, d)
		if len(vr[0].Missing) != 0 {
			t.Errorf("after a resync, missing: %+v", vr[0].Missing)
		}
	})
}

// TestOpen refuses what it cannot open: a scheme whose driver this build
// lacks, a scheme that is no bucket, a file URL with a host, no URL.
func TestOpen(t *testing.T) {
	for _, u := range []string{"gs://bucket/x", "azblob://container", "http://example.com/x", "file://host/x", ""} {
		t.Run(url.PathEscape(u), func(t *testing.T) {
			if d, err := Open(context.Background(), u); err == nil {
				t.Fatalf("Open(%q) = %v, nil; want an error", u, d)
			}
		})
	}
}

func TestSync_RemovesStaleTempManifest(t *testing.T) {
	// A run killed while it wrote a folder's manifest leaves its temporary
	// file: the next run removes it, so that verify finds nothing unlisted.
	ctx := context.Background()
	f := newFixture(t, 1, 1, 1000)
	dir := t.TempDir()
	d := open(t, dir)
	stale := filepath.Join(dir, f.dbs[0], ".manifest-12345.tmp")
	if err := os.MkdirAll(filepath.Dir(stale), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, []byte(`{"format":1`), 0o600); err != nil {
		t.Fatal(err)
	}
	if res := Sync(ctx, d, f.sources(), Options{}); res[0].Failed() {
		t.Fatal(res[0])
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temporary manifest still there: %v", err)
	}
	vr, _ := Verify(ctx, d)
	if vr[0].Failed() || len(vr[0].Unlisted) != 0 {
		t.Errorf("verify: %+v", vr[0])
	}
}

// TestPartSize checks that an archive of any size fits in S3's 10,000
// parts, with room to grow, and that small archives take S3's smallest
// part (the least memory).
func TestPartSize(t *testing.T) {
	const mib, gib = int64(1 << 20), int64(1 << 30)
	tests := []struct {
		size int64
		want int64 // 0: only check that it fits
	}{
		{0, 5 * mib},
		{256 * mib, 5 * mib},
		{40 * gib, 5 * mib},
		{50 * gib, 0},
		{500 * gib, 0},
		{5 * 1024 * gib, 0},
	}
	for _, tt := range tests {
		got := int64(partSize(tt.size))
		if tt.want != 0 && got != tt.want {
			t.Errorf("partSize(%d) = %d, want %d", tt.size, got, tt.want)
		}
		if got < 5*mib || got%mib != 0 {
			t.Errorf("partSize(%d) = %d: not a whole number of MiB of at least 5 MiB", tt.size, got)
		}
		if parts := (tt.size*11/10 + got - 1) / got; parts > 10000 {
			t.Errorf("partSize(%d) = %d: the archive grown by 10%% needs %d parts, over S3's 10,000", tt.size, got, parts)
		}
	}
}

// TestOpen_RegisteredScheme: a scheme whose driver is registered with
// gocloud.dev's default URL mux (as a build tag registers gs:// and
// azblob://) opens, its path the prefix, and copies go there; a scheme
// without a driver is an *UnsupportedURLError.
func TestOpen_RegisteredScheme(t *testing.T) {
	mem := memblob.OpenBucket(nil)
	t.Cleanup(func() { mem.Close() })
	const scheme = "backupsynctest"
	blob.DefaultURLMux().RegisterBucket(scheme, bucketOpener(func(context.Context, *url.URL) (*blob.Bucket, error) { return mem, nil }))
	ctx := context.Background()
	d, err := Open(ctx, scheme+"://bucket/nightly/db")
	if err != nil {
		t.Fatal(err)
	}
	if d.prefix != "nightly/db" {
		t.Errorf("prefix %q, want nightly/db", d.prefix)
	}
	if err := d.writeManifest(ctx, &Manifest{Format: ManifestFormat, DatabaseID: "db1"}); err != nil {
		t.Fatal(err)
	}
	if ok, err := mem.Exists(ctx, "nightly/db/db1/"+ManifestName); err != nil || !ok {
		t.Errorf("the manifest is not in the registered bucket under the prefix: %t, %v", ok, err)
	}
	var ue *UnsupportedURLError
	if _, err := Open(ctx, "gs://bucket/prefix"); !errors.As(err, &ue) || !strings.Contains(err.Error(), "-tags gcs") {
		t.Errorf("gs:// without its build tag: %v, want an *UnsupportedURLError naming -tags gcs", err)
	}
}

// bucketOpener is a blob.BucketURLOpener from a function.
type bucketOpener func(context.Context, *url.URL) (*blob.Bucket, error)

func (f bucketOpener) OpenBucketURL(ctx context.Context, u *url.URL) (*blob.Bucket, error) {
	return f(ctx, u)
}
