package harness

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

func TestStatusKey(t *testing.T) {
	documented := []string{"200", "404", "5XX"}
	tests := []struct {
		status int
		want   string
	}{{200, "200"}, {503, "5XX"}, {500, "5XX"}, {418, "418"}, {201, "201"}}
	for _, tt := range tests {
		if got := StatusKey(documented, tt.status); got != tt.want {
			t.Errorf("StatusKey(%d) = %q, want %q", tt.status, got, tt.want)
		}
	}
}

func TestRunReport_Matrix(t *testing.T) {
	r := RunReport{Report: conformance.Report{Entries: []conformance.ReportEntry{
		{OperationID: "getDatabase", Status: "200", Hits: 3},
		{OperationID: "getDatabase", Status: "5XX"},
		{OperationID: "listBackups", Status: "200", Hits: 1},
		{OperationID: "listBackups", Status: "404", Excluded: true},
	}}, Violations: []ViolationRecord{
		{OperationID: "listBackups", Status: 200, Kind: "schema"},
		{OperationID: "getDatabase", Status: 418, Kind: "status"}, // undocumented: adds a column
		{OperationID: "getDatabase", Kind: "route"},               // no status: no cell
	}}
	m := r.Matrix()
	if diff := cmp.Diff([]string{"200", "404", "418", "5XX"}, m.Statuses); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
	got := map[string]string{}
	for _, row := range m.Rows {
		for _, c := range row.Cells {
			got[row.OperationID+" "+c.Status] = c.State
		}
	}
	want := map[string]string{
		"getDatabase 200": CellHit, "getDatabase 404": CellNone, "getDatabase 418": CellFailed, "getDatabase 5XX": CellMissed,
		"listBackups 200": CellFailed, "listBackups 404": CellExcluded, "listBackups 418": CellNone, "listBackups 5XX": CellNone,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cells (-want +got):\n%s", diff)
	}
}

func TestRunReport_WriteHTML(t *testing.T) {
	r := RunReport{BaseURL: "http://h/api", Mode: "live", Violations: []ViolationRecord{
		{OperationID: "getDatabase", Method: "GET", Path: "/api/databases/x", Status: 200, Kind: "schema", Pointer: "/database/name", Expected: "string", Got: `"<script>alert(1)</script>"`},
	}, Settings: []Setting{{EnvToken, Redacted}}}
	var b strings.Builder
	if err := r.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if strings.Contains(page, "<script>alert") {
		t.Error("a value from the target reached the page unescaped")
	}
	for _, want := range []string{"/database/name", "getDatabase", Redacted, "http://h/api"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page does not show %q", want)
		}
	}
}

func TestRunReport_JSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.json")
	in := RunReport{Report: conformance.Report{Entries: []conformance.ReportEntry{{OperationID: "getDatabase", Status: "200", Hits: 1}}, OperationsHit: 1, OperationsTotal: 1},
		Violations: []ViolationRecord{{OperationID: "getDatabase", Status: 200, Kind: "schema"}}, Mode: "mock", Verdict: ContractBroken.String()}
	if err := in.WriteJSON(path); err != nil {
		t.Fatal(err)
	}
	out, err := ReadRunReport(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, out); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestWriteSummary(t *testing.T) {
	var b strings.Builder
	err := WriteSummary(&b, ContractBroken, []Failure{
		{Spec: "Users lists the users", Message: "the target broke the contract:\n  listDatabaseUsers GET /api/x -> 200: response schema violation at /a\n  expected: boolean"},
	}, []ViolationRecord{{OperationID: "listDatabaseUsers", Method: "GET", Path: "/api/x", Status: 200, Kind: "schema", Pointer: "/a", Expected: "boolean", Got: `"yes"`}})
	if err != nil {
		t.Fatal(err)
	}
	want := `verdict: contract broken (exit code 1)
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
	err := WriteSummary(&b, ContractBroken, []Failure{
		{Spec: "Users lists the users", Message: "the target broke the contract:\n  listDatabaseUsers GET /api/x -> 200: response schema violation at /a", Verdict: ContractBroken},
		{Spec: "Backups serves its archive", Message: "refused GET to host example.com (the link getBackupArchive gave) before dialing", Verdict: SettingsWrong},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `verdict: contract broken (exit code 1)
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

func TestVerdict(t *testing.T) {
	tests := []struct {
		a, b, worse Verdict
	}{
		{Passed, ContractBroken, ContractBroken},
		{ContractBroken, Unreachable, Unreachable},
		{Unreachable, SettingsWrong, Unreachable},
		// A settings problem met by one spec (a download host to allow) does not hide a broken
		// contract found by another: the run exits 1.
		{SettingsWrong, ContractBroken, ContractBroken},
		{Passed, SettingsWrong, SettingsWrong},
	}
	for _, tt := range tests {
		if got := tt.a.Worse(tt.b); got != tt.worse {
			t.Errorf("%v.Worse(%v) = %v, want %v", tt.a, tt.b, got, tt.worse)
		}
		if got := tt.b.Worse(tt.a); got != tt.worse {
			t.Errorf("%v.Worse(%v) = %v, want %v", tt.b, tt.a, got, tt.worse)
		}
	}
	for _, v := range []Verdict{Passed, ContractBroken, SettingsWrong, Unreachable} {
		if got, ok := ParseVerdict(v.String()); !ok || got != v {
			t.Errorf("ParseVerdict(%q) = %v, %v", v.String(), got, ok)
		}
	}
	if _, ok := ParseVerdict("fine"); ok {
		t.Error("ParseVerdict accepted an unknown verdict")
	}
	codes := []struct{ code, want int }{
		{ExitCode(0, Passed), 0}, {ExitCode(1, SettingsWrong), 3}, {ExitCode(1, Unreachable), 4},
		{ExitCode(1, ContractBroken), 1}, {ExitCode(2, Passed), 2},
	}
	for i, c := range codes {
		if c.code != c.want {
			t.Errorf("case %d: exit code %d, want %d", i, c.code, c.want)
		}
	}
}
