package report

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalingodb/dbapi-go/contract/internal/drift"
	"github.com/scalingodb/dbapi-go/contract/internal/harness"
)

func TestWriteSummary(t *testing.T) {
	var b strings.Builder
	err := WriteSummary(&b, harness.ContractBroken, harness.Build{Suite: "v1", Commit: "abc", Spec: "2.1.0"}, []Failure{
		{Spec: "Users lists the users", Message: "the target broke the contract:\n  listDatabaseUsers GET /api/x -> 200: response schema violation at /a\n  expected: boolean"},
	}, []ViolationRecord{{OperationID: "listDatabaseUsers", Method: "GET", Path: "/api/x", Status: 200, Kind: "schema", Pointer: "/a", Expected: "boolean", Got: `"yes"`}})
	if err != nil {
		t.Fatal(err)
	}
	want := `verdict: contract broken (exit code 1)
build: suite v1 (commit abc), spec 2.1.0
first violation: listDatabaseUsers GET /api/x -> 200: schema violation at /a
  expected: boolean
  got:      "yes"
failed: 1
- Users lists the users
  the target broke the contract: listDatabaseUsers GET /api/x -> 200: response schema violation at /a
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
}

// A run that found a broken contract and a settings problem says both: the verdict of the
// exit code first, the other on the next line, and each failure with its own verdict.
func TestWriteSummary_BothVerdicts(t *testing.T) {
	var b strings.Builder
	err := WriteSummary(&b, harness.ContractBroken, harness.Build{Suite: "v1.2.3", Commit: "0123456789abcdef", Spec: "2.1.0"}, []Failure{
		{Spec: "Users lists the users", Message: "the target broke the contract:\n  listDatabaseUsers GET /api/x -> 200: response schema violation at /a", Verdict: harness.ContractBroken},
		{Spec: "Backups serves its archive", Message: "refused GET to host example.com (the link getBackupArchive gave) before dialing", Verdict: harness.SettingsWrong},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `verdict: contract broken (exit code 1)
build: suite v1.2.3 (commit 0123456789abcdef), spec 2.1.0
also: settings wrong (exit code 3) in 1 spec
failed: 2
- Users lists the users
  the target broke the contract: listDatabaseUsers GET /api/x -> 200: response schema violation at /a
- Backups serves its archive (settings wrong)
  refused GET to host example.com (the link getBackupArchive gave) before dialing
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
}

// The drift section of summary.txt: the headline, whether drift fails the run and by which
// setting, and the first ten findings, the rest counted.
func TestWriteDriftSummary(t *testing.T) {
	var r drift.Report
	r.Answers = 40
	for i := range 12 {
		r.Findings = append(r.Findings, drift.Finding{OperationID: "getDatabase", Status: "200", Kind: drift.KindHeader,
			Name: fmt.Sprintf("X-H%02d", i), Types: map[string]int{"string": 1}, Count: 1})
	}
	head := "drift: 0 undocumented propert(ies), 12 header(s), 0 status(es), 0 media type(s) on 1 operation(s), in 40 answers"
	tests := []struct {
		name        string
		failOnDrift bool
		rule        string
	}{
		{"reported only", false, "not a failure unless DBAPI_FAIL_ON_DRIFT=1"},
		{"a failure", true, "a failure: DBAPI_FAIL_ON_DRIFT=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := WriteDriftSummary(&b, r, tt.failOnDrift); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
			want := []string{head + " (" + tt.rule + "); see drift.json and drift-overlay.yaml"}
			for i := range 10 {
				want = append(want, fmt.Sprintf("- getDatabase 200: header X-H%02d (string 1×; 1 answer(s))", i))
			}
			want = append(want, "- ... and 2 more in drift.json")
			if diff := cmp.Diff(want, lines); diff != "" {
				t.Errorf("drift summary (-want +got):\n%s", diff)
			}
		})
	}
}
