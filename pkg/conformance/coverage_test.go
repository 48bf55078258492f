package conformance_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

func hitsOf(r conformance.Report) map[[2]string]int {
	out := map[[2]string]int{}
	for _, e := range r.Entries {
		if e.Hits > 0 {
			out[[2]string{e.OperationID, e.Status}] = e.Hits
		}
	}
	return out
}

func TestCoverage_Record(t *testing.T) {
	v := newValidator(t)
	tests := []struct {
		name   string
		record func(c *conformance.Coverage)
		want   map[[2]string]int
	}{
		{"exact statuses", func(c *conformance.Coverage) {
			c.Record("listDatabaseUsers", 200)
			c.Record("listDatabaseUsers", 200)
			c.Record("listDatabaseUsers", 404)
		}, map[[2]string]int{{"listDatabaseUsers", "200"}: 2, {"listDatabaseUsers", "404"}: 1}},
		{"each documented 5xx status counts for itself", func(c *conformance.Coverage) {
			c.Record("createBackup", 500)
			c.Record("createBackup", 503)
			c.Record("createBackup", 503)
			c.Record("createBackup", 599) // not documented: the spec lists 500, 502, 503 and 504
		}, map[[2]string]int{{"createBackup", "500"}: 1, {"createBackup", "503"}: 2}},
		{"undocumented statuses and operations are ignored", func(c *conformance.Coverage) {
			c.Record("listDatabaseUsers", 418)
			c.Record("listDatabaseUsers", 201)
			c.Record("noSuchOperation", 200)
			c.Record("deleteDatabaseUser", 200)
		}, map[[2]string]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := conformance.NewCoverage(v)
			tt.record(c)
			if diff := cmp.Diff(tt.want, hitsOf(c.Report())); diff != "" {
				t.Errorf("hits (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCoverage_Report(t *testing.T) {
	v := newValidator(t)
	c := conformance.NewCoverage(v)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			c.Record("listDatabaseUsers", 200)
			c.Record("createBackup", 201)
			c.Record("createBackup", 502)
		})
	}
	wg.Wait()
	r := c.Report()
	total := 0
	for _, o := range v.Operations() {
		total += len(o.Statuses)
	}
	if len(r.Entries) != total || r.StatusesTotal != total || r.OperationsTotal != len(v.Operations()) {
		t.Errorf("report has %d entries, %d statuses, %d operations; want %d, %d, %d",
			len(r.Entries), r.StatusesTotal, r.OperationsTotal, total, total, len(v.Operations()))
	}
	if r.OperationsHit != 2 || r.StatusesHit != 3 {
		t.Errorf("hit %d operations and %d statuses, want 2 and 3", r.OperationsHit, r.StatusesHit)
	}
	if got := hitsOf(r)[[2]string{"createBackup", "502"}]; got != 4 {
		t.Errorf("createBackup 502 hits = %d, want 4", got)
	}

	excl := r.Excluding([2]string{"*", "502"}, [2]string{"listDatabaseUsers", "*"})
	ops := 0
	statuses := 0
	for _, o := range v.Operations() {
		if o.ID == "listDatabaseUsers" {
			continue
		}
		ops++
		for _, s := range o.Statuses {
			if s != "502" {
				statuses++
			}
		}
	}
	if excl.OperationsTotal != ops || excl.StatusesTotal != statuses || excl.StatusesHit != 1 || excl.OperationsHit != 1 {
		t.Errorf("after exclusion: %d/%d operations, %d/%d statuses; want 1/%d, 1/%d",
			excl.OperationsHit, excl.OperationsTotal, excl.StatusesHit, excl.StatusesTotal, ops, statuses)
	}
	if r.StatusesTotal != total {
		t.Error("Excluding changed the original report")
	}
}

func TestCoverage_Merge(t *testing.T) {
	v := newValidator(t)
	a, b := conformance.NewCoverage(v), conformance.NewCoverage(v)
	a.Record("getBackup", 200)
	b.Record("getBackup", 200)
	b.Record("getBackup", 404)
	a.Merge(b)
	a.Merge(a)
	a.Merge(nil)
	want := map[[2]string]int{{"getBackup", "200"}: 2, {"getBackup", "404"}: 1}
	if diff := cmp.Diff(want, hitsOf(a.Report())); diff != "" {
		t.Errorf("merged hits (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[[2]string]int{{"getBackup", "200"}: 1, {"getBackup", "404"}: 1}, hitsOf(b.Report())); diff != "" {
		t.Errorf("Merge changed its argument (-want +got):\n%s", diff)
	}
}

func TestReport_JSONRoundTrip(t *testing.T) {
	v := newValidator(t)
	c := conformance.NewCoverage(v)
	c.Record("listBackups", 200)
	c.Record("listBackups", 429)
	r := c.Report().Excluding([2]string{"listBackups", "403"})
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := conformance.ReadReportJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if _, err := conformance.ReadReportJSON(strings.NewReader("{")); err == nil {
		t.Error("ReadReportJSON accepted truncated JSON")
	}
}

func TestReport_WriteTable(t *testing.T) {
	v := newValidator(t)
	c := conformance.NewCoverage(v)
	c.Record("listBackups", 200)
	r := c.Report().Excluding([2]string{"listBackups", "403"})
	var buf bytes.Buffer
	if err := r.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	// header + one row per pair + two summary lines
	if want := 1 + len(r.Entries) + 2; len(lines) != want {
		t.Fatalf("table has %d lines, want %d:\n%s", len(lines), want, buf.String())
	}
	var hit, excluded, missed int
	for _, l := range lines[1 : 1+len(r.Entries)] {
		switch {
		case strings.Contains(l, "(excluded)"):
			excluded++
		case strings.Contains(l, "MISSED"):
			missed++
		default:
			hit++
		}
		if strings.Index(l, "/") != strings.Index(lines[1], "/") {
			t.Errorf("misaligned row: %q", l)
		}
	}
	if hit != 1 || excluded != 1 || missed != len(r.Entries)-2 {
		t.Errorf("rows: %d hit, %d excluded, %d missed", hit, excluded, missed)
	}
	summary := strings.Join(lines[len(lines)-2:], "\n")
	if !strings.Contains(summary, "operations: 1/44 (2.3%)") || !strings.Contains(summary, "statuses:   1/") {
		t.Errorf("summary = %q", summary)
	}
}
