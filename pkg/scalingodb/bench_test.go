package scalingodb

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/mockserver"
)

// Environment of the download helper process (see TestMain).
const (
	helperEnv     = "SCALINGODB_DOWNLOAD_HELPER_BASEURL"
	helperBackup  = "SCALINGODB_DOWNLOAD_HELPER_BACKUP"
	helperFile    = "SCALINGODB_DOWNLOAD_HELPER_FILE"
	bigBackupID   = "5f0000000000000000000001"
	bigBackupSize = 1 << 30
)

// TestMain doubles as the download helper process of
// BenchmarkDownload1GiB: with helperEnv set, the test binary downloads one
// backup with DownloadToFile into the file helperFile names (partial file,
// sync, rename: durable on disk) and prints the time it took and its peak
// resident memory (VmHWM), then exits, so that both are measured in a
// process of its own.
func TestMain(m *testing.M) {
	if base := os.Getenv(helperEnv); base != "" {
		os.Exit(downloadHelper(base, os.Getenv(helperBackup), os.Getenv(helperFile)))
	}
	os.Exit(m.Run())
}

func downloadHelper(base, backupID, path string) int {
	if path == "" {
		fmt.Fprintln(os.Stderr, helperFile+" is not set")
		return 1
	}
	c, err := New(WithBaseURL(base), WithToken(mockserver.DefaultToken))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	start := time.Now()
	n, err := c.Backups.DownloadToFile(context.Background(), demoDB, backupID, path)
	elapsed := time.Since(start)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	hwm, err := vmHWM()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("bytes=%d vmhwm_kib=%d ns=%d\n", n, hwm, elapsed.Nanoseconds())
	return 0
}

// helperDownload runs downloadHelper in a process of its own, into a new
// file of dir that it removes after, and returns the time its download took
// (the final sync and rename included) and its peak resident memory in KiB.
func helperDownload(b *testing.B, base, dir string) (time.Duration, int64) {
	b.Helper()
	path := filepath.Join(dir, "wrapper.tar.gz")
	defer os.Remove(path)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"="+base, helperBackup+"="+bigBackupID, helperFile+"="+path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("helper: %v: %s", err, out)
	}
	var n, hwm, ns int64
	if _, err := fmt.Sscanf(string(out), "bytes=%d vmhwm_kib=%d ns=%d", &n, &hwm, &ns); err != nil || n != bigBackupSize {
		b.Fatalf("helper output %q: %v", out, err)
	}
	return time.Duration(ns), hwm
}

// vmHWM reads the peak resident set size of this process, in KiB.
func vmHWM() (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/self/status")
}

// usersBody is the fixed answer of BenchmarkRoundTrip.
const usersBody = `{"database-users":[` +
	`{"name":"my-db-123","read_only":false,"protected":true,"dbms_attributes":{"password_encryption":"SCRAM-SHA-256"}},` +
	`{"name":"metabase","read_only":true,"protected":false,"dbms_attributes":{"password_encryption":"SCRAM-SHA-256"}},` +
	`{"name":"reporting","read_only":false,"protected":false,"dbms_attributes":{"password_encryption":"SCRAM-SHA-256"}}]}`

