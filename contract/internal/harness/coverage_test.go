package harness

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

func TestMergeCoverage(t *testing.T) {
	_, v := embedded(t)
	dir := t.TempDir()
	a, b := conformance.NewCoverage(v), conformance.NewCoverage(v)
	a.Record("getDatabase", 200)
	a.Record("getDatabase", 503)
	b.Record("getDatabase", 200)
	b.Record("listBackups", 429)
	files := []string{filepath.Join(dir, "p1.json"), filepath.Join(dir, "p2.json")}
	for i, c := range []*conformance.Coverage{a, b} {
		if err := WriteCoverage(files[i], c.Report()); err != nil {
			t.Fatal(err)
		}
	}
	r, err := MergeCoverage(v, files...)
	if err != nil {
		t.Fatalf("MergeCoverage: %v", err)
	}
	hits := map[string]int{}
	for _, e := range r.Entries {
		if e.Hits > 0 {
			hits[e.OperationID+" "+e.Status] = e.Hits
		}
	}
	want := map[string]int{"getDatabase 200": 2, "getDatabase 503": 1, "listBackups 429": 1}
	if len(hits) != len(want) {
		t.Errorf("hits = %v, want %v", hits, want)
	}
	for k, n := range want {
		if hits[k] != n {
			t.Errorf("hits[%s] = %d, want %d", k, hits[k], n)
		}
	}
	if r.OperationsHit != 2 || r.StatusesHit != 3 {
		t.Errorf("totals: %d operations, %d statuses hit; want 2 and 3", r.OperationsHit, r.StatusesHit)
	}
	for _, f := range files {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s not removed after the merge", f)
		}
	}
	if _, err := MergeCoverage(v, filepath.Join(dir, "lost.json")); err == nil {
		t.Error("MergeCoverage of a missing process file succeeded; the totals would lie")
	}
}

func TestRecordStatus(t *testing.T) {
	tests := []struct {
		key  string
		want int
		ok   bool
	}{
		{"200", 200, true}, {"5XX", 500, true}, {"4xx", 400, true}, {"abc", 0, false}, {"99", 0, false}, {"6XX", 0, false},
	}
	for _, tt := range tests {
		got, err := recordStatus(tt.key)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("recordStatus(%q) = %d, %v; want %d, ok=%v", tt.key, got, err, tt.want, tt.ok)
		}
	}
}

func TestCheckCoverage(t *testing.T) {
	_, v := embedded(t)
	full := conformance.NewCoverage(v)
	for _, op := range v.Operations() {
		for _, s := range op.Statuses {
			st, err := recordStatus(s)
			if err != nil {
				t.Fatal(err)
			}
			full.Record(op.ID, st)
		}
	}
	tests := []struct {
		name    string
		report  conformance.Report
		excl    []Exclusion
		wantErr []string // substrings of the error; nil for success
	}{
		{"everything seen", full.Report(), nil, nil},
		{"nothing seen", conformance.NewCoverage(v).Report(), nil, []string{"never seen: getDatabase GET /databases/{database_id} -> 200"}},
		{"excluded pair seen", full.Report(), []Exclusion{{"getDatabase", "403", "x"}}, []string{"excluded but seen", "getDatabase -> 403"}},
		{"excluded pair not documented", full.Report(), []Exclusion{{"getDatabase", "418", "x"}}, []string{"excluded but not documented", "getDatabase -> 418"}},
		{"empty report", conformance.Report{}, nil, []string{"empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckCoverage(tt.report, tt.excl)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("CheckCoverage: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("CheckCoverage passed, want an error")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestMockUnproducible(t *testing.T) {
	_, v := embedded(t)
	seen := map[[2]string]bool{}
	for _, x := range MockUnproducible() {
		op, ok := v.Operation(x.OperationID)
		if !ok {
			t.Errorf("exclusion names unknown operation %q", x.OperationID)
			continue
		}
		documented := false
		for _, s := range op.Statuses {
			documented = documented || s == x.Status
		}
		if !documented {
			t.Errorf("exclusion %s %s: status not documented", x.OperationID, x.Status)
		}
		if x.Reason == "" {
			t.Errorf("exclusion %s %s has no reason", x.OperationID, x.Status)
		}
		if seen[[2]string{x.OperationID, x.Status}] {
			t.Errorf("exclusion %s %s listed twice", x.OperationID, x.Status)
		}
		seen[[2]string{x.OperationID, x.Status}] = true
	}
	if got := len(Pairs(MockUnproducible())); got != len(seen) {
		t.Errorf("Pairs has %d pairs, want %d", got, len(seen))
	}
}

func TestUncovered(t *testing.T) {
	_, v := embedded(t)
	c := conformance.NewCoverage(v)
	for _, op := range v.Operations() {
		if op.ID == "getDatabase" || op.ID == "listBackups" {
			c.Record(op.ID, 200)
			continue
		}
		if op.ID == "updateDatabase" {
			continue
		}
		for _, s := range op.Statuses {
			st, err := recordStatus(s)
			if err != nil {
				t.Fatal(err)
			}
			c.Record(op.ID, st)
		}
	}
	r := c.Report().Excluding([2]string{"listBackups", "504"})
	want := []string{
		"never called (1): updateDatabase",
		"never answered 401 403 404 429 500 502 503 504 (1): getDatabase",
		"never answered 401 403 404 429 500 502 503 (1): listBackups",
	}
	if diff := cmp.Diff(want, Uncovered(r)); diff != "" {
		t.Errorf("Uncovered (-want +got):\n%s", diff)
	}
	full := conformance.NewCoverage(v)
	for _, op := range v.Operations() {
		for _, s := range op.Statuses {
			st, _ := recordStatus(s)
			full.Record(op.ID, st)
		}
	}
	if got := Uncovered(full.Report()); len(got) != 0 {
		t.Errorf("Uncovered of a full report = %q, want nothing", got)
	}
}
