package drift

import (
	"path/filepath"
	"testing"

	"github.com/scalingodb/dbapi-go/contract/internal/drift"
	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/contract/internal/suitebin"
)

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