// BenchmarkRoundTrip compares Users.List with the same GET done with raw
// net/http and encoding/json, against one loopback handler that answers
// fixed bytes, so that the server costs the same on both sides.
func BenchmarkRoundTrip(b *testing.B) {
	body := []byte(usersBody)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	ctx := context.Background()

	c, err := New(WithBaseURL(srv.URL), WithToken(testToken))
	if err != nil {
		b.Fatal(err)
	}
	wrapper := func(b *testing.B) {
		users, err := c.Users.List(ctx, "my-db-123")
		if err != nil || len(users) != 3 {
			b.Fatal(users, err)
		}
	}
	hc := &http.Client{Timeout: 60 * time.Second}
	url := srv.URL + "/api/databases/my-db-123/users"
	type user struct {
		Name           string `json:"name"`
		ReadOnly       bool   `json:"read_only"`
		Protected      bool   `json:"protected"`
		DbmsAttributes struct {
			PasswordEncryption string `json:"password_encryption"`
		} `json:"dbms_attributes"`
	}
	raw := func(b *testing.B) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var out struct {
			Users []user `json:"database-users"`
		}
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || len(out.Users) != 3 {
			b.Fatal(out, err)
		}
	}
	b.Run("wrapper", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			wrapper(b)
		}
	})
	b.Run("raw", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			raw(b)
		}
	})
	// interleaved alternates both requests in one loop, so that load from
	// other processes hits both sides alike, and reports the time ratio.
	b.Run("interleaved", func(b *testing.B) {
		var tw, tr time.Duration
		for b.Loop() {
			t0 := time.Now()
			wrapper(b)
			t1 := time.Now()
			raw(b)
			tr += time.Since(t1)
			tw += t1.Sub(t0)
		}
		b.ReportMetric(float64(tw.Nanoseconds())/float64(b.N), "wrapper-ns/op")
		b.ReportMetric(float64(tr.Nanoseconds())/float64(b.N), "raw-ns/op")
		b.ReportMetric(float64(tw)/float64(tr), "wrapper/raw")
	})
}

// seedWithBackup is the demo seed plus a done backup of the given size on my-db-123.
func seedWithBackup(id string, size int64) mockserver.Seed {
	seed := mockserver.DemoSeed()
	db := &seed.Databases[0]
	created := time.Date(2024, 1, 1, 3, 0, 0, 0, time.UTC)
	method := dbapi.BackupMethodManual
	db.Backups = append(db.Backups, dbapi.Backup{ID: id, CreatedAt: created, StartedAt: &created,
		Name: "big", Size: &size, Status: dbapi.BackupStatusDone, DatabaseID: db.Database.ID, Method: &method})
	return seed
}

