package report

import (
	"time"

	"github.com/scalingodb/dbapi-go/contract/internal/drift"
	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/contract/internal/jsonfile"
	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// Run is what a run found: the coverage (its JSON is a superset of conformance.Report's),
// the violations, the failed specs, and the run's target, settings, build and verdict.
// contract-coverage.json and contract-report.html are both written from it.
type Run struct {
	conformance.Report
	Violations []ViolationRecord `json:"violations"`
	Mode       string            `json:"mode"`
	BaseURL    string            `json:"base_url"`
	Time       time.Time         `json:"time"`
	Settings   []harness.Setting `json:"settings"`
	Verdict    string            `json:"verdict,omitempty"` // "" when the run passed
	ExitCode   int               `json:"exit_code"`
	// ReadOnly is true for a live run without DBAPI_ALLOW_WRITES=1: its mutating specs are
	// skipped on purpose, and the matrix shows their cells as skipped, not missed.
	ReadOnly bool `json:"read_only,omitempty"`
	// Duration is how long the run took, in seconds.
	Duration float64       `json:"duration_seconds"`
	Build    harness.Build `json:"build"`
	Failures []Failure     `json:"failures,omitempty"` // the failed specs, secrets redacted
	// Sections are more parts of the report (drift found, for one), shown after the problems
	// and before the matrix, in order.
	Sections []Section `json:"sections,omitempty"`
	// Drift is what drift discovery found (drift.json holds the same); the HTML report shows it
	// in a section of its own (drift.Report.HTML), after the other sections.
	Drift *drift.Report `json:"drift,omitempty"`
}

// Section is one more part of the HTML report: a title, a paragraph and a list of lines.
type Section struct {
	ID    string   `json:"id"` // the HTML id, unique in the page
	Title string   `json:"title"`
	Intro string   `json:"intro,omitempty"`
	Items []string `json:"items,omitempty"`
}

// WriteJSON writes r as indented JSON to path.
func (r Run) WriteJSON(path string) error { return jsonfile.Write(path, r) }

// ReadRun reads a Run written by WriteJSON.
func ReadRun(path string) (Run, error) { return jsonfile.Read[Run](path) }

// Failure is one failed spec as the summary and the reports show it.
type Failure struct {
	Spec    string `json:"spec"`
	Message string `json:"message"` // its first line matters most: a summary keeps it short
	// Verdict is what the failure stands for; harness.Passed (the zero value) is read as the run's.
	Verdict harness.Verdict `json:"verdict,omitempty"`
}

// Headline is the first line of the failure's message (see WriteSummary).
func (f Failure) Headline() string { return headline(f.Message) }
