package report

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
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

func TestRun_Matrix(t *testing.T) {
	r := Run{Report: conformance.Report{Entries: []conformance.ReportEntry{
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
	// 404 (excluded only) and 5XX (missed only) were never hit: folded away.
	if diff := cmp.Diff([]string{"404", "5XX"}, m.Folded); diff != "" {
		t.Errorf("folded (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"200", "418"}, m.Visible().Statuses); diff != "" {
		t.Errorf("visible (-want +got):\n%s", diff)
	}
	for _, row := range m.Visible().Rows {
		if len(row.Cells) != 2 {
			t.Errorf("%s has %d visible cells, want 2", row.OperationID, len(row.Cells))
		}
	}
}

// A read-only run shows the writes it did not send on purpose as skipped, not missed; a write
// that was hit or failed stays so; a failed cell links to its problem.
func TestRun_Matrix_ReadOnly(t *testing.T) {
	r := Run{ReadOnly: true, Report: conformance.Report{Entries: []conformance.ReportEntry{
		{OperationID: "getDatabase", Method: "GET", Status: "200", Hits: 1},
		{OperationID: "getDatabase", Method: "GET", Status: "404"},
		{OperationID: "createBackup", Method: "POST", Status: "201"},
		{OperationID: "createBackup", Method: "POST", Status: "404"},
		{OperationID: "deleteUser", Method: "DELETE", Status: "204", Hits: 2},
	}}, Violations: []ViolationRecord{{OperationID: "getDatabase", Method: "GET", Status: 200, Kind: "schema"}}}
	got := map[string]string{}
	links := map[string]string{}
	for _, row := range r.Matrix().Rows {
		for _, c := range row.Cells {
			got[row.OperationID+" "+c.Status] = c.State
			if c.Problem != "" {
				links[row.OperationID+" "+c.Status] = c.Problem
			}
		}
	}
	want := map[string]string{
		"getDatabase 200": CellFailed, "getDatabase 404": CellMissed, "getDatabase 201": CellNone, "getDatabase 204": CellNone,
		"createBackup 201": CellSkipped, "createBackup 404": CellSkipped, "createBackup 200": CellNone, "createBackup 204": CellNone,
		"deleteUser 204": CellHit, "deleteUser 200": CellNone, "deleteUser 201": CellNone, "deleteUser 404": CellNone,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cells (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"getDatabase 200": "problem-1"}, links); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	r.ReadOnly = false
	for _, row := range r.Matrix().Rows {
		for _, c := range row.Cells {
			if c.State == CellSkipped {
				t.Errorf("a run with writes shows %s %s as skipped", row.OperationID, c.Status)
			}
		}
	}
}

func TestRun_Problems(t *testing.T) {
	x := &harness.Exchange{Method: "GET", URL: "http://h/api/databases/d/users", Status: 200}
	v := func(spec, op string, status int, kind, ptr, got string, x *harness.Exchange) ViolationRecord {
		return ViolationRecord{Spec: spec, OperationID: op, Method: "GET", Path: "/api/x", Status: status, Kind: kind, Pointer: ptr, Expected: "string", Got: got, Exchange: x}
	}
	r := Run{Violations: []ViolationRecord{
		v("A", "getDatabase", 200, "schema", "/database/name", "1", nil),
		v("B", "listUsers", 200, "schema", "/database_users/0/created_at", `"x"`, nil),
		v("B", "listUsers", 200, "schema", "/database_users/0/created_at", `"y"`, x),
		v("C", "listUsers", 200, "schema", "/database_users/0/created_at", `"z"`, nil),
		v("C", "listUsers", 404, "schema", "/database_users/0/created_at", `"z"`, nil), // another status
		v("C", "listUsers", 200, "format", "/database_users/0/created_at", `"z"`, nil), // another kind
	}}
	type brief struct {
		ID, Heading, Got string
		Count            int
		Specs            []string
		Exchange         bool
	}
	var got []brief
	for _, p := range r.Problems() {
		got = append(got, brief{p.ID, p.Heading(), p.Got, p.Count, p.Specs, p.Exchange != nil})
	}
	want := []brief{
		{"problem-1", "listUsers → 200: schema at /database_users/0/created_at", `"x"`, 3, []string{"B", "C"}, true},
		{"problem-2", "getDatabase → 200: schema at /database/name", "1", 1, []string{"A"}, false},
		{"problem-3", "listUsers → 200: format at /database_users/0/created_at", `"z"`, 1, []string{"C"}, false},
		{"problem-4", "listUsers → 404: schema at /database_users/0/created_at", `"z"`, 1, []string{"C"}, false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	var many Run
	for i := range maxProblemSpecs + 3 {
		many.Violations = append(many.Violations, v(strings.Repeat("s", i+1), "op", 200, "schema", "", "", nil))
	}
	p := many.Problems()
	if len(p) != 1 || len(p[0].Specs) != maxProblemSpecs || p[0].MoreSpecs != 3 || p[0].Count != maxProblemSpecs+3 {
		t.Errorf("a problem met by %d specs: %d named, %d more, count %d", maxProblemSpecs+3, len(p[0].Specs), p[0].MoreSpecs, p[0].Count)
	}
}

func TestProblem_Curl(t *testing.T) {
	tests := []struct {
		name string
		x    *harness.Exchange
		want string
	}{
		{"none", nil, ""},
		{"a GET with the token", &harness.Exchange{Method: "GET", URL: "https://h/api/databases/d", Token: harness.EnvToken},
			"curl -sS -i \\\n  -H \"Authorization: Bearer $DB_BEARER_TOKEN\" \\\n  'https://h/api/databases/d'"},
		{"a POST with a body and a quote", &harness.Exchange{Method: "POST", URL: "https://h/api/x", Token: harness.EnvForeignToken,
			RequestHeader: []harness.HeaderLine{{Name: "Content-Type", Value: "application/json"}}, RequestBody: `{"name":"o'brien"}`},
			"curl -sS -i \\\n  -X POST \\\n  -H \"Authorization: Bearer $DBAPI_FOREIGN_TOKEN\" \\\n  -H 'Content-Type: application/json' \\\n  --data-raw '{\"name\":\"o'\\''brien\"}' \\\n  'https://h/api/x'"},
		{"a token the run does not name", &harness.Exchange{Method: "GET", URL: "https://h/x", Token: "a token the run does not name"},
			"curl -sS -i \\\n  -H \"Authorization: Bearer $TOKEN\" \\\n  'https://h/x'"},
	}
	for _, tt := range tests {
		if got := (Problem{Exchange: tt.x}).Curl(); got != tt.want {
			t.Errorf("%s:\ngot  %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

func jsonString(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func TestRun_JSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.json")
	in := Run{Report: conformance.Report{Entries: []conformance.ReportEntry{{OperationID: "getDatabase", Status: "200", Hits: 1}}, OperationsHit: 1, OperationsTotal: 1},
		Violations: []ViolationRecord{{OperationID: "getDatabase", Status: 200, Kind: "schema"}}, Mode: "mock", Verdict: harness.ContractBroken.String()}
	if err := in.WriteJSON(path); err != nil {
		t.Fatal(err)
	}
	out, err := ReadRun(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, out); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}
