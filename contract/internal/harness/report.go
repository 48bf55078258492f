package harness

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// ViolationRecord is one contract violation as the reports show it, secrets redacted.
type ViolationRecord struct {
	Spec        string `json:"spec"` // the spec that met it
	OperationID string `json:"operation_id"`
	Method      string `json:"method"`
	Path        string `json:"path"`
	Status      int    `json:"status,omitempty"`
	Kind        string `json:"kind"`
	Pointer     string `json:"pointer,omitempty"`
	Expected    string `json:"expected"`
	Got         string `json:"got"`
}

// Records turns the violations of e, met by spec, into records with every secret that r knows
// or recognises redacted.
func Records(spec string, e *conformance.ViolationError, r *Redactor) []ViolationRecord {
	out := make([]ViolationRecord, 0, len(e.Violations))
	for _, v := range e.Violations {
		out = append(out, ViolationRecord{
			Spec: r.Redact(spec), OperationID: v.OperationID, Method: v.Method, Path: r.Redact(v.Path),
			Status: v.Status, Kind: string(v.Kind), Pointer: r.Redact(v.Pointer),
			Expected: r.Redact(v.Expected), Got: r.Redact(v.Got),
		})
	}
	return out
}

// StatusKey returns the documented status key of the operation that status files under ("5XX"
// for 503 when the operation documents 5XX), or the status itself when none does.
func StatusKey(documented []string, status int) string {
	s := strconv.Itoa(status)
	for _, d := range documented {
		if d == s {
			return d
		}
	}
	for _, d := range documented {
		if len(d) == 3 && strings.EqualFold(d[1:], "XX") && d[0] == s[0] {
			return d
		}
	}
	return s
}

// RunReport is what a run found: the coverage (its JSON is a superset of conformance.Report's),
// the violations, and the run's target and settings. contract-coverage.json and
// contract-report.html are both written from it.
type RunReport struct {
	conformance.Report
	Violations []ViolationRecord `json:"violations"`
	Mode       string            `json:"mode"`
	BaseURL    string            `json:"base_url"`
	Time       time.Time         `json:"time"`
	Settings   []Setting         `json:"settings"`
	Verdict    string            `json:"verdict,omitempty"`
	// Drift is what drift discovery found (drift.json holds the same); the HTML report shows it
	// in a section of its own (DriftReport.HTML).
	Drift *DriftReport `json:"drift,omitempty"`
}

// WriteJSON writes r as indented JSON to path.
func (r RunReport) WriteJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// ReadRunReport reads a RunReport written by WriteJSON.
func ReadRunReport(path string) (RunReport, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return RunReport{}, err
	}
	var r RunReport
	if err := json.Unmarshal(b, &r); err != nil {
		return RunReport{}, fmt.Errorf("read %s: %w", path, err)
	}
	return r, nil
}

// Cell states of the HTML matrix.
const (
	CellHit      = "hit"
	CellMissed   = "missed"
	CellExcluded = "excluded"
	CellFailed   = "failed" // a violation was met on this operation and status
	CellNone     = "none"   // not documented, and no violation
)

// MatrixRow is one operation of the HTML matrix.
type MatrixRow struct {
	OperationID, Method, Path string
	Cells                     []MatrixCell // one per Matrix.Statuses
}

// MatrixCell is one (operation, status) cell.
type MatrixCell struct {
	Status string
	State  string // one of the Cell constants
	Hits   int
}

// Matrix is the operation × status view of a RunReport.
type Matrix struct {
	Statuses []string // the columns: every documented status, and every status a violation came with
	Rows     []MatrixRow
}

// Matrix builds the operation × status view: each documented pair is hit, missed or excluded,
// and failed when a violation was met on it (a violation on an undocumented status adds its
// column).
func (r RunReport) Matrix() Matrix {
	type key struct{ op, status string }
	documented := map[string][]string{}
	entries := map[key]conformance.ReportEntry{}
	var ops []MatrixRow
	cols := map[string]bool{}
	for _, e := range r.Entries {
		if _, seen := documented[e.OperationID]; !seen {
			ops = append(ops, MatrixRow{OperationID: e.OperationID, Method: e.Method, Path: e.Path})
		}
		documented[e.OperationID] = append(documented[e.OperationID], e.Status)
		entries[key{e.OperationID, e.Status}] = e
		cols[e.Status] = true
	}
	failed := map[key]bool{}
	for _, v := range r.Violations {
		if v.Status == 0 {
			continue
		}
		k := key{v.OperationID, StatusKey(documented[v.OperationID], v.Status)}
		failed[k] = true
		cols[k.status] = true
	}
	var m Matrix
	for s := range cols {
		m.Statuses = append(m.Statuses, s)
	}
	sort.Strings(m.Statuses)
	for _, row := range ops {
		for _, s := range m.Statuses {
			k := key{row.OperationID, s}
			e, ok := entries[k]
			c := MatrixCell{Status: s, State: CellNone, Hits: e.Hits}
			switch {
			case failed[k]:
				c.State = CellFailed
			case !ok:
			case e.Excluded:
				c.State = CellExcluded
			case e.Hits > 0:
				c.State = CellHit
			default:
				c.State = CellMissed
			}
			row.Cells = append(row.Cells, c)
		}
		m.Rows = append(m.Rows, row)
	}
	return m
}

