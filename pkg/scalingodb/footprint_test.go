package scalingodb

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scalingodb/dbapi-go/pkg/mockserver"
)

// heavyDeps reports the packages of deps that a client program must not
// link: the spec engine (kin-openapi), JSON-schema and YAML libraries.
// They belong to pkg/conformance and gen/dbapispec.
func heavyDeps(deps []string) []string {
	var heavy []string
	for _, d := range deps {
		l := strings.ToLower(d)
		if strings.Contains(l, "kin-openapi") || strings.Contains(l, "jsonschema") || strings.Contains(l, "yaml") {
			heavy = append(heavy, d)
		}
	}
	return heavy
}

// goList runs `go list -deps pkg` and returns the import paths.
func goList(t testing.TB, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", pkg).Output()
	if err != nil {
		var stderr []byte
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			stderr = ee.Stderr
		}
		t.Fatalf("go list -deps %s: %v\n%s", pkg, err, stderr)
	}
	return strings.Fields(string(out))
}

// TestImportGraph keeps the client light to import: importing
// pkg/scalingodb (or gen/dbapi) must not link the spec engine, which
// costs megabytes of binary and milliseconds of start-up. The packages
// that do import it show that the check finds it.
func TestImportGraph(t *testing.T) {
	const mod = "github.com/scalingodb/dbapi-go/"
	tests := []struct {
		pkg       string
		wantHeavy bool
	}{
		{mod + "pkg/scalingodb", false},
		{mod + "gen/dbapi", false},
		{mod + "cmd/scalingodb-quickstart", false},
		{mod + "pkg/conformance", true},
		{mod + "gen/dbapispec", true},
		{mod + "pkg/scalingodb/validate", true},
	}
	for _, tt := range tests {
		t.Run(strings.TrimPrefix(tt.pkg, mod), func(t *testing.T) {
			deps := goList(t, tt.pkg)
			if !slices.Contains(deps, tt.pkg) {
				t.Fatalf("go list -deps %s does not list the package itself: %v", tt.pkg, deps)
			}
			heavy := heavyDeps(deps)
			if got := len(heavy) > 0; got != tt.wantHeavy {
				t.Errorf("%s links the spec engine: %t, want %t (%v)", tt.pkg, got, tt.wantHeavy, heavy)
			}
			if slices.Contains(deps, mod+"pkg/conformance") && !tt.wantHeavy {
				t.Errorf("%s imports pkg/conformance", tt.pkg)
			}
		})
	}
}

// clientLayers are the edges allowed between the packages of the client
// and the generated code, by import path under the module: each package
// may import only those listed (and nothing of the module outside the
// table). The downloader and the token sources know nothing of the API.
var clientLayers = map[string][]string{
	"pkg/scalingodb":                  {"pkg/scalingodb/download", "pkg/scalingodb/auth", "pkg/scalingodb/internal/apicall", "pkg/scalingodb/internal/httpx", "pkg/scalingodb/internal/pages", "pkg/scalingodb/internal/poll", "pkg/scalingodb/internal/wire", "gen/dbapi"},
	"pkg/scalingodb/internal/apicall": {"pkg/scalingodb/internal/httpx", "gen/dbapi"},
	"pkg/scalingodb/internal/pages":   {"pkg/scalingodb/internal/httpx"},
	"pkg/scalingodb/internal/poll":    {"pkg/scalingodb/internal/httpx"},
	"pkg/scalingodb/download":         {"pkg/scalingodb/internal/httpx"},
	"pkg/scalingodb/auth":             {"pkg/scalingodb/internal/httpx"},
	"pkg/scalingodb/internal/httpx":   nil,
	"pkg/scalingodb/internal/wire":    nil,
	"gen/dbapi":                       nil,
}

// badEdges returns the imports of the module's packages in imports (by
// path under the module) that allowed does not list.
func badEdges(imports, allowed map[string][]string) []string {
	var bad []string
	for pkg, deps := range imports {
		for _, d := range deps {
			if !slices.Contains(allowed[pkg], d) {
				bad = append(bad, pkg+" -> "+d)
			}
		}
	}
	slices.Sort(bad)
	return bad
}

