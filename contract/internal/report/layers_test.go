package report

import (
	"go/build"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// layers orders the suite's plain-Go packages under contract/internal: a package may import only
// those of a lower layer. Drift discovery knows nothing of the suite's settings or reports, and
// the harness nothing of how a run is reported; the JSON files under them know none of them.
var layers = map[string]int{"jsonfile": 0, "drift": 1, "harness": 2, "report": 3}

// upward returns the imports (package -> the contract/internal packages it imports) that reach
// the same or a higher layer.
func upward(imports map[string][]string) []string {
	var bad []string
	for pkg, deps := range imports {
		for _, d := range deps {
			if layer, ok := layers[d]; ok && layer >= layers[pkg] {
				bad = append(bad, pkg+" -> "+d)
			}
		}
	}
	slices.Sort(bad)
	return bad
}

// TestLayers checks the imports of drift, harness and report (their non-test files) against
// layers, and that the check finds an import that goes up.
func TestLayers(t *testing.T) {
	const prefix = "github.com/scalingodb/dbapi-go/contract/internal/"
	imports := map[string][]string{}
	for pkg := range layers {
		p, err := build.ImportDir(filepath.Join("..", pkg), 0)
		if err != nil {
			t.Fatal(err)
		}
		imports[pkg] = []string{}
		for _, path := range p.Imports {
			if name, ok := strings.CutPrefix(path, prefix); ok {
				imports[pkg] = append(imports[pkg], name)
			}
		}
	}
	if !slices.Contains(imports["report"], "drift") || !slices.Contains(imports["harness"], "drift") {
		t.Fatalf("the imports were not read: %v", imports)
	}
	if bad := upward(imports); len(bad) != 0 {
		t.Errorf("imports that go up a layer: %v", bad)
	}
	wrong := map[string][]string{"jsonfile": {"drift"}, "drift": {"harness"}, "harness": {"drift", "report"}, "report": {"harness"}}
	if diff := cmp.Diff([]string{"drift -> harness", "harness -> report", "jsonfile -> drift"}, upward(wrong)); diff != "" {
		t.Errorf("upward on a graph with imports that go up (-want +got):\n%s", diff)
	}
}
