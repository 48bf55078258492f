//go:build unix

package backupsync

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"gocloud.dev/blob"

	"github.com/scalingodb/dbapi-go/pkg/mockserver"
)

// BenchmarkSync copies 20 databases × 3 done backups of 2 MiB (120 MiB)
// from the mock to the in-process S3 server with 4 jobs, and the same
// archives with DownloadToFile to a local folder, 4 databases at a time,
// in the same iteration (one iteration takes a few seconds on 2 busy
// cores). It reports the throughput ratio (sync/downloadtofile, higher is
// better) and, for a second sync with nothing new, the archive requests,
// list requests per database and seconds. Beside them it measures the
// floor the S3 server sets: the same bytes written to a fresh bucket of the
// same server through the same driver, 4 objects at a time, with nothing
// downloaded (upload-floor/downloadtofile), and how close sync comes to it
// (sync/upload-floor).
func BenchmarkSync(b *testing.B) {
	const (
		nDB, perDB = 20, 3
		size       = 2 << 20
	)
	f := newFixture(b, nDB, perDB, size)
	s3Env(b)
	ctx := context.Background()
	var tSync, tFile, tSecond, tFloor time.Duration
	payload := make([]byte, size)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	var secondArchives, secondLists int64
	runs := 0
	for b.Loop() {
		// The DownloadToFile side: 4 databases at a time, one archive each.
		dir := b.TempDir()
		t0 := time.Now()
		sem := make(chan struct{}, 4)
		var wg sync.WaitGroup
		for i, db := range f.dbs {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				for j := range perDB {
					if _, err := f.client.Backups.DownloadToFile(ctx, db, backupID(i, j), filepath.Join(dir, db+"-"+backupID(i, j))); err != nil {
						b.Error(err)
					}
				}
			})
		}
		wg.Wait()
		tFile += time.Since(t0)
		_ = os.RemoveAll(dir)

		// The sync side, to a fresh bucket.
		backend := s3mem.New()
		if err := backend.CreateBucket(testBucket); err != nil {
			b.Fatal(err)
		}
		srv := httptest.NewServer(gofakes3.New(backend).Server())
		d, err := Open(ctx, s3URL(srv.URL, "bench"))
		if err != nil {
			b.Fatal(err)
		}
		t0 = time.Now()
		for _, r := range Sync(ctx, d, f.sources(), Options{Jobs: 4}) {
			if r.Failed() || len(r.Copied) != perDB {
				b.Fatalf("sync: %+v", r)
			}
		}
		tSync += time.Since(t0)

		// A second run, nothing new.
		archives, lists := f.counts.archives.Load(), f.counts.lists.Load()
		t0 = time.Now()
		for _, r := range Sync(ctx, d, f.sources(), Options{Jobs: 4}) {
			if r.Failed() || len(r.Skipped) != perDB {
				b.Fatalf("second sync: %+v", r)
			}
		}
		tSecond += time.Since(t0)
		secondArchives += f.counts.archives.Load() - archives
		secondLists += f.counts.lists.Load() - lists
		_ = d.Close()
		srv.Close()

		// The floor: the same bytes uploaded alone, 4 at a time.
		tFloor += uploadFloor(b, nDB*perDB, payload)
		runs++
	}
	b.SetBytes(nDB * perDB * size)
	b.ReportMetric(tFile.Seconds()/tSync.Seconds(), "sync/downloadtofile")
	b.ReportMetric(tFile.Seconds()/tFloor.Seconds(), "upload-floor/downloadtofile")
	b.ReportMetric(tFloor.Seconds()/tSync.Seconds(), "sync/upload-floor")
	b.ReportMetric(float64(secondArchives)/float64(runs), "second-run-archive-requests")
	b.ReportMetric(float64(secondLists)/float64(runs*nDB), "second-run-lists/db")
	b.ReportMetric(tSecond.Seconds()/float64(runs), "second-run-s")
}

