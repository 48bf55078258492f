package drift

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/contract/internal/suitebin"
)

// TestSuite_SpecsThatShareTheDatabaseRunSerially: against a live target, every Ginkgo process
// of a parallel run (make contract-live, ginkgo -p) works on the same database, while against
// the built-in mock each has its own. The specs that compare whole reads of the database's
// resources before and after a write (the negative and positive families), and those that change
// its settings and read them back, must run alone (Ginkgo's Serial), or another process's
// writes make them fail on a server that keeps its contract. The test reads the spec tree of a
// dry run; it failed before the specs were marked.
func TestSuite_SpecsThatShareTheDatabaseRunSerially(t *testing.T) {
	bin := buildSuite(t)
	report := filepath.Join(t.TempDir(), "report.json")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	environ := append(suitebin.Environ(), harness.EnvReportsDir+"="+t.TempDir())
	code, out, err := suitebin.Run(ctx, bin, filepath.Dir(bin), environ, "-ginkgo.no-color", "-ginkgo.dry-run", "-ginkgo.json-report="+report)
	if err != nil || code != 0 {
		t.Fatalf("dry run: exit %d, %v\n%s", code, err, suitebin.Tail(out))
	}
	raw, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var reports []types.Report
	if err := json.Unmarshal(raw, &reports); err != nil || len(reports) != 1 {
		t.Fatalf("report: %d suites, %v", len(reports), err)
	}
	shared := harness.Strings(harness.Negative, harness.Positive)
	var serial, parallel int
	for _, s := range reports[0].SpecReports {
		if s.LeafNodeType != types.NodeTypeIt {
			continue
		}
		labels := s.Labels()
		mustBeSerial := slices.ContainsFunc(shared, func(l string) bool { return slices.Contains(labels, l) }) ||
			strings.HasPrefix(s.LeafNodeText, "persists a P")
		switch {
		case mustBeSerial && !s.IsSerial:
			parallel++
			if parallel <= 5 {
				t.Errorf("%q shares the database's state but may run in parallel", s.FullText())
			}
		case mustBeSerial:
			serial++
		}
	}
	if parallel > 5 {
		t.Errorf("... and %d more", parallel-5)
	}
	if serial == 0 && parallel == 0 {
		t.Fatal("no spec of the negative or positive families in the dry run: the test checks nothing")
	}
	t.Logf("%d specs run serially", serial)
}
