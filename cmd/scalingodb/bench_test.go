package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/mockserver"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// buildCLI builds scalingodb as `make cli` does (not the test binary), a
// static binary without cgo, into a temporary folder and returns its path.
func buildCLI(b *testing.B) string {
	b.Helper()
	return goBuild(b, ".", "scalingodb", false)
}

// goBuild builds the package in dir (a path relative to this package's
// folder) into a temporary folder, without cgo unless cgo is set, with the
// build flags flags, and returns the path of the binary.
func goBuild(b *testing.B, dir, name string, cgo bool, flags ...string) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), name)
	cmd := exec.Command("go", append(append([]string{"build"}, flags...), "-o", bin, dir)...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if cgo {
		cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build %s: %v: %s", dir, err, out)
	}
	return bin
}

// timed runs cmd and returns its wall time and peak resident memory in
// KiB. The peak is the process's VmHWM, read from /proc every 5 ms while
// it runs: the rusage of a child is no use here, as Linux charges it the
// resident memory of this (much larger) process, whose memory the child
// shares between its vfork and its exec.
func timed(b *testing.B, cmd *exec.Cmd) (time.Duration, int64) {
	b.Helper()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	done := make(chan struct{})
	var peak atomic.Int64
	go func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			if kib, ok := vmHWM(status); ok {
				peak.Store(max(peak.Load(), kib))
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	err := cmd.Wait()
	elapsed := time.Since(start)
	close(done)
	if err != nil {
		b.Fatalf("%s: %v: %s", cmd.Args, err, out.Bytes())
	}
	return elapsed, peak.Load()
}

// vmHWM reads the peak resident memory (KiB) from a /proc/PID/status file.
func vmHWM(path string) (int64, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// cliEnv is the environment of a scalingodb process against the mock at base.
func cliEnv(base string) []string {
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir(),
		"DBAPI_BASE_URL=" + base, "DB_BEARER_TOKEN=" + testToken, "SCALINGO_DATABASE=my-db-123"}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkCLIDownload1GiB compares `scalingodb backups download` of a
// 1 GiB archive into a file (temporary file, sync, rename) with curl into
// a file followed by `sync FILE`, each in its own process, alternately, and
// reports the median of the pairs' throughput ratios and the peak RSS of
// the scalingodb process. Both times are whole processes, start included.
func BenchmarkCLIDownload1GiB(b *testing.B) {
	const size = 1 << 30
	bin := buildCLI(b)
	mock := startMock(b, size)
	c, err := scalingodb.New(scalingodb.WithBaseURL(mock.base), scalingodb.WithToken(testToken))
	if err != nil {
		b.Fatal(err)
	}
	link, err := c.Backups.ArchiveLink(context.Background(), "my-db-123", testBackupID)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	cliFile, curlFile := filepath.Join(dir, "cli.tar.gz"), filepath.Join(dir, "curl.tar.gz")
	const pairs = 5 // per iteration: one takes seconds, and one pair is a noisy sample
	var ratios []float64
	var tCLI, tCurl time.Duration
	var peak int64
	for b.Loop() {
		for range pairs {
			_ = os.Remove(cliFile)
			cmd := exec.Command(bin, "backups", "download", testBackupID, "-O", cliFile, "-q")
			cmd.Env = cliEnv(mock.base)
			tc, rss := timed(b, cmd)
			peak = max(peak, rss)
			if st, err := os.Stat(cliFile); err != nil || st.Size() != size {
				b.Fatalf("scalingodb wrote %v, %v", st, err)
			}
			_ = os.Remove(curlFile)
			start := time.Now()
			if out, err := exec.Command("curl", "-s", "-S", "-f", "-o", curlFile, link.URL()).CombinedOutput(); err != nil {
				b.Fatalf("curl: %v: %s", err, out)
			}
			if out, err := exec.Command("sync", curlFile).CombinedOutput(); err != nil {
				b.Fatalf("sync: %v: %s", err, out)
			}
			tu := time.Since(start)
			tCLI += tc
			tCurl += tu
			ratios = append(ratios, tu.Seconds()/tc.Seconds())
		}
	}
	_ = os.Remove(cliFile)
	_ = os.Remove(curlFile)
	n := float64(b.N * pairs)
	b.ReportMetric(size*n/tCLI.Seconds()/1e6, "cli-MB/s")
	b.ReportMetric(size*n/tCurl.Seconds()/1e6, "curl-MB/s")
	b.ReportMetric(median(ratios), "cli/curl-throughput")
	b.ReportMetric(float64(peak)/1024, "peak-RSS-MiB")
}

// BenchmarkCLIParallel downloads a 128 MiB archive from a mock that caps
// each connection at 16 MiB/s, with --parallel 1 and --parallel 4
// alternately, and reports the throughput of each and their ratio.
func BenchmarkCLIParallel(b *testing.B) {
	const size = 128 << 20 // 8 s over one connection, so that the start of a process weighs little
	bin := buildCLI(b)
	mock := startMock(b, size, mockserver.WithBandwidthLimit(16<<20))
	dir := b.TempDir()
	var t1, t4 time.Duration
	run := func(parallel string) time.Duration {
		dest := filepath.Join(dir, "p"+parallel+".tar.gz")
		_ = os.Remove(dest)
		cmd := exec.Command(bin, "backups", "download", testBackupID, "-O", dest, "-q", "--parallel", parallel)
		cmd.Env = cliEnv(mock.base)
		d, _ := timed(b, cmd)
		return d
	}
	for b.Loop() {
		t1 += run("1")
		t4 += run("4")
	}
	b.ReportMetric(size*float64(b.N)/t1.Seconds()/1e6, "1-MB/s")
	b.ReportMetric(size*float64(b.N)/t4.Seconds()/1e6, "4-MB/s")
	b.ReportMetric(t1.Seconds()/t4.Seconds(), "4/1-throughput")
}

// helloWorld is the program `scalingodb version` is compared with.
const helloWorld = `package main

import "fmt"

func main() { fmt.Println("hello, world") }
`

// netHelloWorld is hello world that links net/http and runs its package
// inits (and those of crypto/tls, which it imports).
const netHelloWorld = `package main

import (
	"fmt"
	_ "net/http"
)

func main() { fmt.Println("hello, world") }
`

// buildStd builds a program of the standard library alone, given as the
// source of its main package, as a static binary without cgo, and returns
// its path.
func buildStd(b *testing.B, name, src string) string {
	b.Helper()
	dir := b.TempDir()
	bin := filepath.Join(dir, name)
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module "+name+"\n\ngo 1.26\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build %s: %v: %s", name, err, out)
	}
	return bin
}

// BenchmarkCLIStartup starts, 20 times each and in turn, a hello-world Go
// binary, `scalingodb version` as `make cli` builds it (static, without
// cgo), the same built with cgo (the default of `go build` where a C
// compiler is installed: the dynamic loader and libc's start-up come with
// it), testdata/depsfloor, a hello world that runs the package inits of
// the libraries the tool is built on and none of its code, and a hello
// world that links net/http. Every run builds the whole command tree (issue
// #24 gave up the partial build once it cost under 1 ms: compare version-ms
// with a run before that change). It reports the median wall time of each;
// the ratio of `scalingodb version` to hello world (the goal, ≤ 1.5), of
// the cgo build, the floor and the net/http hello world to hello world;
// the ratio of the median CPU times (user + system), which other processes
// on the machine disturb less; and the start-up of builds with -tags gcs
// and -tags azblob (backups sync to gs:// and azblob://) against the
// default build: each is built in by default only if it adds at most 10 %.
func BenchmarkCLIStartup(b *testing.B) {
	bin := buildCLI(b)
	cgoBin := goBuild(b, ".", "scalingodb-cgo", true)
	floor := goBuild(b, "./testdata/depsfloor", "depsfloor", false)
	hello := buildStd(b, "hello", helloWorld)
	netHello := buildStd(b, "nethello", netHelloWorld)
	// backups sync's other destinations, built in only with a build tag
	// each: what each would add to every start.
	gcsBin := goBuild(b, ".", "scalingodb-gcs", false, "-tags", "gcs")
	azBin := goBuild(b, ".", "scalingodb-azblob", false, "-tags", "azblob")
	// start runs a program and returns its wall and CPU times in ms.
	start := func(path string, args ...string) (float64, float64) {
		cmd := exec.Command(path, args...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
		t0 := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s: %v: %s", path, err, out)
		}
		wall := time.Since(t0)
		cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		return float64(wall.Microseconds()) / 1000, float64(cpu.Microseconds()) / 1000
	}
	programs := []struct {
		path string
		args []string
	}{{hello, nil}, {bin, []string{"version"}}, {cgoBin, []string{"version"}}, {floor, nil}, {netHello, nil}, {gcsBin, []string{"version"}}, {azBin, []string{"version"}}}
	var ratios, cgoRatios, floorRatios, netRatios, cpuRatios, hellos, versions, gcsRatios, azRatios []float64
	for b.Loop() {
		wall := make([][]float64, len(programs))
		cpu := make([][]float64, len(programs))
		for range 20 {
			for i, p := range programs {
				w, c := start(p.path, p.args...)
				wall[i], cpu[i] = append(wall[i], w), append(cpu[i], c)
			}
		}
		h := median(wall[0])
		hellos, versions = append(hellos, h), append(versions, median(wall[1]))
		ratios = append(ratios, median(wall[1])/h)
		cgoRatios = append(cgoRatios, median(wall[2])/h)
		floorRatios = append(floorRatios, median(wall[3])/h)
		netRatios = append(netRatios, median(wall[4])/h)
		cpuRatios = append(cpuRatios, median(cpu[1])/max(median(cpu[0]), 0.001))
		gcsRatios = append(gcsRatios, median(wall[5])/median(wall[1]))
		azRatios = append(azRatios, median(wall[6])/median(wall[1]))
	}
	b.ReportMetric(median(hellos), "hello-ms")
	b.ReportMetric(median(versions), "version-ms")
	b.ReportMetric(median(ratios), "version/hello")
	b.ReportMetric(median(cgoRatios), "cgo-version/hello")
	b.ReportMetric(median(floorRatios), "floor/hello")
	b.ReportMetric(median(netRatios), "net-http/hello")
	b.ReportMetric(median(cpuRatios), "version/hello-cpu")
	b.ReportMetric(median(gcsRatios), "gcs-version/version")
	b.ReportMetric(median(azRatios), "azblob-version/version")
}