// WriteHTML writes r as one self-contained page (no external asset): the operation × status
// matrix, every violation, the settings (secrets already redacted) and the target and time.
func (r RunReport) WriteHTML(w io.Writer) error {
	return htmlReport.Execute(w, struct {
		RunReport
		Matrix Matrix
	}{r, r.Matrix()})
}

var htmlReport = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Contract report: {{.BaseURL}}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: left; }
td.hit { background: #c8ecc8; }
td.missed { background: #f6e3a1; }
td.excluded { background: #e4e4e4; color: #777; }
td.failed { background: #f2a7a7; font-weight: bold; }
td.none { background: #fff; }
code { font-size: 13px; }
</style>
</head>
<body>
<h1>Contract report</h1>
<p id="run">Target <code id="base-url">{{.BaseURL}}</code> ({{.Mode}}), <time id="time" datetime="{{.Time.Format "2006-01-02T15:04:05Z07:00"}}">{{.Time.Format "2006-01-02 15:04:05 MST"}}</time>{{if .Verdict}}: <strong id="verdict">{{.Verdict}}</strong>{{end}}.</p>
<p id="totals">Operations {{.OperationsHit}}/{{.OperationsTotal}}, statuses {{.StatusesHit}}/{{.StatusesTotal}}; {{len .Violations}} violation(s).</p>
<h2>Operations × statuses</h2>
<p>Colours: <span style="background:#c8ecc8">hit</span>, <span style="background:#f6e3a1">missed</span>, <span style="background:#e4e4e4">excluded</span> (the built-in mock cannot produce it), <span style="background:#f2a7a7">failed</span> (a violation was met there); blank: not documented.</p>
<table id="matrix">
<thead><tr><th>operation</th><th>method</th><th>path</th>{{range .Matrix.Statuses}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Matrix.Rows}}{{$op := .OperationID}}<tr><th>{{.OperationID}}</th><td>{{.Method}}</td><td><code>{{.Path}}</code></td>{{range .Cells}}<td class="{{.State}}" data-op="{{$op}}" data-status="{{.Status}}" title="{{$op}} {{.Status}}: {{.State}}">{{if eq .State "hit" "failed"}}{{.Hits}}{{else if eq .State "missed"}}0{{else if eq .State "excluded"}}–{{end}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
<h2>Violations</h2>
{{if .Violations}}<table id="violations">
<thead><tr><th>operation</th><th>request</th><th>status</th><th>kind</th><th>JSON pointer</th><th>expected</th><th>got</th><th>spec</th></tr></thead>
<tbody>
{{range .Violations}}<tr class="violation"><td>{{.OperationID}}</td><td><code>{{.Method}} {{.Path}}</code></td><td>{{.Status}}</td><td>{{.Kind}}</td><td><code>{{.Pointer}}</code></td><td><code>{{.Expected}}</code></td><td><code>{{.Got}}</code></td><td>{{.Spec}}</td></tr>
{{end}}</tbody>
</table>{{else}}<p id="no-violations">None.</p>{{end}}
{{with .Drift}}{{.HTML}}{{end}}
<h2>Settings</h2>
<table id="settings">
{{range .Settings}}<tr><th>{{.Name}}</th><td><code>{{.Value}}</code></td></tr>
{{end}}</table>
</body>
</html>
`))

// Failure is one failed spec as the summary shows it.
type Failure struct {
	Spec    string
	Message string // its first line matters most: a summary keeps it short
}

// WriteSummary writes the short account of a failed run that reports/summary.txt holds: the
// verdict, the failed specs with the first line of their failure, and the first violation
// with its operation, pointer, expected and got.
func WriteSummary(w io.Writer, v Verdict, failures []Failure, violations []ViolationRecord) error {
	var b strings.Builder
	fmt.Fprintf(&b, "verdict: %s (exit code %d)\n", v, int(v))
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
	fmt.Fprintf(&b, "failed: %d\n", len(failures))
	for _, f := range failures {
		fmt.Fprintf(&b, "- %s\n  %s\n", f.Spec, headline(f.Message))
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