// TestImportGraph_Layers checks the direct imports of the client's
// packages against clientLayers, and that download and auth do not reach
// the API even indirectly; a graph with a forbidden edge shows that the
// check finds it.
func TestImportGraph_Layers(t *testing.T) {
	const mod = "github.com/scalingodb/dbapi-go/"
	args := []string{"list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}"}
	for pkg := range clientLayers {
		args = append(args, mod+pkg)
	}
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	imports := map[string][]string{}
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], mod)
		imports[pkg] = []string{}
		for _, d := range fields[1:] {
			if rel, ok := strings.CutPrefix(d, mod); ok {
				imports[pkg] = append(imports[pkg], rel)
			}
		}
	}
	if len(imports) != len(clientLayers) {
		t.Fatalf("go list gave %d packages, want %d: %v", len(imports), len(clientLayers), imports)
	}
	if bad := badEdges(imports, clientLayers); len(bad) != 0 {
		t.Errorf("imports outside the layers: %v", bad)
	}
	for _, pkg := range []string{"pkg/scalingodb/download", "pkg/scalingodb/auth", "pkg/scalingodb/internal/httpx"} {
		for _, d := range goList(t, mod+pkg) {
			if d == mod+"gen/dbapi" || d == mod+"pkg/scalingodb" {
				t.Errorf("%s depends on %s", pkg, d)
			}
		}
	}
	// The check itself: a downloader that imports the client, and a lower
	// layer that imports the downloader, are both found.
	cycle := map[string][]string{
		"pkg/scalingodb/download":       {"pkg/scalingodb/internal/httpx", "pkg/scalingodb"},
		"pkg/scalingodb/internal/httpx": {"pkg/scalingodb/download"},
	}
	want := []string{"pkg/scalingodb/download -> pkg/scalingodb", "pkg/scalingodb/internal/httpx -> pkg/scalingodb/download"}
	if diff := cmp.Diff(want, badEdges(cycle, clientLayers)); diff != "" {
		t.Errorf("badEdges on a graph with forbidden edges (-want +got):\n%s", diff)
	}
}

// TestImportGraph_NoSlog keeps log/slog (about 145 KB of binary) out of
// programs that do not log: the client takes any Logger, such as a
// *slog.Logger, without importing log/slog. A package that does import it
// shows that the check finds it.
func TestImportGraph_NoSlog(t *testing.T) {
	const mod = "github.com/scalingodb/dbapi-go/"
	for pkg, want := range map[string]bool{
		mod + "pkg/scalingodb":            false,
		mod + "cmd/scalingodb-quickstart": false,
		"log/slog":                        true,
	} {
		if got := slices.Contains(goList(t, pkg), "log/slog"); got != want {
			t.Errorf("%s links log/slog: %t, want %t", pkg, got, want)
		}
	}
}

// The programs BenchmarkQuickstart builds: the quick start, and the same
// requests (testdata/floor) on the libraries the client cannot do without,
// or with stdTag on the standard library alone.
const (
	quickstartPkg = "github.com/scalingodb/dbapi-go/cmd/scalingodb-quickstart"
	floorPkg      = "./testdata/floor"
	stdTag        = "-tags=std"
)

// goBuild builds pkg into dir/name with the given flags and returns the
// path of the binary.
func goBuild(dir, name, pkg string, flags ...string) (string, error) {
	bin := filepath.Join(dir, name)
	args := append(append([]string{"build", "-o", bin}, flags...), pkg)
	if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", pkg, err, out)
	}
	return bin, nil
}

// TestQuickstartAndFloor runs the quick start and its floor programs
// against the mock: each does the whole tour (users, a backup, its
// archive), so that the floors' sizes in BenchmarkQuickstart are those of
// the same work.
func TestQuickstartAndFloor(t *testing.T) {
	if testing.Short() {
		t.Skip("builds three programs")
	}
	_, base := mockserver.Start(t, mockserver.WithSeed(mockserver.DemoSeed()), mockserver.WithBackupTimings(100*time.Millisecond, 100*time.Millisecond))
	dir := t.TempDir()
	for _, prog := range []struct{ name, pkg, flags string }{
		{"quickstart", quickstartPkg, ""},
		{"floor", floorPkg, ""},
		{"floorstd", floorPkg, stdTag},
	} {
		t.Run(prog.name, func(t *testing.T) {
			t.Parallel()
			name := prog.name
			bin, err := goBuild(dir, name, prog.pkg, strings.Fields(prog.flags)...)
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin)
			cmd.Env = append(os.Environ(), "DBAPI_BASE_URL="+base, "DB_BEARER_TOKEN="+mockserver.DefaultToken,
				"DBAPI_DATABASE_ID="+mockserver.DemoDatabaseID)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v\n%s", name, err, out)
			}
			for _, want := range []string{"user " + mockserver.DemoProtectedUser + " (read-only: false)", "downloaded "} {
				if !strings.Contains(string(out), want) {
					t.Errorf("%s printed no %q:\n%s", name, want, out)
				}
			}
		})
	}
}

// initLine matches a line of GODEBUG=inittrace=1:
// "init net/http @2.1 ms, 0.12 ms clock, 1234 bytes, 12 allocs".
var initLine = regexp.MustCompile(`^init (\S+) @[0-9.]+ ms, ([0-9.]+) ms clock, (\d+) bytes, \d+ allocs$`)

// initCost is what GODEBUG=inittrace=1 says of one package's init.
type initCost struct {
	MS    float64 // clock time
	Bytes int64   // heap allocated
}

