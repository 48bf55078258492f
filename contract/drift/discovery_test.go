package drift

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/scalingodb/dbapi-go/contract/internal/drift"
	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/contract/internal/overlaytest"
	"github.com/scalingodb/dbapi-go/contract/internal/suitebin"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/mutate"
)

// discovered lists what each addition of the catalogue must be reported as in drift.json: the
// operation, the kind, the JSON pointer (or header) and the JSON type.
var discovered = map[string]drift.Finding{
	"extra-field":        {OperationID: "getBackupArchive", Kind: drift.KindProperty, Name: "/expires_in", Types: map[string]int{"integer": 0}},
	"extra-nested-field": {OperationID: "getBackup", Kind: drift.KindProperty, Name: "/database_backup/storage_type", Types: map[string]int{"string": 0}},
	"extra-item-field":   {OperationID: "listDatabaseUsers", Kind: drift.KindProperty, Name: "/database-users/*/last_login_at", Types: map[string]int{"string": 0}},
	"extra-object":       {OperationID: "listMaintenances", Kind: drift.KindProperty, Name: "/meta/window", Types: map[string]int{"object": 0}},
	"extra-header":       {OperationID: "getDatabaseInstancesStatus", Kind: drift.KindHeader, Name: "X-Drift-Probe", Types: map[string]int{"string": 0}},
}

// TestSuiteDiscoversDrift runs the compiled suite against the mock with every addition of the
// catalogue at once: the run passes, drift.json reports each addition with its pointer and JSON
// type, drift-overlay.yaml applies to openapi.yaml and the result validates; with
// DBAPI_FAIL_ON_DRIFT=1 the same run fails (exit 1) and summary.txt shows the drift. No planted
// value reaches stdout or any report.
func TestSuiteDiscoversDrift(t *testing.T) {
	var names []string
	for _, m := range mutate.Catalogue() {
		if m.Kind != mutate.Addition {
			continue
		}
		names = append(names, m.Name)
		if _, ok := discovered[m.Name]; !ok {
			t.Errorf("addition %s has no expected finding in discovered", m.Name)
		}
	}
	if len(names) < len(discovered) {
		t.Fatalf("%d additions in the catalogue, want %d", len(names), len(discovered))
	}
	bin := buildSuite(t)
	mutations := harness.EnvMockMutations + "=" + strings.Join(names, ",")

	for _, failOnDrift := range []bool{false, true} {
		t.Run("fail on drift "+strconv.FormatBool(failOnDrift), func(t *testing.T) {
			dir := t.TempDir()
			r := runSuiteIn(t, bin, dir, mutations, harness.EnvFailOnDrift+"="+map[bool]string{false: "0", true: "1"}[failOnDrift])
			want := map[bool]int{false: 0, true: 1}[failOnDrift]
			if r.exitCode != want {
				t.Fatalf("exit %d, want %d\n%s", r.exitCode, want, suitebin.Tail(r.output))
			}
			report, err := drift.Read(filepath.Join(dir, "drift.json"))
			if err != nil {
				t.Fatal(err)
			}
			for name, exp := range discovered {
				if !hasFinding(report, exp) {
					t.Errorf("%s: drift.json has no %s %s at %s with type %v", name, exp.OperationID, exp.Kind, exp.Name, exp.Types)
				}
			}
			outputs := runOutputs(t, r, dir)
			for name, content := range outputs {
				for _, value := range []string{mutate.Sentinel, strconv.Itoa(mutate.SentinelNumber)} {
					if strings.Contains(content, value) {
						t.Errorf("%s holds the planted value %q", name, value)
					}
				}
			}
			if !strings.Contains(outputs["stdout"], "drift: ") || !strings.Contains(outputs["contract-report.html"], "X-Drift-Probe") {
				t.Errorf("stdout or the HTML report does not show the drift")
			}
			summary, hasSummary := outputs["summary.txt"]
			switch {
			case failOnDrift && (!strings.HasPrefix(summary, "verdict: contract broken (exit code 1)") || !strings.Contains(summary, "drift: ")):
				t.Errorf("summary.txt does not show the drift as the failure:\n%s", summary)
			case !failOnDrift && hasSummary:
				t.Errorf("a passing run wrote summary.txt:\n%s", summary)
			}
			if failOnDrift {
				return
			}
			checkOverlay(t, []byte(outputs["drift-overlay.yaml"]))
		})
	}
}

// runOutputs returns what a run wrote, by name: its stdout, and each file of its reports folder.
func runOutputs(t *testing.T, r run, dir string) map[string]string {
	t.Helper()
	outputs := map[string]string{"stdout": r.output}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		outputs[filepath.Base(f)] = string(b)
	}
	return outputs
}

// hasFinding reports whether r holds a finding of exp's operation, kind and name with exp's
// only type.
func hasFinding(r drift.Report, exp drift.Finding) bool {
	for _, f := range r.Findings {
		if f.OperationID == exp.OperationID && f.Kind == exp.Kind && f.Name == exp.Name && len(f.Types) == len(exp.Types) {
			for typ := range exp.Types {
				if f.Types[typ] == 0 {
					return false
				}
			}
			return true
		}
	}
	return false
}

// checkOverlay applies the overlay to openapi.yaml (every target selecting something) and
// validates the result as TestSpecValidates does.
func checkOverlay(t *testing.T, ov []byte) {
	t.Helper()
	_, applied, err := overlaytest.Apply(filepath.Join("..", "..", "openapi.yaml"), ov)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"expires_in", "storage_type", "last_login_at", "window", "X-Drift-Probe"} {
		if !strings.Contains(string(applied), name) {
			t.Errorf("the overlaid spec does not describe %s", name)
		}
	}
}

// TestSuiteFindsNoDriftOnTheMock runs the compiled suite against the mock as it is, with
// DBAPI_FAIL_ON_DRIFT=1: the mock sends nothing the spec does not describe (X-Request-Id and
// WWW-Authenticate through its x-response-headers), so the run passes with an empty drift.json.
// Before the spec documented them, this run reported 224 header findings and failed.
func TestSuiteFindsNoDriftOnTheMock(t *testing.T) {
	bin := buildSuite(t)
	dir := t.TempDir()
	r := runSuiteIn(t, bin, dir, harness.EnvFailOnDrift+"=1")
	if r.exitCode != 0 {
		t.Fatalf("exit %d, want 0\n%s", r.exitCode, suitebin.Tail(r.output))
	}
	report, err := drift.Read(filepath.Join(dir, "drift.json"))
	if err != nil {
		t.Fatal(err)
	}
	if report.Answers == 0 || len(report.Findings) != 0 {
		t.Fatalf("drift.json: %d answers, findings %+v; want answers and no finding", report.Answers, report.Findings)
	}
}
