package harness

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/scalingodb/dbapi-go/contract/internal/drift"
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
	// Exchange is the request and the answer the violation was met on, when the suite's client
	// saw them (bounded, secrets redacted).
	Exchange *Exchange `json:"exchange,omitempty"`
}

// Records turns the violations of e, met by spec on the exchange x (nil when unknown), into
// records with every secret that r knows or recognises redacted.
func Records(spec string, e *conformance.ViolationError, x *Exchange, r *Redactor) []ViolationRecord {
	x = redactExchange(x, r)
	out := make([]ViolationRecord, 0, len(e.Violations))
	for _, v := range e.Violations {
		out = append(out, ViolationRecord{
			Spec: r.Redact(spec), OperationID: v.OperationID, Method: v.Method, Path: r.Redact(v.Path),
			Status: v.Status, Kind: string(v.Kind), Pointer: r.Redact(v.Pointer),
			Expected: r.Redact(v.Expected), Got: r.Redact(v.Got), Exchange: x,
		})
	}
	return out
}

// secretFields match what an answer's body may hold that no report should: a JSON string
// under a name that says password, token or secret, and the password of a URL's userinfo
// (a connection string).
var secretFields = []*regexp.Regexp{
	regexp.MustCompile(`(?i)("[a-z_]*(?:password|token|secret)"\s*:\s*")(?:[^"\\]|\\.)*"`),
	regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@"]*:)[^@\s/"]+@`),
}

// redactExchange returns a copy of x with its URL, header values and bodies redacted by r, and
// the secret fields of its bodies replaced.
func redactExchange(x *Exchange, r *Redactor) *Exchange {
	if x == nil {
		return nil
	}
	c := *x
	body := func(s string) string {
		s = r.Redact(s)
		s = secretFields[0].ReplaceAllString(s, "${1}"+Redacted+`"`)
		return secretFields[1].ReplaceAllString(s, "${1}"+Redacted+"@")
	}
	c.URL = r.Redact(c.URL)
	c.RequestBody, c.Body = body(c.RequestBody), body(c.Body)
	lines := func(in []HeaderLine) []HeaderLine {
		out := make([]HeaderLine, len(in))
		for i, h := range in {
			out[i] = HeaderLine{h.Name, body(h.Value)}
		}
		return out
	}
	c.RequestHeader, c.Header = lines(c.RequestHeader), lines(c.Header)
	return &c
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
// the violations, the failed specs, and the run's target, settings, build and verdict.
// contract-coverage.json and contract-report.html are both written from it.
type RunReport struct {
	conformance.Report
	Violations []ViolationRecord `json:"violations"`
	Mode       string            `json:"mode"`
	BaseURL    string            `json:"base_url"`
	Time       time.Time         `json:"time"`
	Settings   []Setting         `json:"settings"`
	Verdict    string            `json:"verdict,omitempty"` // "" when the run passed
	ExitCode   int               `json:"exit_code"`
	// ReadOnly is true for a live run without DBAPI_ALLOW_WRITES=1: its mutating specs are
	// skipped on purpose, and the matrix shows their cells as skipped, not missed.
	ReadOnly bool `json:"read_only,omitempty"`
	// Duration is how long the run took, in seconds.
	Duration float64   `json:"duration_seconds"`
	Build    Build     `json:"build"`
	Failures []Failure `json:"failures,omitempty"` // the failed specs, secrets redacted
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
	CellSkipped  = "skipped" // a write a read-only run did not send on purpose
	CellFailed   = "failed"  // a violation was met on this operation and status
	CellNone     = "none"    // not documented, and no violation
)

// MatrixRow is one operation of the HTML matrix.
type MatrixRow struct {
	OperationID, Method, Path string
	Cells                     []MatrixCell // one per Matrix.Statuses
}

// MatrixCell is one (operation, status) cell.
type MatrixCell struct {
	Status  string
	State   string // one of the Cell constants
	Hits    int
	Problem string // the id of the first problem met here, for a failed cell
}