// initTimes parses an init trace into the cost of each package's init.
func initTimes(trace []byte) map[string]initCost {
	costs := map[string]initCost{}
	sc := bufio.NewScanner(bytes.NewReader(trace))
	for sc.Scan() {
		m := initLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		ms, err1 := strconv.ParseFloat(m[2], 64)
		n, err2 := strconv.ParseInt(m[3], 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		c := costs[m[1]]
		c.MS += ms
		c.Bytes += n
		costs[m[1]] = c
	}
	return costs
}

// isStd reports whether pkg is in the standard library (its first path
// element has no dot).
func isStd(pkg string) bool {
	first, _, _ := strings.Cut(pkg, "/")
	return !strings.Contains(first, ".")
}

func TestInitTimes(t *testing.T) {
	trace := []byte(`init internal/bytealg @0.008 ms, 0 ms clock, 0 bytes, 0 allocs
init runtime @0.041 ms, 0.050 ms clock, 0 bytes, 0 allocs
some other line on stderr
init github.com/santhosh-tekuri/jsonschema/v6 @3.1 ms, 3.5 ms clock, 1700000 bytes, 20000 allocs
init malformed @x ms, 1 ms clock, 0 bytes, 0 allocs
init vendor/golang.org/x/net/http2/hpack @59 ms, 0.23 ms clock, 7344 bytes, 8 allocs
`)
	want := map[string]initCost{
		"internal/bytealg": {0, 0},
		"runtime":          {0.05, 0},
		"github.com/santhosh-tekuri/jsonschema/v6": {3.5, 1700000},
		"vendor/golang.org/x/net/http2/hpack":      {0.23, 7344},
	}
	got := initTimes(trace)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("initTimes (-want +got):\n%s", diff)
	}
	var deps []string
	for pkg := range got {
		if !isStd(pkg) {
			deps = append(deps, pkg)
		}
	}
	if diff := cmp.Diff([]string{"github.com/santhosh-tekuri/jsonschema/v6"}, deps); diff != "" {
		t.Errorf("dependencies (-want +got):\n%s", diff)
	}
}

// BenchmarkQuickstart reports the footprint of a program that imports the
// client, cmd/scalingodb-quickstart: its size in MB (10^6 bytes) with the
// default flags (binary-MB, goal ≤ 9; 13.4 when the client linked the spec
// engine), stripped with -ldflags=-s -w (stripped-MB), and beside it the
// size of testdata/floor, the same requests on net/http, encoding/json,
// go-retryablehttp and the oapi-codegen runtime alone (floor-MB) and, built
// with -tags std, on the standard library alone (std-floor-MB), and what its
// start-up costs, parsed from GODEBUG=inittrace=1: the slowest init of a
// package outside the standard library, in ms (max-dep-init-ms, goal
// ≤ 0.5; the median of the runs for each package), the slowest of any
// package (max-init-ms, which a loaded machine inflates), and the heap
// that inits outside the standard library allocate (dep-init-bytes, which
// load does not change; jsonschema's alone was 1.7 MB). Each iteration
// starts the program once; without its environment variables it stops
// right after the inits.
func BenchmarkQuickstart(b *testing.B) {
	dir := b.TempDir() // b.Loop runs the function once
	var sizes [4]float64
	for i, build := range []struct {
		name, pkg string
		flags     []string
	}{
		{"quickstart", quickstartPkg, nil},
		{"quickstart-stripped", quickstartPkg, []string{"-ldflags=-s -w"}},
		{"floor", floorPkg, nil},
		{"floorstd", floorPkg, []string{stdTag}},
	} {
		bin, err := goBuild(dir, build.name, build.pkg, build.flags...)
		if err != nil {
			b.Fatal(err)
		}
		fi, err := os.Stat(bin)
		if err != nil {
			b.Fatal(err)
		}
		sizes[i] = float64(fi.Size()) / 1e6
	}
	quickstart := filepath.Join(dir, "quickstart")
	runs := map[string][]float64{}
	var depBytes int64
	for b.Loop() {
		cmd := exec.Command(quickstart)
		cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1", "DBAPI_DATABASE_ID=", "DB_BEARER_TOKEN=")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		_ = cmd.Run() // it fails for want of a token, after every init
		costs := initTimes(stderr.Bytes())
		if len(costs) == 0 {
			b.Fatalf("no init trace in:\n%s", stderr.String())
		}
		depBytes = 0
		for pkg, c := range costs {
			runs[pkg] = append(runs[pkg], c.MS)
			if !isStd(pkg) {
				depBytes += c.Bytes
			}
		}
	}
	slowest, slowestMS := "", 0.0
	slowestDep, slowestDepMS := "(none)", 0.0
	for pkg, ms := range runs {
		slices.Sort(ms)
		med := ms[len(ms)/2]
		if med > slowestMS {
			slowest, slowestMS = pkg, med
		}
		if !isStd(pkg) && med > slowestDepMS {
			slowestDep, slowestDepMS = pkg, med
		}
	}
	b.ReportMetric(sizes[0], "binary-MB")
	b.ReportMetric(sizes[1], "stripped-MB")
	b.ReportMetric(sizes[2], "floor-MB")
	b.ReportMetric(sizes[3], "std-floor-MB")
	b.ReportMetric(slowestDepMS, "max-dep-init-ms")
	b.ReportMetric(slowestMS, "max-init-ms")
	b.ReportMetric(float64(depBytes), "dep-init-bytes")
	b.Logf("slowest init outside the standard library: %s, %.3f ms; of all: %s, %.3f ms (medians of %d runs)",
		slowestDep, slowestDepMS, slowest, slowestMS, len(runs[slowest]))
}
