package compiled

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/contract/internal/report"
	"github.com/scalingodb/dbapi-go/contract/internal/suitebin"
	"github.com/scalingodb/dbapi-go/pkg/mockserver"
)

// page is what a test reads back from contract-report.html.
type page struct {
	cells    map[[2]string]string // (operation, status) -> class
	links    map[[2]string]string // (operation, status) -> the href of a failed cell
	columns  []string             // the matrix's status columns
	problems []problem
	settings map[string]string
	external []string // src attributes, and href attributes but links within the page
	ids      map[string]bool
	banner   map[string]string // the banner's data- attributes and its text ("text")
	order    []string          // the ids of the banner, the problems section and the matrix, in document order
	text     string
}

// problem is one problem article of the page.
type problem struct {
	id, operation, status, kind, pointer, count string
	text, curl                                  string
}

// parsePage reads the HTML report with a real HTML parser.
func parsePage(t *testing.T, path string) page {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := html.Parse(f)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	p := page{cells: map[[2]string]string{}, links: map[[2]string]string{}, settings: map[string]string{}, ids: map[string]bool{}, banner: map[string]string{}}
	var text strings.Builder
	var walk func(n *html.Node, table string)
	walk = func(n *html.Node, table string) {
		if n.Type == html.TextNode {
			text.WriteString(n.Data)
		}
		if n.Type == html.ElementNode {
			a := attrs(n)
			if n.Data == "table" {
				table = a["id"]
			}
			if v, ok := a["src"]; ok {
				p.external = append(p.external, v)
			}
			if v, ok := a["href"]; ok && !strings.HasPrefix(v, "#") {
				p.external = append(p.external, v)
			}
			if a["id"] != "" {
				p.ids[a["id"]] = true
			}
			switch a["id"] {
			case "verdict", "problems", "matrix":
				p.order = append(p.order, a["id"])
			}
			switch {
			case n.Data == "link" || n.Data == "script":
				p.external = append(p.external, "<"+n.Data+">")
			case a["id"] == "verdict":
				for k, v := range a {
					p.banner[k] = v
				}
				p.banner["text"] = strings.Join(strings.Fields(textOf(n)), " ")
			case n.Data == "th" && table == "matrix" && n.Parent != nil && n.Parent.Parent != nil && n.Parent.Parent.Data == "thead":
				if t := textOf(n); t != "operation" && t != "method" && t != "path" {
					p.columns = append(p.columns, t)
				}
			case n.Data == "td" && table == "matrix" && a["data-op"] != "":
				k := [2]string{a["data-op"], a["data-status"]}
				p.cells[k] = a["class"]
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					if c.Type == html.ElementNode && c.Data == "a" {
						p.links[k] = attrs(c)["href"]
					}
				}
			case n.Data == "article" && a["class"] == "problem":
				pr := problem{id: a["id"], operation: a["data-operation"], status: a["data-status"], kind: a["data-kind"],
					pointer: a["data-pointer"], count: a["data-count"], text: strings.Join(strings.Fields(textOf(n)), " ")}
				var curl func(*html.Node)
				curl = func(c *html.Node) {
					if c.Type == html.ElementNode && attrs(c)["class"] == "curl" {
						pr.curl = textOf(c)
					}
					for d := c.FirstChild; d != nil; d = d.NextSibling {
						curl(d)
					}
				}
				curl(n)
				p.problems = append(p.problems, pr)
			case n.Data == "tr" && table == "settings":
				var th, td string
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					if c.Type == html.ElementNode && c.Data == "th" {
						th = textOf(c)
					}
					if c.Type == html.ElementNode && c.Data == "td" {
						td = textOf(c)
					}
				}
				p.settings[th] = td
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, table)
		}
	}
	walk(doc, "")
	p.text = text.String()
	return p
}

func attrs(n *html.Node) map[string]string {
	m := map[string]string{}
	for _, a := range n.Attr {
		m[a.Key] = a.Val
	}
	return m
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.TrimSpace(b.String())
}