// Matrix is the operation × status view of a RunReport.
type Matrix struct {
	Statuses []string // the columns: every documented status, and every status a violation came with
	Rows     []MatrixRow
	// Folded are the columns no operation hit or failed in this run (statuses only a target
	// that fails on purpose gives, in a live run): the page lists them instead of drawing them.
	Folded []string
}

// Matrix builds the operation × status view: each documented pair is hit, missed, excluded or
// (in a read-only run, for an operation that writes) skipped, and failed when a violation was
// met on it (a violation on an undocumented status adds its column).
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
	failed := map[key]string{}
	for _, p := range r.Problems() {
		if p.Status == 0 {
			continue
		}
		k := key{p.OperationID, StatusKey(documented[p.OperationID], p.Status)}
		if failed[k] == "" {
			failed[k] = p.ID
		}
		cols[k.status] = true
	}
	var m Matrix
	for s := range cols {
		m.Statuses = append(m.Statuses, s)
	}
	sort.Strings(m.Statuses)
	seen := map[string]bool{}
	for _, row := range ops {
		for _, s := range m.Statuses {
			k := key{row.OperationID, s}
			e, ok := entries[k]
			c := MatrixCell{Status: s, State: CellNone, Hits: e.Hits}
			switch {
			case failed[k] != "":
				c.State, c.Problem = CellFailed, failed[k]
			case !ok:
			case e.Excluded:
				c.State = CellExcluded
			case e.Hits > 0:
				c.State = CellHit
			case r.ReadOnly && row.Method != "GET":
				c.State = CellSkipped
			default:
				c.State = CellMissed
			}
			if c.State == CellHit || c.State == CellFailed {
				seen[s] = true
			}
			row.Cells = append(row.Cells, c)
		}
		m.Rows = append(m.Rows, row)
	}
	for _, s := range m.Statuses {
		if !seen[s] {
			m.Folded = append(m.Folded, s)
		}
	}
	return m
}

// Visible returns m without its folded columns.
func (m Matrix) Visible() Matrix {
	if len(m.Folded) == 0 {
		return m
	}
	folded := map[string]bool{}
	for _, s := range m.Folded {
		folded[s] = true
	}
	out := Matrix{Folded: m.Folded}
	for _, s := range m.Statuses {
		if !folded[s] {
			out.Statuses = append(out.Statuses, s)
		}
	}
	for _, row := range m.Rows {
		v := MatrixRow{OperationID: row.OperationID, Method: row.Method, Path: row.Path}
		for _, c := range row.Cells {
			if !folded[c.Status] {
				v.Cells = append(v.Cells, c)
			}
		}
		out.Rows = append(out.Rows, v)
	}
	return out
}

// maxProblemSpecs bounds the specs a problem names; the rest are counted.
const maxProblemSpecs = 8

// Problem is one distinct problem of a run: the violations met on one (operation, status, kind,
// pointer), however many specs met them.
type Problem struct {
	ID                        string // the HTML anchor: problem-1, problem-2…
	OperationID, Method, Path string // of its first violation
	Status                    int
	Kind, Pointer             string
	Expected, Got             string // of its first violation
	Count                     int    // its violations
	Specs                     []string
	MoreSpecs                 int       // specs met it beyond Specs
	Exchange                  *Exchange // of the first violation that has one
}

