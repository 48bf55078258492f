package drift

import (
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"
)

// Lines renders the findings for people, one line each, at most max lines (max <= 0: all):
// operation, status, kind, name, the types seen and how often.
func (r Report) Lines(max int) []string {
	var out []string
	for i, f := range r.Findings {
		if max > 0 && i == max {
			out = append(out, fmt.Sprintf("... and %d more in drift.json", len(r.Findings)-max))
			break
		}
		out = append(out, fmt.Sprintf("%s %s: %s %s (%s; %d answer(s))", f.OperationID, f.Status, f.Kind, f.Name, typeList(f.Types), f.Count))
	}
	return out
}

func typeList(types map[string]int) string {
	var out []string
	for t, n := range types {
		out = append(out, t+" "+strconv.Itoa(n)+"×")
	}
	slices.Sort(out)
	if len(out) == 0 {
		return "no body"
	}
	return strings.Join(out, ", ")
}

// Headline says in a sentence what drift discovery found.
func (r Report) Headline() string {
	n := map[string]int{}
	ops := map[string]bool{}
	for _, f := range r.Findings {
		n[f.Kind]++
		ops[f.OperationID] = true
	}
	s := fmt.Sprintf("drift: %d undocumented propert(ies), %d header(s), %d status(es), %d media type(s) on %d operation(s), in %d answers",
		n[KindProperty], n[KindHeader], n[KindStatus], n[KindContentType], len(ops), r.Answers)
	if r.Dropped > 0 {
		s += fmt.Sprintf("; %d more not kept", r.Dropped)
	}
	if r.Unparsed > 0 {
		s += fmt.Sprintf("; %d JSON bodies not examined", r.Unparsed)
	}
	return s
}

// HTML renders the findings as a section of the HTML report.
func (r Report) HTML() (template.HTML, error) {
	var b strings.Builder
	err := driftHTML.Execute(&b, r)
	return template.HTML(b.String()), err //nolint:gosec // built by html/template, which escapes every field
}

var driftHTML = template.Must(template.New("drift").Funcs(template.FuncMap{"types": typeList}).Parse(`<section id="drift">
<h2>Drift: what the answers carry that the spec does not describe</h2>
<p id="drift-headline">{{.Headline}}. Types and counts only; <code>drift-overlay.yaml</code> adds them to the spec.</p>
{{if .Findings}}<table id="drift-findings">
<thead><tr><th>operation</th><th>status</th><th>kind</th><th>name</th><th>types seen</th><th>answers</th><th>where the spec would say it</th></tr></thead>
<tbody>
{{range .Findings}}<tr class="drift"><td>{{.OperationID}}</td><td>{{.Status}}</td><td>{{.Kind}}</td><td><code>{{.Name}}</code></td><td>{{types .Types}}</td><td>{{.Count}}</td><td><code>{{.In}}</code></td></tr>
{{end}}</tbody>
</table>{{end}}
</section>
`))