// The HTML report shows the same run as contract-coverage.json: every (operation, status) cell
// coloured as the JSON says, every violation with its operation, pointer, expected and got;
// a failing run shows the violating operation's cell as failed, and no secret.
func TestRun_HTMLReport(t *testing.T) {
	tests := []struct {
		name        string
		env         map[string]string
		wantFailed  [][2]string // cells that must be failed
		wantSkipped bool        // writes shown as skipped
		wantFolded  string      // a column that must be folded
		secrets     []string
	}{
		{name: "passing mock run", env: map[string]string{}, secrets: []string{mockserver.DefaultToken}},
		{name: "mock drifting on listDatabaseUsers and listBackups", env: map[string]string{harness.EnvMockMutations: "wrong-type,datetime-without-offset"},
			wantFailed: [][2]string{{"listDatabaseUsers", "200"}, {"listBackups", "200"}}, secrets: []string{mockserver.DefaultToken}},
		{name: "read-only live run", env: liveTarget(t, nil), wantSkipped: true, wantFolded: "429", secrets: []string{liveToken, foreignToken}},
		{name: "read-only live run drifting", env: liveTargetWith(t, nil, mockserver.WithMutations("datetime-without-offset")), wantSkipped: true, wantFolded: "429",
			wantFailed: [][2]string{{"listBackups", "200"}}, secrets: []string{liveToken, foreignToken}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reports := filepath.Join(t.TempDir(), "elsewhere")
			r := runSuite(t, with(tt.env, harness.EnvReportsDir, reports))
			run, err := report.ReadRun(filepath.Join(reports, "contract-coverage.json"))
			if err != nil {
				t.Fatalf("%v\n%s", err, suitebin.Tail(r.stdout))
			}
			if len(run.Entries) == 0 {
				t.Fatalf("the run measured nothing:\n%s", suitebin.Tail(r.stdout))
			}
			p := parsePage(t, filepath.Join(reports, "contract-report.html"))

			// The matrix shows the visible columns of the run's data, and folds the others.
			m := run.Matrix()
			visible := m.Visible()
			want := map[[2]string]string{}
			for _, row := range visible.Rows {
				for _, c := range row.Cells {
					want[[2]string{row.OperationID, c.Status}] = c.State
				}
			}
			// The matrix itself, checked against the JSON's entries rather than Matrix alone.
			all := map[[2]string]string{}
			for _, row := range m.Rows {
				for _, c := range row.Cells {
					all[[2]string{row.OperationID, c.Status}] = c.State
				}
			}
			for _, e := range run.Entries {
				k := [2]string{e.OperationID, e.Status}
				state := report.CellMissed
				switch {
				case e.Excluded:
					state = report.CellExcluded
				case e.Hits > 0:
					state = report.CellHit
				case run.ReadOnly && e.Method != "GET":
					state = report.CellSkipped
				}
				if all[k] != report.CellFailed && all[k] != state {
					t.Errorf("Matrix gives %v %s, the JSON entry says %s", k, all[k], state)
				}
			}
			if diff := cmp.Diff(want, p.cells); diff != "" {
				t.Errorf("HTML matrix differs from the run data (-json +html):\n%s", diff)
			}
			if diff := cmp.Diff(visible.Statuses, p.columns); diff != "" {
				t.Errorf("HTML columns differ from the visible ones (-json +html):\n%s", diff)
			}
			for _, s := range m.Folded {
				for _, row := range m.Rows {
					for _, c := range row.Cells {
						if c.Status == s && (c.State == report.CellHit || c.State == report.CellFailed) {
							t.Errorf("column %s is folded, yet %s is %s there", s, row.OperationID, c.State)
						}
					}
				}
			}
			if tt.wantFolded != "" && !slices.Contains(m.Folded, tt.wantFolded) {
				t.Errorf("column %s is not folded (folded: %v)", tt.wantFolded, m.Folded)
			}
			if tt.wantSkipped {
				method := map[string]string{}
				for _, e := range run.Entries {
					method[e.OperationID] = e.Method
				}
				skipped := 0
				for k, c := range p.cells {
					if c == report.CellSkipped {
						skipped++
					}
					if c == report.CellMissed && method[k[0]] != "GET" {
						t.Errorf("a read-only run shows the write %v as missed", k)
					}
				}
				if skipped == 0 {
					t.Error("a read-only run shows no skipped cell")
				}
			}
			for _, k := range tt.wantFailed {
				if p.cells[k] != report.CellFailed {
					t.Errorf("cell %v is %q, want failed", k, p.cells[k])
				}
				if href := p.links[k]; !strings.HasPrefix(href, "#problem-") || !p.ids[href[1:]] {
					t.Errorf("failed cell %v links to %q, which is no problem of the page", k, href)
				}
			}
			if len(tt.wantFailed) == 0 && r.code == 0 {
				for k, c := range p.cells {
					if c == report.CellFailed {
						t.Errorf("a passing run shows %v as failed", k)
					}
				}
			}
			// The banner: the verdict, its exit code, the target, the build, the duration.
			if p.banner["data-exit-code"] != strconv.Itoa(r.code) {
				t.Errorf("the banner says exit code %q, the run exited %d", p.banner["data-exit-code"], r.code)
			}
			for _, want := range []string{run.Build.Suite, run.Build.Spec, run.BaseURL, "exit code " + strconv.Itoa(r.code)} {
				if !strings.Contains(p.banner["text"], want) {
					t.Errorf("the banner does not say %q: %q", want, p.banner["text"])
				}
			}
			// The problems: one per (operation, status, kind, pointer), as many violations in all.
			problems := run.Problems()
			if len(problems) != len(p.problems) {
				t.Errorf("%d problems shown, the run has %d", len(p.problems), len(problems))
			}
			total := 0
			for i, pr := range p.problems {
				n, _ := strconv.Atoi(pr.count)
				total += n
				if i < len(problems) {
					w := problems[i]
					if pr.operation != w.OperationID || pr.status != strconv.Itoa(w.Status) || pr.kind != w.Kind || pr.pointer != w.Pointer {
						t.Errorf("problem %d is %+v, want %s %d %s %s", i, pr, w.OperationID, w.Status, w.Kind, w.Pointer)
					}
					for _, want := range []string{w.Expected, w.Got} {
						if !strings.Contains(pr.text, strings.Join(strings.Fields(want), " ")) {
							t.Errorf("problem %d does not show %q", i, want)
						}
					}
				}
				if !strings.Contains(pr.curl, "Bearer $DB_BEARER_TOKEN") || !strings.Contains(pr.curl, "curl ") {
					t.Errorf("problem %d has no curl command with $DB_BEARER_TOKEN: %q", i, pr.curl)
				}
				if !strings.Contains(pr.text, "→ 200") || !strings.Contains(pr.text, "Content-Type: application/json") {
					t.Errorf("problem %d does not show the answer's status and headers: %q", i, pr.text)
				}
			}
			if total != len(run.Violations) {
				t.Errorf("the problems count %d violations, the run has %d", total, len(run.Violations))
			}
			if (len(tt.wantFailed) > 0) != (len(p.problems) > 0) {
				t.Errorf("%d problems shown, want some: %v", len(p.problems), len(tt.wantFailed) > 0)
			}
			wantOrder := []string{"verdict", "matrix"}
			if len(p.problems) > 0 {
				wantOrder = []string{"verdict", "problems", "matrix"}
			}
			if diff := cmp.Diff(wantOrder, p.order); diff != "" {
				t.Errorf("document order (-want +got):\n%s", diff)
			}
			if len(p.external) > 0 {
				t.Errorf("the page loads external assets: %q", p.external)
			}
			if p.settings["mode"] != run.Mode || !strings.Contains(p.text, run.BaseURL) {
				t.Errorf("the page does not show the mode %q and base URL %q (settings %v)", run.Mode, run.BaseURL, p.settings)
			}
			raw, err := os.ReadFile(filepath.Join(reports, "contract-report.html"))
			if err != nil {
				t.Fatal(err)
			}
			if leaked := leaks(string(raw), tt.secrets); len(leaked) > 0 {
				t.Errorf("the page holds secrets %q", leaked)
			}
			if tok, ok := p.settings[harness.EnvToken]; ok && tok != harness.Redacted {
				t.Errorf("%s shows as %q, want %s", harness.EnvToken, tok, harness.Redacted)
			}
			if _, err := os.Stat(filepath.Join(r.dir, "reports")); err == nil {
				t.Error("with DBAPI_REPORTS_DIR set, reports were also written to ./reports")
			}
		})
	}
}
