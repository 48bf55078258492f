package drift

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/contract/internal/suitebin"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/mutate"
)

// expectation is how a mutation must be reported: the kind of violation and a pattern of its
// JSON pointer (or header), "" when the violation has no pointer (a status, a broken body).
type expectation struct {
	kind    string
	pointer string
}

// want lists the report each mutation must get; a mutation that the mock adds without an entry
// here fails the test until it gets one.
var want = map[string]expectation{
	"undocumented-status":                 {"status", ""},
	"truncated-json":                      {"body", ""},
	"body-on-204":                         {"body", "header Content-Length"},
	"wrong-content-type":                  {"content-type", "header Content-Type"},
	"missing-retry-after":                 {"header", "header Retry-After"},
	"missing-content-range":               {"header", "header Content-Range"},
	"missing-required-field":              {"schema", `/database-users/\d+/read_only`},
	"wrong-type":                          {"schema", `/database-users/\d+/read_only`},
	"missing-envelope-key":                {"schema", `/database-users`},
	"null-in-non-nullable":                {"schema", `/database_backups/\d+/name`},
	"unknown-enum":                        {"schema", `/database_backups/\d+/status`},
	"datetime-without-offset":             {"schema", `/database_backups/\d+/(created_at|started_at)`},
	"negative-size":                       {"schema", `/database_backups/\d+/size`},
	"fractional-integer":                  {"schema", `/database_backups/\d+/size`},
	"int64-overflow":                      {"schema", `/database_backups/\d+/size`},
	"object-where-array":                  {"schema", `/database_backups`},
	"array-where-object":                  {"schema", `/database`},
	"bare-object-where-envelope-required": {"schema", `/database_backup`},
	"wrong-error-shape":                   {"schema", `/error`},
	"malformed-download-url":              {"schema", `/download_url`},
	"create-user-missing-password":        {"schema", `/database_user/password`},
	"empty-validation-errors":             {"schema", `/errors`},
	"instances-status-object":             {"schema", `/`},
	"missing-pagination-meta":             {"schema", `/meta`},
	"unknown-feature-status":              {"schema", `/status`},
	"unknown-restoration-status":          {"schema", `/backup_restoration/status`},
	"operation-without-envelope":          {"schema", `/operation`},
	"ca-certificate-as-json":              {"content-type", "header Content-Type"},
	"lag-not-json":                        {"body", ""},
}

// run is one execution of the compiled suite.
type run struct {
	exitCode int
	output   string
}

// TestSuiteCatchesEveryMutation is the drift catalogue's proof: the unmutated mock passes the
// suite, and every mutation makes it fail with a message naming the operation and the violation.
func TestSuiteCatchesEveryMutation(t *testing.T) {
	var mutations []mutate.Mutation
	for _, m := range mutate.Catalogue() {
		if m.Kind == mutate.Breach {
			mutations = append(mutations, m) // additions keep the spec: TestSuiteDiscoversDrift
		}
	}
	if len(mutations) < 20 {
		t.Fatalf("the catalogue has %d kinds of drift, want at least 20", len(mutations))
	}
	bin := buildSuite(t)

	baseline := runSuite(t, bin, "")
	if baseline.exitCode != 0 {
		t.Fatalf("the suite fails against the unmutated mock (exit %d); no mutation can be judged:\n%s", baseline.exitCode, suitebin.Tail(baseline.output))
	}

	results := make([]run, len(mutations))
	var wg sync.WaitGroup
	slots := make(chan struct{}, 2) // two cores
	for i, m := range mutations {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			results[i] = runSuite(t, bin, m.Name)
		}()
	}
	wg.Wait()

	for i, m := range mutations {
		t.Run(m.Name, func(t *testing.T) {
			if _, ok := want[m.Name]; !ok {
				t.Errorf("mutation %s has no expected kind and pointer in want", m.Name)
			}
			if err := caught(m, results[i]); err != nil {
				t.Errorf("mutation %s (%s: %s) not caught: %v\n%s", m.Name, m.OperationID, m.Description, err, suitebin.Tail(results[i].output))
			}
		})
	}
}

// TestCaught shows that the judge of a run fails on the runs it must reject.
func TestCaught(t *testing.T) {
	m := mutate.Mutation{Name: "wrong-type", OperationID: "listDatabaseUsers"}
	line := "  listDatabaseUsers GET /api/databases/my-db-123/users -> 200: response schema violation at /database-users/0/read_only\n"
	tests := []struct {
		name string
		run  run
		ok   bool
	}{
		{"failed run naming the operation and violation", run{1, "[FAIL] ...\n" + line}, true},
		{"passing run", run{0, line}, false},
		{"failed run naming another operation", run{1, strings.ReplaceAll(line, "listDatabaseUsers", "listBackups")}, false},
		{"failed run with another kind", run{1, strings.ReplaceAll(line, "schema", "status")}, false},
		{"failed run at another pointer", run{1, strings.ReplaceAll(line, "read_only", "name")}, false},
		{"failed run wrapped in a client error", run{1, `Get "http://127.0.0.1:1/api/x": ` + strings.TrimSpace(line)}, true},
		{"failed run without a violation", run{1, "[FAIL] expected 200, got 500"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := caught(m, tt.run); (err == nil) != tt.ok {
				t.Errorf("caught = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

// violationLine matches a violation as conformance.Violation.Error renders it: operation,
// method, path, status, kind and, when there is one, the pointer.
var violationLine = regexp.MustCompile(`\b(\w+) [A-Z]+ /\S* -> \d{3}: response ([a-z-]+) violation(?: at ((?:header )?\S+))?`)

// caught returns nil when r failed and its output reports a violation of m's operation, of the
// expected kind and at the expected pointer when want lists m.
func caught(m mutate.Mutation, r run) error {
	if r.exitCode == 0 {
		return errors.New("the suite passed")
	}
	exp, listed := want[m.Name]
	var seen []string
	for _, g := range violationLine.FindAllStringSubmatch(r.output, -1) {
		op, kind, ptr := g[1], g[2], g[3]
		if op == m.OperationID && (!listed || (kind == exp.kind && regexp.MustCompile(`^(?:`+exp.pointer+`)$`).MatchString(ptr))) {
			return nil
		}
		seen = append(seen, fmt.Sprintf("%s/%s at %q", op, kind, ptr))
	}
	return fmt.Errorf("the suite failed (exit %d) without reporting a %s violation of %s at %q (violations seen: %v)",
		r.exitCode, exp.kind, m.OperationID, exp.pointer, seen)
}

// buildSuite compiles the contract suite once.
func buildSuite(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "contract.test")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := suitebin.Build(ctx, bin, ""); err != nil {
		t.Fatal(err)
	}
	return bin
}

// runSuite runs the compiled suite against the built-in mock with mutation applied ("" for
// none), with reports kept out of the repository.
func runSuite(t *testing.T, bin, mutation string) run {
	t.Helper()
	return runSuiteIn(t, bin, t.TempDir(), harness.EnvMockMutations+"="+mutation)
}

// runSuiteIn runs the compiled suite against the built-in mock with the settings env added,
// writing its reports to reports.
func runSuiteIn(t *testing.T, bin, reports string, env ...string) run {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	environ := append(append(suitebin.Environ(), harness.EnvReportsDir+"="+reports), env...)
	code, out, err := suitebin.Run(ctx, bin, filepath.Dir(bin), environ, "-ginkgo.no-color", "-ginkgo.randomize-all")
	if err != nil {
		t.Errorf("run the suite with %q: %v", env, err)
	}
	return run{exitCode: code, output: out}
}
