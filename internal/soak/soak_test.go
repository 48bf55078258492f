package soak

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"regexp"
	"runtime/metrics"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/mockserver"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

const testToken = "soak-test-token"

// liveHeap is the live heap of the test process, for an in-process mock.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// startMock starts the mock in the test process with faults on every request, and returns it and a
// client without retries, as the soak uses.
func startMock(t *testing.T, faults mockserver.Faults) (*mockserver.Server, string, *scalingodb.Client) {
	t.Helper()
	srv, base := mockserver.Start(t, mockserver.WithToken(testToken), mockserver.WithSeed(mockserver.DemoSeed()),
		mockserver.WithFaults(faults), mockserver.WithBackupTimings(100*time.Millisecond, 100*time.Millisecond))
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 16
	t.Cleanup(tr.CloseIdleConnections)
	c, err := scalingodb.New(scalingodb.WithBaseURL(base), scalingodb.WithToken(testToken),
		scalingodb.WithHTTPClient(&http.Client{Transport: tr}), scalingodb.WithRetry(scalingodb.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	return srv, base, c
}

// TestRun_InProcess runs a 3-second soak against the mock with faults: a row per second with
// calls, samples and a live heap, errors counted by class, every operation of the mix called, and
// no user or firewall rule left in the mock but those the report names.
func TestRun_InProcess(t *testing.T) {
	t.Parallel() // each has its own mock; TestProcSampler_Self, which counts fds, runs before
	srv, base, client := startMock(t, mockserver.Faults{ErrorRate: 0.2, RateLimitRate: 0.1, ResetRate: 0.1, Seed: 3})
	var out bytes.Buffer
	rep, err := Run(t.Context(), Config{
		Client: client, DatabaseID: mockserver.DemoDatabaseID, BackupID: mockserver.DemoBackupID,
		Workers: 8, Duration: 3 * time.Second, Bucket: time.Second, Interval: 200 * time.Millisecond,
		BackupEvery: 500 * time.Millisecond, Sampler: &ProcSampler{HeapLive: liveHeap}, Unit: "second", Out: &out,
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Logf("table:\n%s%s", out.String(), rep.Summary)

	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 4 || lines[0] != TableHeader("second") {
		t.Fatalf("table of %d lines, want the header and 3 rows:\n%s", len(lines), out.String())
	}
	if len(rep.Buckets) != 3 {
		t.Fatalf("%d buckets, want 3", len(rep.Buckets))
	}
	var total int64
	for i, b := range rep.Buckets {
		if b.Index != i+1 || b.Span != time.Second {
			t.Errorf("bucket %d: Index %d, Span %v", i, b.Index, b.Span)
		}
		if b.Requests == 0 || b.P99 == 0 || b.P50 > b.P99 {
			t.Errorf("bucket %d: %d calls, p50 %v, p99 %v", b.Index, b.Requests, b.P50, b.P99)
		}
		if b.Samples == 0 || b.RSSBytes == 0 || b.HeapLiveBytes == 0 || b.FDs == 0 {
			t.Errorf("bucket %d: %d samples, RSS %d, heap %d, fds %d", b.Index, b.Samples, b.RSSBytes, b.HeapLiveBytes, b.FDs)
		}
		if lines[i+1] != FormatRow(b) {
			t.Errorf("row %d %q, want %q", i+1, lines[i+1], FormatRow(b))
		}
		total += b.Requests
	}
	var calls, errs int64
	for _, n := range rep.Calls {
		calls += n
	}
	for _, n := range rep.Errors {
		errs += n
	}
	if calls != total || errs == 0 || errs >= calls {
		t.Errorf("%d calls in the buckets, %d counted by operation, %d errors", total, calls, errs)
	}
	for _, class := range []string{"5xx", "429", ClassConn} {
		if rep.Errors[class] == 0 {
			t.Errorf("no error of class %s counted with faults on: %v", class, rep.Errors)
		}
		if rep.Examples[class] == "" {
			t.Errorf("no example of class %s", class)
		}
	}
	for _, op := range operations {
		name := op.name
		if name == "userCycle" {
			name = "createUser"
		}
		if name == "firewallCycle" {
			name = "createFirewallRule"
		}
		if rep.Calls[name] == 0 {
			t.Errorf("operation %s never called: %v", name, rep.Calls)
		}
	}
	if rep.Calls["createBackup"] == 0 || len(srv.Backups(mockserver.DemoDatabaseID)) <= len(mockserver.DemoSeed().Databases[0].Backups) {
		t.Errorf("%d createBackup calls, %d backups in the mock", rep.Calls["createBackup"], len(srv.Backups(mockserver.DemoDatabaseID)))
	}
	if s := rep.Summary; s.Baseline != 1 || s.End != 3 || !strings.HasPrefix(s.String(), "second 1→3: live heap ") {
		t.Errorf("summary %q, want the window second 1→3", s)
	}

	// What the workload created and the report does not name was deleted.
	check, err := scalingodb.New(scalingodb.WithBaseURL(base), scalingodb.WithToken(testToken),
		scalingodb.WithRetry(scalingodb.RetryPolicy{MaxAttempts: 30, MinWait: time.Millisecond, MaxWait: 2 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	reported := func(kind, key, prefix string, leftovers []string) {
		if strings.HasPrefix(key, prefix) && !slices.Contains(leftovers, key) {
			t.Errorf("%s %s left in the mock, not in the report's %q", kind, key, leftovers)
		}
	}
	users, err := check.Users.List(t.Context(), mockserver.DemoDatabaseID)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		reported("user", u.Name, "soak-", rep.LeftoverUsers)
	}
	rules, err := check.Firewall.List(t.Context(), mockserver.DemoDatabaseID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		reported("firewall rule", r.CIDR, "10.", rep.LeftoverCIDRs)
	}
}

// TestRun_Rate checks that Rate caps the steps of all workers together.
func TestRun_Rate(t *testing.T) {
	t.Parallel() // each has its own mock; TestProcSampler_Self, which counts fds, runs before
	_, _, client := startMock(t, mockserver.Faults{})
	const rate, workers = 40, 4
	d := 2 * time.Second
	rep, err := Run(t.Context(), Config{Client: client, DatabaseID: mockserver.DemoDatabaseID, BackupID: mockserver.DemoBackupID,
		Workers: workers, Rate: rate, Duration: d, Bucket: time.Second, BackupEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	var calls int64
	for _, b := range rep.Buckets {
		calls += b.Requests
	}
	// A step is one call, or two (create, delete): at most 2 × (rate × d + 1) calls.
	if most := int64(2 * (rate*d.Seconds() + 1)); calls == 0 || calls > most {
		t.Errorf("%d calls in %v at %d steps/s, want 1 to %d", calls, d, rate, most)
	}
	if rep.Calls["createBackup"] != 0 {
		t.Errorf("%d backups created with BackupEvery -1", rep.Calls["createBackup"])
	}
}

// TestRun_Cancel checks that a run stops soon after its context ends, with the rows so far and the
// context's error.
func TestRun_Cancel(t *testing.T) {
	t.Parallel() // each has its own mock; TestProcSampler_Self, which counts fds, runs before
	_, _, client := startMock(t, mockserver.Faults{ErrorRate: 0.1})
	ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
	defer cancel()
	start := time.Now()
	rep, err := Run(ctx, Config{Client: client, DatabaseID: mockserver.DemoDatabaseID, BackupID: mockserver.DemoBackupID,
		Workers: 4, Duration: time.Hour, Bucket: time.Second, Interval: 100 * time.Millisecond,
		Sampler: &ProcSampler{HeapLive: liveHeap}, CallTimeout: 2 * time.Second})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Run: %v, want context.DeadlineExceeded", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Run took %v after its context ended at 1.5 s", took)
	}
	if len(rep.Buckets) != 1 || rep.Summary.Pass {
		t.Errorf("%d rows, summary %v; want 1 row and a FAIL (too short)", len(rep.Buckets), rep.Summary)
	}
}

// TestRun_BadConfig checks that a config missing what Run needs is an error before any call.
func TestRun_BadConfig(t *testing.T) {
	_, _, client := startMock(t, mockserver.Faults{})
	good := Config{Client: client, DatabaseID: "my-db-123", BackupID: "b", Duration: time.Second}
	tests := []struct {
		name string
		edit func(*Config)
		want *regexp.Regexp
	}{
		{"no client", func(c *Config) { c.Client = nil }, regexp.MustCompile(`Client is nil`)},
		{"no database", func(c *Config) { c.DatabaseID = "" }, regexp.MustCompile(`DatabaseID`)},
		{"no duration", func(c *Config) { c.Duration = 0 }, regexp.MustCompile(`Duration`)},
		{"too many workers", func(c *Config) { c.Workers = 257 }, regexp.MustCompile(`Workers 257`)},
		{"negative rate", func(c *Config) { c.Rate = -1 }, regexp.MustCompile(`Rate`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good
			tt.edit(&c)
			if _, err := Run(t.Context(), c); err == nil || !tt.want.MatchString(err.Error()) {
				t.Errorf("Run: %v, want an error matching %s", err, tt.want)
			}
		})
	}
}