// Problems groups the violations by (operation, status, kind, pointer), the most frequent first
// (then by operation, status and pointer), each with the specs that met it.
func (r RunReport) Problems() []Problem {
	type key struct {
		op     string
		status int
		kind   string
		ptr    string
	}
	index := map[key]int{}
	var out []Problem
	specs := []map[string]bool{}
	for _, v := range r.Violations {
		k := key{v.OperationID, v.Status, v.Kind, v.Pointer}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, Problem{OperationID: v.OperationID, Method: v.Method, Path: v.Path, Status: v.Status,
				Kind: v.Kind, Pointer: v.Pointer, Expected: v.Expected, Got: v.Got})
			specs = append(specs, map[string]bool{})
		}
		p := &out[i]
		p.Count++
		if p.Exchange == nil {
			p.Exchange = v.Exchange
		}
		if !specs[i][v.Spec] {
			specs[i][v.Spec] = true
			if len(p.Specs) < maxProblemSpecs {
				p.Specs = append(p.Specs, v.Spec)
			} else {
				p.MoreSpecs++
			}
		}
	}
	sort.SliceStable(out, func(a, b int) bool {
		x, y := out[a], out[b]
		if x.Count != y.Count {
			return x.Count > y.Count
		}
		if x.OperationID != y.OperationID {
			return x.OperationID < y.OperationID
		}
		if x.Status != y.Status {
			return x.Status < y.Status
		}
		return x.Kind+x.Pointer < y.Kind+y.Pointer
	})
	for i := range out {
		out[i].ID = "problem-" + strconv.Itoa(i+1)
	}
	return out
}

// Curl returns a curl command that sends the request of the exchange again, with the token as
// the environment variable it came from ($DB_BEARER_TOKEN), never its value; "" without an
// exchange.
func (p Problem) Curl() string {
	x := p.Exchange
	if x == nil || x.URL == "" {
		return ""
	}
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	parts := []string{"curl -sS -i"}
	if x.Method != "" && x.Method != "GET" {
		parts = append(parts, "-X "+x.Method)
	}
	if x.Token != "" {
		name := x.Token
		if !isEnvName(name) {
			name = "TOKEN"
		}
		parts = append(parts, `-H "Authorization: Bearer $`+name+`"`)
	}
	for _, h := range x.RequestHeader {
		parts = append(parts, "-H "+q(h.Name+": "+h.Value))
	}
	if x.RequestBody != "" {
		parts = append(parts, "--data-raw "+q(x.RequestBody))
	}
	parts = append(parts, q(x.URL))
	return strings.Join(parts, " \\\n  ")
}