// uploadFloor writes n copies of payload to a fresh bucket of a fresh
// in-process S3 server through s3blob, 4 at a time, and returns the time
// taken.
func uploadFloor(b *testing.B, n int, payload []byte) time.Duration {
	b.Helper()
	ctx := context.Background()
	backend := s3mem.New()
	if err := backend.CreateBucket(testBucket); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	defer srv.Close()
	bucket, err := blob.OpenBucket(ctx, "s3://"+testBucket+"?region=us-east-1&use_path_style=true&endpoint="+srv.URL)
	if err != nil {
		b.Fatal(err)
	}
	defer bucket.Close()
	t0 := time.Now()
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := bucket.WriteAll(ctx, fmt.Sprintf("floor/%03d", i), payload, nil); err != nil {
				b.Error(err)
			}
		})
	}
	wg.Wait()
	return time.Since(t0)
}

// BenchmarkSyncPeakRSS runs `scalingodb backups sync` (built for the
// benchmark) on one database whose archive is 256 MiB, from the mock to the
// in-process S3 server, and reports the process's peak resident memory
// (getrusage's ru_maxrss): the footprint of one job, the whole tool
// included. Beside it, the same sync of a 1 MiB archive gives the tool's
// own floor (its code, runtime and SDK, one part buffer), and per-job-MiB
// what the large archive adds to it.
func BenchmarkSyncPeakRSS(b *testing.B) {
	const size = 256 << 20
	bin := filepath.Join(b.TempDir(), "scalingodb")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/scalingodb/dbapi-go/cmd/scalingodb").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	large, small := newFixture(b, 1, 1, size), newFixture(b, 1, 1, 1<<20)
	s3Env(b)
	var peak, floor int64
	for b.Loop() {
		peak = max(peak, syncRSS(b, bin, large))
		floor = max(floor, syncRSS(b, bin, small))
	}
	b.SetBytes(size)
	b.ReportMetric(float64(peak)/1024, "peak-RSS-MiB")
	b.ReportMetric(float64(floor)/1024, "floor-RSS-MiB")
	b.ReportMetric(float64(peak-floor)/1024, "per-job-MiB")
}

// syncRSS runs bin's backups sync of f's one database to a fresh bucket of
// a fresh in-process S3 server and returns the process's peak RSS in KiB.
// It starts it through a small process of its own (TestRSSRunner): a
// child that Go starts shares the parent's memory until it runs exec, and
// Linux counts the parent's high-water RSS into the child's ru_maxrss, so
// a child of the benchmark itself would report the benchmark's memory.
func syncRSS(b *testing.B, bin string, f *fixture) int64 {
	b.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(testBucket); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	defer srv.Close()
	runner := exec.Command(os.Args[0], "-test.run", "^TestRSSRunner$")
	runner.Env = append(os.Environ(), envRSSRun+"="+strings.Join([]string{bin, "backups", "sync", "--database", f.dbs[0],
		"--to", s3URL(srv.URL, "rss"), "--api-url", f.base, "--token-stdin", "-q"}, "\x1f"))
	runner.Stdin = strings.NewReader(mockserver.DefaultToken + "\n")
	out, err := runner.CombinedOutput()
	if err != nil {
		b.Fatalf("scalingodb backups sync: %v\n%s", err, out)
	}
	var kib int64
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "maxrss-KiB="); ok {
			kib, err = strconv.ParseInt(v, 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kib
		}
	}
	b.Fatalf("no maxrss in the runner's output:\n%s", out)
	return 0
}

// envRSSRun holds the command TestRSSRunner runs, its words separated by
// the unit separator \x1f.
const envRSSRun = "BACKUPSYNC_RSS_RUN"

// TestRSSRunner runs the command in BACKUPSYNC_RSS_RUN with this process's
// stdin and prints its peak RSS (maxrss-KiB=N): a small parent, so that
// the figure is the command's own (see syncRSS). It does nothing in a
// normal run.
func TestRSSRunner(t *testing.T) {
	words := os.Getenv(envRSSRun)
	if words == "" {
		t.Skip("runs only as the child of BenchmarkSyncPeakRSS")
	}
	args := strings.Split(words, "\x1f")
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin = os.Stdin
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Fatal("no rusage")
	}
	fmt.Printf("maxrss-KiB=%d\n", ru.Maxrss) // KiB on Linux
}
