package compiled

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/pkg/mockserver"
)

// page is what a test reads back from contract-report.html.
type page struct {
	cells      map[[2]string]string // (operation, status) -> class
	violations [][]string           // the text of each violation row's cells
	settings   map[string]string
	external   []string // src or href attributes: a self-contained page has none
	text       string
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
	p := page{cells: map[[2]string]string{}, settings: map[string]string{}}
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
			for _, k := range []string{"src", "href"} {
				if v, ok := a[k]; ok {
					p.external = append(p.external, v)
				}
			}
			switch {
			case n.Data == "link" || n.Data == "script":
				p.external = append(p.external, "<"+n.Data+">")
			case n.Data == "td" && table == "matrix" && a["data-op"] != "":
				p.cells[[2]string{a["data-op"], a["data-status"]}] = a["class"]
			case n.Data == "tr" && table == "violations" && a["class"] == "violation":
				var row []string
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					if c.Type == html.ElementNode && c.Data == "td" {
						row = append(row, textOf(c))
					}
				}
				p.violations = append(p.violations, row)
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
		name       string
		env        map[string]string
		wantFailed [][2]string // cells that must be failed
		secrets    []string
	}{
		{name: "passing mock run", env: map[string]string{}, secrets: []string{mockserver.DefaultToken}},
		{name: "mock drifting on listDatabaseUsers", env: map[string]string{harness.EnvMockMutations: "wrong-type"},
			wantFailed: [][2]string{{"listDatabaseUsers", "200"}}, secrets: []string{mockserver.DefaultToken}},
		{name: "read-only live run", env: liveTarget(t, nil), secrets: []string{liveToken, foreignToken}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reports := filepath.Join(t.TempDir(), "elsewhere")
			r := runSuite(t, with(tt.env, harness.EnvReportsDir, reports))
			run, err := harness.ReadRunReport(filepath.Join(reports, "contract-coverage.json"))
			if err != nil {
				t.Fatalf("%v\n%s", err, tail(r.stdout))
			}
			if len(run.Entries) == 0 {
				t.Fatalf("the run measured nothing:\n%s", tail(r.stdout))
			}
			p := parsePage(t, filepath.Join(reports, "contract-report.html"))

			want := map[[2]string]string{}
			for _, row := range run.Matrix().Rows {
				for _, c := range row.Cells {
					want[[2]string{row.OperationID, c.Status}] = c.State
				}
			}
			// The matrix itself, checked against the JSON's entries rather than Matrix alone.
			for _, e := range run.Entries {
				k := [2]string{e.OperationID, e.Status}
				state := harness.CellMissed
				switch {
				case e.Excluded:
					state = harness.CellExcluded
				case e.Hits > 0:
					state = harness.CellHit
				}
				if want[k] != harness.CellFailed && want[k] != state {
					t.Errorf("Matrix gives %v %s, the JSON entry says %s", k, want[k], state)
				}
			}
			if diff := cmp.Diff(want, p.cells); diff != "" {
				t.Errorf("HTML matrix differs from the run data (-json +html):\n%s", diff)
			}
			for _, k := range tt.wantFailed {
				if p.cells[k] != harness.CellFailed {
					t.Errorf("cell %v is %q, want failed", k, p.cells[k])
				}
			}
			if len(tt.wantFailed) == 0 && r.code == 0 {
				for k, c := range p.cells {
					if c == harness.CellFailed {
						t.Errorf("a passing run shows %v as failed", k)
					}
				}
			}
			var wantViolations [][]string
			for _, v := range run.Violations {
				status := ""
				if v.Status != 0 {
					status = strconv.Itoa(v.Status)
				}
				wantViolations = append(wantViolations, []string{v.OperationID, v.Method + " " + v.Path, status, v.Kind, v.Pointer, v.Expected, v.Got, v.Spec})
			}
			if diff := cmp.Diff(wantViolations, p.violations); diff != "" {
				t.Errorf("HTML violations differ from the run data (-json +html):\n%s", diff)
			}
			if (len(tt.wantFailed) > 0) != (len(p.violations) > 0) {
				t.Errorf("%d violations shown, want some: %v", len(p.violations), len(tt.wantFailed) > 0)
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
