// Command soak runs the soak test of the mock (make soak): it starts scalingodb-mock as a process
// of its own on 127.0.0.1 with faults, drives it for -duration with a mixed workload through the
// client of pkg/scalingodb, prints a row per minute (throughput, p50, p99, RSS, live heap, open
// descriptors, errors by class) and ends with a summary line that checks, from minute 5 (the n/6-th
// of a shorter run) to the end, that the mock's live heap and the throughput stayed within ±10 % and
// that the p99 rose by at most 20 %. It exits 1 when that line says FAIL.
//
//	go build -o bin/scalingodb-mock ./cmd/scalingodb-mock
//	go run ./scripts/soak -mock bin/scalingodb-mock -duration 30m
//
// Arguments after the flags go to the mock as they are (go run ./scripts/soak -- -latency 1ms).
// It lives in scripts/, like prismcheck, because it is a tool of the project's own checks, not a
// command for the toolkit's users.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/scalingodb/dbapi-go/internal/soak"
	"github.com/scalingodb/dbapi-go/pkg/mockserver"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// Exit codes.
const (
	exitPass  = 0
	exitFail  = 1 // the summary says FAIL
	exitSetup = 2 // bad flags, or the mock could not be started
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args, starts the mock, runs the soak and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	mockBin := fs.String("mock", "bin/scalingodb-mock", "`path` of the scalingodb-mock binary to start")
	mockLog := fs.String("mock-log", "", "`file` the mock's output goes to (default: discarded)")
	duration := fs.Duration("duration", 30*time.Minute, "length of the run")
	bucket := fs.Duration("bucket", time.Minute, "period of a row of the table")
	interval := fs.Duration("interval", 10*time.Second, "period of the samples of the mock process (RSS, fds, live heap)")
	workers := fs.Int("workers", 50, "goroutines calling the mock through one shared client")
	rate := fs.Float64("rate", 0, "cap of operations per second, all workers together (an operation is one call, or a create and its delete; 0: closed loop, as fast as the mock answers)")
	callTimeout := fs.Duration("call-timeout", 10*time.Second, "timeout of every call")
	attempts := fs.Int("attempts", 1, "attempts of each idempotent call (1: no retry, so that latency and errors are the mock's own)")
	backupEvery := fs.Duration("backup-every", time.Minute, "period of the backups created (backups cannot be deleted; negative: none)")
	baseline := fs.Int("baseline", 0, "the row the later ones are compared with (0: 5, or n/6 for a run of fewer than 30 rows)")
	heapBound := fs.Float64("heap-bound", 0.10, "largest change of the live heap from the baseline row, either way")
	tputBound := fs.Float64("throughput-bound", 0.10, "largest change of the throughput from the baseline row, either way")
	p99Bound := fs.Float64("p99-bound", 0.20, "largest rise of the p99 from the baseline row")
	errorRate := fs.Float64("error-rate", 0.1, "the mock's -error-rate (share of requests answered 5xx)")
	resetRate := fs.Float64("reset-rate", 0.05, "the mock's -reset-rate (share of connections cut mid-answer)")
	rateLimitRate := fs.Float64("rate-limit-rate", 0.05, "the mock's -rate-limit-rate (share of requests answered 429)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitPass
		}
		return exitSetup
	}
	unit := "minute"
	if *bucket != time.Minute {
		unit = "row"
	}

	token, err := newToken()
	if err != nil {
		fmt.Fprintln(stderr, "soak:", err)
		return exitSetup
	}
	faults, with := faultFlags(*errorRate, *resetRate, *rateLimitRate)
	mockArgs := append([]string{"-addr", "127.0.0.1:0", "-debug-addr", "127.0.0.1:0", "-token", token,
		"-backup-scheduled", "1s", "-backup-running", "2s"}, strings.Fields(faults)...)
	mockArgs = append(mockArgs, fs.Args()...)
	log := io.Discard
	if *mockLog != "" {
		f, err := os.Create(*mockLog)
		if err != nil {
			fmt.Fprintln(stderr, "soak:", err)
			return exitSetup
		}
		defer f.Close()
		log = f
	}
	mock, err := soak.StartMock(ctx, *mockBin, mockArgs, log)
	if err != nil {
		fmt.Fprintln(stderr, "soak:", err)
		return exitSetup
	}
	stopped := false
	stopMock := func() {
		if stopped {
			return
		}
		stopped = true
		if err := mock.Stop(); err != nil {
			fmt.Fprintln(stderr, "soak: stopping the mock:", err)
		}
	}
	defer stopMock()

	// One connection per worker stays open: http.DefaultTransport keeps 2 idle ones per host, and
	// 50 workers would then open and close connections all the time.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = *workers + 2
	client, err := scalingodb.New(
		scalingodb.WithBaseURL(mock.BaseURL),
		scalingodb.WithToken(token),
		scalingodb.WithHTTPClient(&http.Client{Transport: transport}),
		scalingodb.WithRetry(scalingodb.RetryPolicy{MaxAttempts: *attempts}),
		scalingodb.WithUserAgent("scalingodb-soak"),
	)
	if err != nil {
		fmt.Fprintln(stderr, "soak:", err)
		return exitSetup
	}
	fmt.Fprintf(stdout, "soak: %v against %s (pid %d, %s), %d workers, %s, sampled every %v\n",
		*duration, mock.BaseURL, mock.PID, faults, *workers, rateText(*rate), *interval)
	rep, err := soak.Run(ctx, soak.Config{
		Client: client, DatabaseID: mockserver.DemoDatabaseID, BackupID: mockserver.DemoBackupID,
		Workers: *workers, Rate: *rate, CallTimeout: *callTimeout, Duration: *duration,
		Bucket: *bucket, Interval: *interval, BackupEvery: *backupEvery, Baseline: *baseline,
		Sampler: &soak.ProcSampler{PID: mock.PID, VarsURL: mock.VarsURL},
		Bounds:  soak.Bounds{Heap: *heapBound, Throughput: *tputBound, P99Drift: *p99Bound},
		Unit:    unit, Out: stdout,
	})
	transport.CloseIdleConnections()
	stopMock()
	if err != nil && len(rep.Buckets) == 0 {
		fmt.Fprintln(stderr, "soak:", err)
		return exitSetup
	}
	if err != nil {
		fmt.Fprintf(stdout, "soak: stopped early (%v) after %d rows\n", err, len(rep.Buckets))
	}
	fmt.Fprintf(stdout, "calls: %s\n", counts(rep.Calls))
	fmt.Fprintf(stdout, "errors by class: %s\n", counts(rep.Errors))
	for _, class := range slices.Sorted(maps.Keys(rep.Examples)) {
		fmt.Fprintf(stdout, "  first %s: %s\n", class, rep.Examples[class])
	}
	if rep.SampleErrors > 0 {
		fmt.Fprintf(stdout, "samples of the mock that failed: %d (last: %v)\n", rep.SampleErrors, rep.LastSampleError)
	}
	if n := len(rep.LeftoverUsers) + len(rep.LeftoverCIDRs); n > 0 {
		fmt.Fprintf(stdout, "left in the mock, faults permitting: %d users, %d firewall rules\n", len(rep.LeftoverUsers), len(rep.LeftoverCIDRs))
	}
	for _, e := range rep.Summary.Excursions {
		fmt.Fprintln(stdout, "  ~", e, "(an excursion: it fails nothing)")
	}
	for _, f := range rep.Summary.Failures {
		fmt.Fprintln(stdout, "  -", f)
	}
	fmt.Fprintf(stdout, "soak: %v %s: %s\n", *duration, with, rep.Summary)
	if !rep.Summary.Pass {
		return exitFail
	}
	return exitPass
}

// newToken makes the random bearer token of the mock, so that no fixed token is in use.
func newToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "soak-" + hex.EncodeToString(b), nil
}

// faultFlags returns the mock's fault flags, and the words of the summary line that name them.
func faultFlags(errorRate, resetRate, rateLimitRate float64) (flags, with string) {
	flags = fmt.Sprintf("-error-rate %s -reset-rate %s -rate-limit-rate %s", num(errorRate), num(resetRate), num(rateLimitRate))
	if errorRate == 0 && resetRate == 0 && rateLimitRate == 0 {
		return flags, "without faults"
	}
	return flags, "with faults (`" + flags + "`)"
}

// num prints a rate as the mock's flag takes it.
func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func rateText(r float64) string {
	if r <= 0 {
		return "closed loop"
	}
	return fmt.Sprintf("at most %s calls/s", num(r))
}

// counts prints a map of counts as name=n, by name.
func counts(m map[string]int64) string {
	if len(m) == 0 {
		return "-"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, m[k])
	}
	return strings.Join(parts, " ")
}