// BenchmarkDownload1GiB compares downloads of a 1 GiB archive from the
// mock, durable on disk on both sides: DownloadToFile (partial file, sync,
// rename) against `curl -o FILE` followed by `sync FILE`. The wrapper side
// also reports the peak resident memory (VmHWM) of a separate process that
// runs the same download, and the in-process DownloadAt into a discarding
// io.WriterAt.
func BenchmarkDownload1GiB(b *testing.B) {
	_, base := mockserver.Start(b, mockserver.WithSeed(seedWithBackup(bigBackupID, bigBackupSize)), mockserver.WithDownloadTTL(time.Hour))
	c, err := New(WithBaseURL(base), WithToken(mockserver.DefaultToken))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	dir := b.TempDir()
	b.Run("wrapper", func(b *testing.B) {
		b.SetBytes(bigBackupSize)
		for b.Loop() {
			n, err := c.Backups.DownloadAt(ctx, demoDB, bigBackupID, discardAt{})
			if err != nil || n != bigBackupSize {
				b.Fatal(n, err)
			}
		}
		b.StopTimer()
		_, hwm := helperDownload(b, base, dir)
		b.ReportMetric(float64(hwm)/1024, "peak-RSS-MiB")
	})
	// nethttp is the floor of Go itself: one GET of the same URL copied
	// to io.Discard with a buffer of the same size as the wrapper's.
	b.Run("nethttp", func(b *testing.B) {
		link, err := c.Backups.ArchiveLink(ctx, demoDB, bigBackupID)
		if err != nil {
			b.Fatal(err)
		}
		buf := make([]byte, 256<<10) // the downloader's buffer per connection
		b.SetBytes(bigBackupSize)
		for b.Loop() {
			resp, err := http.Get(link.URL())
			if err != nil {
				b.Fatal(err)
			}
			n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{resp.Body}, buf)
			resp.Body.Close()
			if err != nil || n != bigBackupSize {
				b.Fatal(n, err)
			}
		}
	})
	link, err := c.Backups.ArchiveLink(ctx, demoDB, bigBackupID)
	if err != nil {
		b.Fatal(err)
	}
	// curl downloads the archive into a file, then `sync FILE` makes it
	// durable; it returns curl's transfer time plus the sync's.
	curl := func(b *testing.B) time.Duration {
		path := filepath.Join(dir, "curl.tar.gz")
		defer os.Remove(path)
		out, err := exec.Command("curl", "-s", "-S", "-f", "-o", path, "-w", "%{size_download} %{time_total}", link.URL()).CombinedOutput()
		var n int64
		var secs float64
		if err == nil {
			_, err = fmt.Sscanf(string(out), "%d %f", &n, &secs)
		}
		if err != nil || n != bigBackupSize {
			b.Fatalf("curl: %v: %s", err, out)
		}
		start := time.Now()
		if out, err := exec.Command("sync", path).CombinedOutput(); err != nil {
			b.Fatalf("sync: %v: %s", err, out)
		}
		return time.Duration(secs*float64(time.Second)) + time.Since(start)
	}
	b.Run("curl", func(b *testing.B) {
		b.SetBytes(bigBackupSize)
		for b.Loop() {
			curl(b)
		}
	})
	// interleaved alternates the wrapper and curl, each in a process of its
	// own as a user would run them (the wrapper in a child test binary, so
	// that it does not share the mock's Go runtime), and compares the
	// transfer times each reports, both durable on disk. Alternating lets
	// load from other processes hit both alike.
	b.Run("interleaved", func(b *testing.B) {
		const pairs = 7 // per iteration: one iteration takes seconds, and one pair is a noisy sample
		var tw, tc time.Duration
		var ratios []float64
		for b.Loop() {
			for range pairs {
				wt, _ := helperDownload(b, base, dir)
				ct := curl(b)
				tw += wt
				tc += ct
				ratios = append(ratios, ct.Seconds()/wt.Seconds())
			}
		}
		b.ReportMetric(float64(bigBackupSize)*float64(b.N*pairs)/tw.Seconds()/1e6, "wrapper-MB/s")
		b.ReportMetric(float64(bigBackupSize)*float64(b.N*pairs)/tc.Seconds()/1e6, "curl-MB/s")
		// The median of the pairs' ratios: one pair disturbed by another
		// process on this 2-core machine does not sway it.
		slices.Sort(ratios)
		b.ReportMetric(ratios[len(ratios)/2], "wrapper/curl-throughput")
	})
}

// patternAt is an io.ReaderAt of size bytes that repeats block: a large
// archive that takes no memory.
type patternAt struct {
	block []byte
	size  int64
}

func (p patternAt) ReadAt(b []byte, off int64) (int, error) {
	n := 0
	for n < len(b) && off < p.size {
		i := off % int64(len(p.block))
		c := copy(b[n:], p.block[i:min(int64(len(p.block)), i+p.size-off)])
		n += c
		off += int64(c)
	}
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}

