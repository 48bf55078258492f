package report

import (
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
)

// verdictView is what the banner shows.
type verdictView struct {
	Mark, Title, Class string
}

func (r Run) verdictView() verdictView {
	switch r.Verdict {
	case "", harness.Passed.String():
		return verdictView{"✓", "Passed", "passed"}
	case harness.ContractBroken.String():
		return verdictView{"✗", "Contract broken", "broken"}
	case harness.SettingsWrong.String():
		return verdictView{"✗", "Settings wrong", "settings"}
	case harness.Unreachable.String():
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
func (r Run) reason() ([]string, bool) {
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
func (r Run) WriteHTML(w io.Writer) error {
	problems := r.Problems()
	v := r.verdictView()
	var reason []string
	listFailures := len(problems) > 0
	if v.Class != "passed" && len(problems) == 0 {
		reason, listFailures = r.reason()
	}
	return htmlReport.Execute(w, struct {
		Run
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
