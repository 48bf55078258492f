package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/scalingodb/dbapi-go/contract/internal/drift"
	"github.com/scalingodb/dbapi-go/contract/internal/harness"
)

// WriteSummary writes the short account of a failed run that reports/summary.txt holds: the
// verdict, the build, the failed specs with the first line of their failure, and the first
// violation with its operation, pointer, expected and got.
func WriteSummary(w io.Writer, v harness.Verdict, build harness.Build, failures []Failure, violations []ViolationRecord) error {
	var b strings.Builder
	fmt.Fprintf(&b, "verdict: %s (exit code %d)\n", v, int(v))
	fmt.Fprintf(&b, "build: %s\n", build)
	if len(violations) > 0 {
		f := violations[0]
		fmt.Fprintf(&b, "first violation: %s %s %s", f.OperationID, f.Method, f.Path)
		if f.Status != 0 {
			fmt.Fprintf(&b, " -> %d", f.Status)
		}
		fmt.Fprintf(&b, ": %s violation", f.Kind)
		if f.Pointer != "" {
			fmt.Fprintf(&b, " at %s", f.Pointer)
		}
		fmt.Fprintf(&b, "\n  expected: %s\n  got:      %s\n", f.Expected, f.Got)
	}
	others := map[harness.Verdict]int{}
	for _, f := range failures {
		if f.Verdict != harness.Passed && f.Verdict != v {
			others[f.Verdict]++
		}
	}
	for _, o := range []harness.Verdict{harness.ContractBroken, harness.SettingsWrong, harness.Unreachable} {
		if n := others[o]; n > 0 {
			fmt.Fprintf(&b, "also: %s (exit code %d) in %d spec%s\n", o, int(o), n, map[bool]string{true: "s"}[n > 1])
		}
	}
	fmt.Fprintf(&b, "failed: %d\n", len(failures))
	for _, f := range failures {
		mark := ""
		if f.Verdict != harness.Passed && f.Verdict != v {
			mark = " (" + f.Verdict.String() + ")"
		}
		fmt.Fprintf(&b, "- %s%s\n  %s\n", f.Spec, mark, headline(f.Message))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// headline is the first line of a failure message, joined with the next one when it only
// announces it ("the target broke the contract:").
func headline(msg string) string {
	lines := strings.Split(strings.TrimSpace(msg), "\n")
	h := strings.TrimSpace(lines[0])
	if strings.HasSuffix(h, ":") && len(lines) > 1 {
		h += " " + strings.TrimSpace(lines[1])
	}
	return h
}

// WriteDriftSummary writes the drift section of summary.txt: the headline, where the files
// are, and the first findings.
func WriteDriftSummary(w io.Writer, r drift.Report, failOnDrift bool) error {
	var b strings.Builder
	rule := "not a failure unless " + harness.EnvFailOnDrift + "=1"
	if failOnDrift {
		rule = "a failure: " + harness.EnvFailOnDrift + "=1"
	}
	fmt.Fprintf(&b, "%s (%s); see drift.json and drift-overlay.yaml\n", r.Headline(), rule)
	for _, l := range r.Lines(10) {
		fmt.Fprintf(&b, "- %s\n", l)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