// BenchmarkDownloadToFileResume1GiB cuts a DownloadToFile of a 1 GiB
// archive at half (the host then answers 404, so the call fails), then
// resumes it with a second call, and reports how many MiB the host sent
// more than the archive's size: what the resume fetched again.
func BenchmarkDownloadToFileResume1GiB(b *testing.B) {
	const size = 1 << 30
	archive := patternAt{block: randomBytes(1 << 20), size: size}
	var broken atomic.Bool
	h := &downloadHost{size: size}
	h.dl = func(w http.ResponseWriter, r *http.Request) {
		if broken.Load() {
			if h.reqs.Load() == 1 {
				w.Header().Set("ETag", `"v1"`)
				http.ServeContent(&cuttingWriter{ResponseWriter: w, Limit: size / 2}, r, "", time.Time{}, io.NewSectionReader(archive, 0, size))
				return
			}
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		http.ServeContent(w, r, "", time.Time{}, io.NewSectionReader(archive, 0, size))
	}
	srv := httptest.NewServer(http.HandlerFunc(h.handler))
	b.Cleanup(srv.Close)
	c, err := New(WithBaseURL(srv.URL), WithToken(testToken))
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "b.tar.gz")
	var refetched int64
	for b.Loop() {
		h.reqs.Store(0)
		h.served.Store(0)
		broken.Store(true)
		if _, err := c.Backups.DownloadToFile(context.Background(), "db", "b1", path, fastDownloadRetry()); !errors.Is(err, ErrNotFound) {
			b.Fatalf("first call: %v", err)
		}
		broken.Store(false)
		n, err := c.Backups.DownloadToFile(context.Background(), "db", "b1", path)
		if err != nil || n != size {
			b.Fatal(n, err)
		}
		refetched += h.served.Load() - size
		os.Remove(path)
	}
	b.ReportMetric(float64(refetched)/float64(b.N)/(1<<20), "refetched-MiB")
}

// BenchmarkGzipBomb answers an API call with 1 MiB of gzip that expands to
// 1 GiB, and reports the requests sent (the client must not retry an
// answer over its cap) and the peak heap growth while the call runs.
func BenchmarkGzipBomb(b *testing.B) {
	// 1024 gzip members of 1 MiB of zeros each: about 1 MiB on the wire.
	member := gzipBomb(b, 1<<20)
	bomb := bytes.Repeat(member, 1024)
	var reqs atomic.Int64
	srv := bombServer(b, bomb, &reqs)
	c, err := New(WithBaseURL(srv.URL), WithToken(testToken), WithRetry(RetryPolicy{MaxAttempts: 4, MinWait: time.Millisecond, MaxWait: time.Millisecond}))
	if err != nil {
		b.Fatal(err)
	}
	var peak uint64
	for b.Loop() {
		reqs.Store(0)
		runtime.GC()
		base, stop := heapPeak()
		_, err := c.Users.List(context.Background(), "db")
		p := stop()
		if !errors.As(err, new(*http.MaxBytesError)) {
			b.Fatalf("got %v, want *http.MaxBytesError", err)
		}
		peak = max(peak, p-min(p, base))
	}
	b.ReportMetric(float64(len(bomb))/(1<<20), "gzip-MiB")
	b.ReportMetric(float64(reqs.Load()), "requests")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// heapPeak samples the heap's live objects every 100µs until stop is
// called; it returns the heap at the start, and stop returns the peak.
func heapPeak() (base uint64, stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	base = read()
	done := make(chan struct{})
	result := make(chan uint64)
	go func() {
		peak := base
		t := time.NewTicker(100 * time.Microsecond)
		defer t.Stop()
		for {
			peak = max(peak, read())
			select {
			case <-done:
				result <- max(peak, read())
				return
			case <-t.C:
			}
		}
	}()
	return base, func() uint64 { close(done); return <-result }
}

// BenchmarkParallelRanges downloads the demo's 64 MiB backup from a mock
// that caps each connection at 16 MiB/s, over one and over four ranged
// connections.
func BenchmarkParallelRanges(b *testing.B) {
	const backupID, size = "5b8b36104ffb090be1ac3ce1", 64 << 20
	_, base := mockserver.Start(b, mockserver.WithSeed(mockserver.DemoSeed()), mockserver.WithBandwidthLimit(16<<20), mockserver.WithDownloadTTL(time.Hour))
	c, err := New(WithBaseURL(base), WithToken(mockserver.DefaultToken))
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1, 4} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				got, err := c.Backups.DownloadAt(context.Background(), demoDB, backupID, discardAt{}, WithParallel(n))
				if err != nil || got != size {
					b.Fatal(got, err)
				}
			}
		})
	}
}