func isEnvName(s string) bool {
	for i, c := range s {
		if !(c == '_' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

// Heading is the problem on one line: operation, status, kind and pointer.
func (p Problem) Heading() string {
	var b strings.Builder
	b.WriteString(p.OperationID)
	if p.OperationID == "" {
		b.WriteString(p.Method + " " + p.Path)
	}
	if p.Status != 0 {
		fmt.Fprintf(&b, " → %d", p.Status)
	}
	fmt.Fprintf(&b, ": %s", p.Kind)
	if p.Pointer != "" {
		fmt.Fprintf(&b, " at %s", p.Pointer)
	}
	return b.String()
}

// verdictView is what the banner shows.
type verdictView struct {
	Mark, Title, Class string
}

func (r RunReport) verdictView() verdictView {
	switch r.Verdict {
	case "", Passed.String():
		return verdictView{"✓", "Passed", "passed"}
	case ContractBroken.String():
		return verdictView{"✗", "Contract broken", "broken"}
	case SettingsWrong.String():
		return verdictView{"✗", "Settings wrong", "settings"}
	case Unreachable.String():
		return verdictView{"✗", "Target unreachable or timed out", "unreachable"}
	}
	return verdictView{"✗", r.Verdict, "broken"}
}

// Bounds of the reason the banner shows: the lines of one failure message, and the distinct
// messages (the failed specs section lists every failure when there are more).
const (
	maxReasonLines    = 12
	maxReasonMessages = 3
)

// reason returns the first lines of the first distinct failure messages, for a verdict that no
// violation explains (settings wrong, unreachable, or a contract broken without a recorded
// violation), and whether some were left out.
func (r RunReport) reason() ([]string, bool) {
	var out []string
	seen := map[string]bool{}
	for _, f := range r.Failures {
		lines := strings.Split(strings.TrimSpace(f.Message), "\n")
		if len(lines) > maxReasonLines {
			lines = append(lines[:maxReasonLines], "…")
		}
		msg := strings.Join(lines, "\n")
		if seen[msg] {
			continue
		}
		if len(seen) == maxReasonMessages {
			return out, true
		}
		seen[msg] = true
		for _, l := range lines {
			out = append(out, strings.TrimRight(l, " \t"))
		}
	}
	return out, false
}

// duration renders seconds as "850 ms", "12.3 s" or "2 min 5 s".
func duration(s float64) string {
	switch {
	case s < 1:
		return strconv.Itoa(int(s*1000+0.5)) + " ms"
	case s < 60:
		return strconv.FormatFloat(s, 'f', 1, 64) + " s"
	}
	d := time.Duration(s * float64(time.Second)).Round(time.Second)
	return fmt.Sprintf("%d min %d s", int(d.Minutes()), int(d.Seconds())%60)
}

// WriteHTML writes r as one self-contained page (no script, no external asset, readable
// without its style sheet and on a phone): the verdict first, with the exit code, the target,
// the build and the duration; then the distinct problems, each with expected and got, the
// answer and a curl command that reproduces it; the failed specs; the extra sections; the
// operation × status matrix, failed cells linking to their problem; and the settings.
func (r RunReport) WriteHTML(w io.Writer) error {
	problems := r.Problems()
	v := r.verdictView()
	var reason []string
	listFailures := len(problems) > 0
	if v.Class != "passed" && len(problems) == 0 {
		reason, listFailures = r.reason()
	}
	return htmlReport.Execute(w, struct {
		RunReport
		V            verdictView
		Problems     []Problem
		Reason       []string
		ListFailures bool
		Matrix       Matrix
		Duration     string
		Short        string
	}{r, v, problems, reason, listFailures, r.Matrix().Visible(), duration(r.Duration), r.Build.ShortCommit()})
}

var htmlReport = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.V.Mark}} {{.V.Title}}: contract report of {{.BaseURL}}</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; padding: 0 12px 24px; max-width: 1240px; color: #1d1d1f; }
code, pre { font: 13px/1.4 ui-monospace, Menlo, Consolas, monospace; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f5f5f7; padding: 6px 8px; margin: 4px 0; max-height: 18em; overflow: auto; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 20px 0 6px; border-bottom: 1px solid #ddd; }
h3 { font-size: 15px; margin: 0 0 4px; overflow-wrap: anywhere; }
.verdict { margin: 0 -12px 10px; padding: 12px; border-bottom: 4px solid; }
.verdict.passed { background: #e3f5e3; border-color: #2e8b2e; }
.verdict.broken, .verdict.settings, .verdict.unreachable { background: #fde8e8; border-color: #c62828; }
.verdict .code { font-size: 14px; font-weight: normal; white-space: nowrap; background: #fff; border: 1px solid #999; border-radius: 3px; padding: 0 5px; }
.verdict p { margin: 2px 0; overflow-wrap: anywhere; }
.verdict .sep { display: none; }
.facts { color: #444; font-size: 13px; }
.reason { background: #fff; border-left: 3px solid #c62828; padding: 4px 8px; }
.problem { border: 1px solid #e0b4b4; border-left: 4px solid #c62828; padding: 8px; margin: 8px 0; }
.problem .count { font-weight: normal; color: #c62828; white-space: nowrap; }
.problem p { margin: 3px 0; overflow-wrap: anywhere; }
.eg code { background: #f5f5f7; padding: 0 3px; }
.lbl { color: #666; font-size: 13px; }
.specs { font-size: 13px; color: #444; margin: 2px 0 0 1.2em; padding: 0; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 6px 0; }
th, td { border: 1px solid #ccc; padding: 1px 5px; text-align: left; font-size: 13px; }
#matrix td { text-align: center; white-space: nowrap; }
#matrix td.path { text-align: left; }
#matrix th.op { position: sticky; left: 0; background: #fff; }
td.hit { background: #c8ecc8; }
td.missed { background: #f6e3a1; }
td.excluded, td.skipped { background: #eee; color: #777; }
td.failed { background: #f2a7a7; font-weight: bold; }
td.failed a { color: #7a0000; }
@media (max-width: 600px) { .path { display: none; } }
</style>
</head>
<body>
<header id="verdict" class="verdict {{.V.Class}}" data-verdict="{{.V.Class}}" data-exit-code="{{.ExitCode}}">
<h1><span class="mark">{{.V.Mark}}</span> {{.V.Title}} <span class="sep">·</span> <span class="code">exit code {{.ExitCode}}</span></h1>
<p id="gist">{{if .Problems}}{{len .Problems}} distinct problem(s) in {{len .Violations}} violation(s), {{len .Failures}} failed spec(s).{{else if eq .V.Class "passed"}}Every spec passed: operations {{.OperationsHit}}/{{.OperationsTotal}}, statuses {{.StatusesHit}}/{{.StatusesTotal}}.{{else}}{{len .Failures}} failed spec(s); the reason:{{end}}</p>
{{if .Reason}}<p id="reason" class="reason">{{range $i, $l := .Reason}}{{if $i}}<br>{{end}}<code>{{$l}}</code>{{end}}</p>
{{end}}<p class="facts">Target <code id="base-url">{{.BaseURL}}</code> ({{.Mode}}{{if .ReadOnly}}, read-only{{end}}) · took <span id="duration">{{.Duration}}</span> · <time id="time" datetime="{{.Time.Format "2006-01-02T15:04:05Z07:00"}}">{{.Time.Format "2006-01-02 15:04 MST"}}</time><br>
<span id="build" data-suite="{{.Build.Suite}}" data-commit="{{.Build.Commit}}" data-spec="{{.Build.Spec}}">suite {{.Build.Suite}} (commit <span title="{{.Build.Commit}}">{{.Short}}</span>) · spec {{.Build.Spec}}</span></p>
</header>
{{if .Problems}}<section id="problems">
<h2>Problems, the most frequent first</h2>
{{range $i, $p := .Problems}}<article class="problem" id="{{.ID}}" data-operation="{{.OperationID}}" data-status="{{.Status}}" data-kind="{{.Kind}}" data-pointer="{{.Pointer}}" data-count="{{.Count}}">
<h3>✗ {{.Heading}} <span class="count">×{{.Count}}</span></h3>
<p class="eg"><span class="lbl">expected</span> <code class="expected">{{.Expected}}</code><br><span class="lbl">got</span> <code class="got">{{.Got}}</code></p>
{{with .Exchange}}<p class="answer"><span class="lbl">request</span> <code>{{.Method}} {{.URL}}</code>{{if .Status}} → <b class="status">{{.Status}}</b>{{else}} (not sent: it matches no operation){{end}}</p>
{{if .Header}}<pre class="headers">{{range .Header}}{{.Name}}: {{.Value}}
{{end}}</pre>
{{end}}{{if .Body}}<pre class="body">{{.Body}}{{if .BodyCut}} …(cut){{end}}</pre>
{{else if .BodyNotRead}}<p class="lbl">body not kept (streamed)</p>
{{end}}<p class="lbl">reproduce it:</p>
<pre class="curl">{{$p.Curl}}</pre>
{{end}}<p class="lbl">met by {{len .Specs}}{{if .MoreSpecs}}+{{.MoreSpecs}}{{end}} spec(s):</p>
<ul class="specs">{{range .Specs}}<li>{{.}}</li>{{end}}{{if .MoreSpecs}}<li>and {{.MoreSpecs}} more</li>{{end}}</ul>
</article>
{{end}}</section>
{{end}}{{if and .Failures .ListFailures}}<section id="failures">
<h2>Failed specs</h2>
<ul>{{range .Failures}}<li><b>{{.Spec}}</b>: <code>{{.Headline}}</code></li>{{end}}</ul>
</section>
{{end}}{{range .Sections}}<section id="{{.ID}}" class="extra">
<h2>{{.Title}}</h2>
{{if .Intro}}<p>{{.Intro}}</p>{{end}}
{{if .Items}}<ul>{{range .Items}}<li>{{.}}</li>{{end}}</ul>{{end}}
</section>
{{end}}{{with .Drift}}{{.HTML}}{{end}}<section id="coverage">
<h2>Operations × statuses</h2>
<p id="totals">Operations {{.OperationsHit}}/{{.OperationsTotal}}, statuses {{.StatusesHit}}/{{.StatusesTotal}}{{if .ReadOnly}} (a read-only run: the writes are skipped){{end}}.
Cells: <b>✓ n</b> hit n times, <b>✗ n</b> failed (links to its problem), <b>0</b> missed, <b>–</b> excluded (the built-in mock cannot produce it) or skipped (a write in a read-only run); blank: not documented.</p>
{{if not .Matrix.Rows}}<p id="no-coverage">No coverage: the run ended in its setup.</p>
{{else}}<div class="scroll"><table id="matrix">
<thead><tr><th class="op">operation</th><th>method</th><th class="path">path</th>{{range .Matrix.Statuses}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Matrix.Rows}}{{$op := .OperationID}}<tr><th class="op">{{.OperationID}}</th><td>{{.Method}}</td><td class="path"><code>{{.Path}}</code></td>{{range .Cells}}<td class="{{.State}}" data-op="{{$op}}" data-status="{{.Status}}" title="{{$op}} {{.Status}}: {{.State}}">{{if eq .State "failed"}}<a href="#{{.Problem}}">✗ {{.Hits}}</a>{{else if eq .State "hit"}}✓ {{.Hits}}{{else if eq .State "missed"}}0{{else if eq .State "excluded" "skipped"}}–{{end}}</td>{{end}}</tr>
{{end}}</tbody>
</table></div>
{{end}}{{if .Matrix.Folded}}<p id="folded">Folded away, as nothing in this run hit them: {{range $i, $s := .Matrix.Folded}}{{if $i}}, {{end}}<span class="folded">{{$s}}</span>{{end}}.</p>{{end}}
</section>
<section id="settings-section">
<h2>Settings</h2>
<div class="scroll"><table id="settings"><tbody>
{{range .Settings}}<tr><th>{{.Name}}</th><td><code>{{.Value}}</code></td></tr>
{{end}}</tbody></table></div>
</section>
</body>
</html>
`))

// Failure is one failed spec as the summary and the reports show it.
type Failure struct {
	Spec    string `json:"spec"`
	Message string `json:"message"` // its first line matters most: a summary keeps it short
	// Verdict is what the failure stands for; Passed (the zero value) is read as the run's.
	Verdict Verdict `json:"verdict,omitempty"`
}

// Headline is the first line of the failure's message (see WriteSummary).
func (f Failure) Headline() string { return headline(f.Message) }

// WriteSummary writes the short account of a failed run that reports/summary.txt holds: the
// verdict, the build, the failed specs with the first line of their failure, and the first
// violation with its operation, pointer, expected and got.
func WriteSummary(w io.Writer, v Verdict, build Build, failures []Failure, violations []ViolationRecord) error {
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
	others := map[Verdict]int{}
	for _, f := range failures {
		if f.Verdict != Passed && f.Verdict != v {
			others[f.Verdict]++
		}
	}
	for _, o := range []Verdict{ContractBroken, SettingsWrong, Unreachable} {
		if n := others[o]; n > 0 {
			fmt.Fprintf(&b, "also: %s (exit code %d) in %d spec%s\n", o, int(o), n, map[bool]string{true: "s"}[n > 1])
		}
	}
	fmt.Fprintf(&b, "failed: %d\n", len(failures))
	for _, f := range failures {
		mark := ""
		if f.Verdict != Passed && f.Verdict != v {
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
	rule := "not a failure unless " + EnvFailOnDrift + "=1"
	if failOnDrift {
		rule = "a failure: " + EnvFailOnDrift + "=1"
	}
	fmt.Fprintf(&b, "%s (%s); see drift.json and drift-overlay.yaml\n", r.Headline(), rule)
	for _, l := range r.Lines(10) {
		fmt.Fprintf(&b, "- %s\n", l)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
