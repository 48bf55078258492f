package report

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// Above the fold: the banner and the first problem's heading end within the first
// foldBytes bytes of the page (its style sheet included) and after fewer than foldElements
// elements of its body, before the matrix.
const (
	foldBytes    = 8 << 10
	foldElements = 40
)

// fixtureEntries is a small coverage: a read, a write, and statuses only a failing target gives.
func fixtureEntries() []conformance.ReportEntry {
	return []conformance.ReportEntry{
		{OperationID: "getDatabase", Method: "GET", Path: "/databases/{database_id}", Status: "200", Hits: 4},
		{OperationID: "getDatabase", Method: "GET", Path: "/databases/{database_id}", Status: "429"},
		{OperationID: "getDatabase", Method: "GET", Path: "/databases/{database_id}", Status: "5XX"},
		{OperationID: "listDatabaseUsers", Method: "GET", Path: "/databases/{database_id}/users", Status: "200", Hits: 12},
		{OperationID: "listDatabaseUsers", Method: "GET", Path: "/databases/{database_id}/users", Status: "404", Hits: 1},
		{OperationID: "createBackup", Method: "POST", Path: "/databases/{database_id}/backups", Status: "201"},
		{OperationID: "createBackup", Method: "POST", Path: "/databases/{database_id}/backups", Status: "404"},
	}
}

const fixtureToken = "live-token-7f3a9c1e5b"

// fixtureRun is a run of verdict v against a live target, read-only; a broken one met 13
// violations making 2 problems.
func fixtureRun(v harness.Verdict) Run {
	r := Run{
		Report: conformance.Report{Entries: fixtureEntries(), OperationsHit: 2, OperationsTotal: 3, StatusesHit: 3, StatusesTotal: 7},
		Mode:   "live", BaseURL: "https://db-api.example.com/api", Time: time.Date(2026, 12, 5, 7, 0, 0, 0, time.UTC),
		ReadOnly: true, Duration: 12.34, Build: harness.Build{Suite: "v1.4.0", Commit: "0123456789abcdef0123", Spec: "2.1.0"},
		Settings: []harness.Setting{{Name: "mode", Value: "live"}, {Name: harness.EnvToken, Value: harness.Redacted}}, ExitCode: int(v),
	}
	if v != harness.Passed {
		r.Verdict = v.String()
	}
	switch v {
	case harness.ContractBroken:
		x := &harness.Exchange{Method: "GET", URL: "https://db-api.example.com/api/databases/my-db-123/users", Token: harness.EnvToken,
			Status: 200, Header: []harness.HeaderLine{{Name: "Content-Type", Value: "application/json"}, {Name: "X-Request-Id", Value: "req-42"}},
			Body: `{"database_users":[{"name":"metabase","created_at":"2026-12-04 10:00:00"}]}`}
		for i := range 12 {
			r.Violations = append(r.Violations, ViolationRecord{Spec: "Users lists the users " + strconv.Itoa(i%3), OperationID: "listDatabaseUsers",
				Method: "GET", Path: "/api/databases/my-db-123/users", Status: 200, Kind: "format", Pointer: "/database_users/0/created_at",
				Expected: "string, format date-time with offset", Got: `"2026-12-04 10:00:00"`, Exchange: x})
		}
		r.Violations = append(r.Violations, ViolationRecord{Spec: "Databases reads the database", OperationID: "getDatabase",
			Method: "GET", Path: "/api/databases/my-db-123", Status: 200, Kind: "schema", Pointer: "/database/name",
			Expected: "string", Got: `"<script>alert(1)</script>"`})
		r.Failures = []Failure{{Spec: "Users lists the users 0", Message: "the target broke the contract:\n  listDatabaseUsers …"}}
	case harness.SettingsWrong:
		r.Failures = []Failure{{Spec: "[BeforeSuite]", Message: "the contract suite is misconfigured:\nDBAPI_ALLOW_WRITE: not a setting of the suite; did you mean DBAPI_ALLOW_WRITES? (-h lists them)\n(leave DBAPI_BASE_URL unset to run against the built-in mock)"}}
		r.Report = conformance.Report{}
	case harness.Unreachable:
		r.Failures = []Failure{{Spec: "[BeforeSuite]", Message: "the live target failed the setup check: getDatabase GET https://db-api.example.com/api/databases/my-db-123: connection refused: nothing listens there"}}
		r.Report = conformance.Report{}
	}
	return r
}

// node is one element of the parsed page.
type node struct {
	n      *html.Node
	offset int // the byte offset just after its start tag
	index  int // its rank among the body's elements
}

// parsedPage indexes the page by id and class, with each element's offset in the bytes.
type parsedPage struct {
	raw     string
	byID    map[string]node
	byClass map[string][]node
	all     []node
}

func parse(t *testing.T, raw string) parsedPage {
	t.Helper()
	p := parsedPage{raw: raw, byID: map[string]node{}, byClass: map[string][]node{}}
	// The tokenizer gives each start tag's offset; html.Parse gives the tree. Elements come in
	// the same order in both, but for those the parser implies (none in this page, but a
	// <tbody> would be): an element takes the next start tag of its name within a few tokens.
	type tok struct {
		name string
		end  int
	}
	var toks []tok
	z := html.NewTokenizer(strings.NewReader(raw))
	off := 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		off += len(z.Raw())
		if tt == html.StartTagToken || tt == html.SelfClosingTagToken {
			name, _ := z.TagName()
			toks = append(toks, tok{string(name), off})
		}
	}
	doc, err := html.Parse(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	next, inBody := 0, 0
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			e := node{n: n, offset: -1, index: -1}
			for k := next; k < len(toks) && k < next+3; k++ {
				if toks[k].name == n.Data {
					e.offset, next = toks[k].end, k+1
					break
				}
			}
			if inBodyOf(n) {
				e.index = inBody
				inBody++
			}
			p.all = append(p.all, e)
			if id := attr(n, "id"); id != "" {
				p.byID[id] = e
			}
			for _, c := range strings.Fields(attr(n, "class")) {
				p.byClass[c] = append(p.byClass[c], e)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for _, e := range p.all {
		if e.offset < 0 {
			t.Fatalf("<%s> has no start tag in the bytes", e.n.Data)
		}
	}
	return p
}

func inBodyOf(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.Data == "body" {
			return true
		}
	}
	return false
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	var b strings.Builder
	each(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return strings.TrimSpace(b.String())
}

// each calls f on n and each of its descendants, in document order.
func each(n *html.Node, f func(*html.Node)) {
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		each(c, f)
	}
}

// find returns the descendants of n with the tag or class.
func find(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	each(n, func(c *html.Node) {
		if c.Type == html.ElementNode && match(c) {
			out = append(out, c)
		}
	})
	return out
}

func tag(name string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == name }
}

func class(name string) func(*html.Node) bool {
	return func(n *html.Node) bool {
		for _, c := range strings.Fields(attr(n, "class")) {
			if c == name {
				return true
			}
		}
		return false
	}
}

func render(t *testing.T, r Run) parsedPage {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	return parse(t, b.String())
}

// Every page: one file with no script and no link out, a viewport, the banner first with the
// verdict, exit code, target, build and duration, and the matrix after the problems.
func TestRun_WriteHTML_Page(t *testing.T) {
	for _, v := range []harness.Verdict{harness.Passed, harness.ContractBroken, harness.SettingsWrong, harness.Unreachable} {
		t.Run(v.String(), func(t *testing.T) {
			r := fixtureRun(v)
			p := render(t, r)
			for _, e := range p.all {
				switch e.n.Data {
				case "script", "link", "iframe", "img", "object", "embed":
					t.Errorf("the page has a <%s>", e.n.Data)
				}
				if src := attr(e.n, "src"); src != "" {
					t.Errorf("<%s src=%q>", e.n.Data, src)
				}
				if href := attr(e.n, "href"); href != "" {
					if !strings.HasPrefix(href, "#") {
						t.Errorf("a link out of the page: %q", href)
					} else if _, ok := p.byID[href[1:]]; !ok {
						t.Errorf("a link to %q, which the page lacks", href)
					}
				}
				if e.n.Data == "meta" && attr(e.n, "name") == "viewport" && !strings.Contains(attr(e.n, "content"), "width=device-width") {
					t.Errorf("viewport %q", attr(e.n, "content"))
				}
			}
			if len(find(mustNode(t, p, "", "head"), func(n *html.Node) bool { return n.Data == "meta" && attr(n, "name") == "viewport" })) != 1 {
				t.Error("no viewport meta tag")
			}
			banner, ok := p.byID["verdict"]
			if !ok || banner.index != 0 {
				t.Fatalf("the verdict banner is not the body's first element (%v, index %d)", ok, banner.index)
			}
			if got := attr(banner.n, "data-exit-code"); got != strconv.Itoa(int(v)) {
				t.Errorf("banner exit code %q, want %d", got, v)
			}
			bt := text(banner.n)
			title := map[harness.Verdict]string{harness.Passed: "✓ Passed", harness.ContractBroken: "✗ Contract broken", harness.SettingsWrong: "✗ Settings wrong", harness.Unreachable: "✗ Target unreachable or timed out"}[v]
			for _, want := range []string{title, "exit code " + strconv.Itoa(int(v)), r.BaseURL, "live, read-only", "v1.4.0", "0123456789ab", "spec 2.1.0", "12.3 s"} {
				if !strings.Contains(bt, want) {
					t.Errorf("the banner does not say %q: %q", want, bt)
				}
			}
			if h1 := find(banner.n, tag("h1")); len(h1) != 1 || !strings.HasPrefix(text(h1[0]), title) {
				t.Errorf("the banner's heading is not %q", title)
			}
			matrix, hasMatrix := p.byID["matrix"]
			settings := p.byID["settings"]
			if hasMatrix && matrix.offset < banner.offset || settings.offset < banner.offset {
				t.Error("the matrix or the settings come before the verdict")
			}
			if strings.Contains(p.raw, "<script>alert") {
				t.Error("a value from the target reached the page unescaped")
			}
		})
	}
}

func mustNode(t *testing.T, p parsedPage, id, tagName string) *html.Node {
	t.Helper()
	for _, e := range p.all {
		if id != "" && attr(e.n, "id") == id || id == "" && e.n.Data == tagName {
			return e.n
		}
	}
	t.Fatalf("no element %q %q", id, tagName)
	return nil
}

// A broken run leads with its distinct problems, each with expected and got, the answer and a
// curl command with the token as a variable; they come before the matrix and above the fold.
func TestRun_WriteHTML_Problems(t *testing.T) {
	r := fixtureRun(harness.ContractBroken)
	p := render(t, r)
	articles := p.byClass["problem"]
	if len(articles) != 2 {
		t.Fatalf("%d problems shown, want 2 (13 violations in 2 groups)", len(articles))
	}
	first := articles[0]
	if attr(first.n, "id") != "problem-1" || attr(first.n, "data-count") != "12" || attr(first.n, "data-pointer") != "/database_users/0/created_at" {
		t.Errorf("the first problem is %q with count %q at %q, want problem-1, 12, created_at",
			attr(first.n, "id"), attr(first.n, "data-count"), attr(first.n, "data-pointer"))
	}
	total := 0
	for _, a := range articles {
		n, _ := strconv.Atoi(attr(a.n, "data-count"))
		total += n
	}
	if total != len(r.Violations) {
		t.Errorf("the problems count %d violations, the run met %d", total, len(r.Violations))
	}
	ft := text(first.n)
	for _, want := range []string{"✗ listDatabaseUsers → 200: format at /database_users/0/created_at", "×12",
		"expected string, format date-time with offset", `got "2026-12-04 10:00:00"`,
		"GET https://db-api.example.com/api/databases/my-db-123/users → 200", "X-Request-Id: req-42", `"created_at":"2026-12-04 10:00:00"`,
		"Users lists the users 0", "Users lists the users 2"} {
		if !strings.Contains(strings.Join(strings.Fields(ft), " "), want) {
			t.Errorf("the first problem does not say %q:\n%s", want, ft)
		}
	}
	curl := find(first.n, class("curl"))
	if len(curl) != 1 || !strings.Contains(text(curl[0]), `-H "Authorization: Bearer $DB_BEARER_TOKEN"`) ||
		!strings.Contains(text(curl[0]), "'https://db-api.example.com/api/databases/my-db-123/users'") {
		t.Errorf("no curl command with $DB_BEARER_TOKEN: %v", curl)
	}
	if strings.Contains(p.raw, fixtureToken) {
		t.Error("the page holds the token")
	}
	// Above the fold: banner, then the first problem, then everything else.
	banner, matrix := p.byID["verdict"], p.byID["matrix"]
	h3 := find(first.n, tag("h3"))[0]
	var h3off int
	for _, e := range p.all {
		if e.n == h3 {
			h3off = e.offset + len(text(h3)) + len("</h3>")
		}
	}
	if !(banner.offset < first.offset && first.offset < matrix.offset) {
		t.Errorf("order: banner %d, first problem %d, matrix %d", banner.offset, first.offset, matrix.offset)
	}
	if h3off > foldBytes {
		t.Errorf("the first problem's heading ends at byte %d, want within %d", h3off, foldBytes)
	}
	if first.index > foldElements {
		t.Errorf("%d elements come before the first problem, want at most %d", first.index, foldElements)
	}
	if f, ok := p.byID["failures"]; !ok || f.offset < first.offset || f.offset > matrix.offset {
		t.Error("the failed specs are not between the problems and the matrix")
	}
}

// The matrix: failed cells link to their problem with ✗, hits say ✓, missed cells 0, writes of
// a read-only run are skipped (–), and columns nothing hit are folded away and named.
func TestRun_WriteHTML_Matrix(t *testing.T) {
	r := fixtureRun(harness.ContractBroken)
	p := render(t, r)
	matrix := p.byID["matrix"].n
	var heads []string
	for _, th := range find(find(matrix, tag("thead"))[0], tag("th")) {
		heads = append(heads, text(th))
	}
	if got := strings.Join(heads, " "); got != "operation method path 200 404" {
		t.Errorf("columns %q, want 200 and 404 only (429 and 5XX folded)", got)
	}
	folded, ok := p.byID["folded"]
	if !ok || !strings.Contains(text(folded.n), "429, 5XX") {
		t.Errorf("the folded columns are not named: %v", ok)
	}
	cells := map[string]*html.Node{}
	for _, td := range find(matrix, func(n *html.Node) bool { return n.Data == "td" && attr(n, "data-op") != "" }) {
		cells[attr(td, "data-op")+" "+attr(td, "data-status")] = td
	}
	tests := []struct {
		cell, class, text, href string
	}{
		{"listDatabaseUsers 200", CellFailed, "✗ 12", "#problem-1"},
		{"getDatabase 200", CellFailed, "✗ 4", "#problem-2"},
		{"listDatabaseUsers 404", CellHit, "✓ 1", ""},
		{"createBackup 404", CellSkipped, "–", ""},
		{"getDatabase 404", CellNone, "", ""},
	}
	for _, tt := range tests {
		c := cells[tt.cell]
		if c == nil {
			t.Errorf("no cell %s", tt.cell)
			continue
		}
		if attr(c, "class") != tt.class || text(c) != tt.text {
			t.Errorf("%s: class %q text %q, want %q %q", tt.cell, attr(c, "class"), text(c), tt.class, tt.text)
		}
		a := find(c, tag("a"))
		if (tt.href == "") != (len(a) == 0) || len(a) > 0 && attr(a[0], "href") != tt.href {
			t.Errorf("%s links to %v, want %q", tt.cell, a, tt.href)
		}
	}
	// A run with writes: the write it never sent is missed (another write keeps the 201 column).
	r.ReadOnly = false
	r.Violations = nil
	r.Entries = append(r.Entries, conformance.ReportEntry{OperationID: "createDatabaseUser", Method: "POST", Status: "201", Hits: 1})
	p = render(t, r)
	tds := find(p.byID["matrix"].n, func(n *html.Node) bool {
		return attr(n, "data-op") == "createBackup" && attr(n, "data-status") == "201"
	})
	if len(tds) != 1 {
		t.Fatalf("%d cells createBackup 201", len(tds))
	}
	for _, td := range tds {
		if attr(td, "class") != CellMissed || text(td) != "0" {
			t.Errorf("a write never sent in a run with writes: %q %q, want missed 0", attr(td, "class"), text(td))
		}
	}
}

// A settings or unreachable verdict says why in its banner; a passing run says so, with no
// problem section.
func TestRun_WriteHTML_Reason(t *testing.T) {
	tests := []struct {
		v    harness.Verdict
		want []string
	}{
		{harness.SettingsWrong, []string{"DBAPI_ALLOW_WRITE: not a setting of the suite; did you mean DBAPI_ALLOW_WRITES?"}},
		{harness.Unreachable, []string{"getDatabase GET https://db-api.example.com/api/databases/my-db-123: connection refused"}},
		{harness.Passed, nil},
	}
	for _, tt := range tests {
		t.Run(tt.v.String(), func(t *testing.T) {
			p := render(t, fixtureRun(tt.v))
			reason, ok := p.byID["reason"]
			if ok != (tt.want != nil) {
				t.Fatalf("reason shown: %v, want %v", ok, tt.want != nil)
			}
			for _, want := range tt.want {
				if !strings.Contains(text(reason.n), want) {
					t.Errorf("the reason does not say %q: %q", want, text(reason.n))
				}
				if !inside(reason.n, p.byID["verdict"].n) {
					t.Error("the reason is not in the banner")
				}
			}
			if _, ok := p.byID["problems"]; ok {
				t.Error("a problems section without violations")
			}
			if tt.v == harness.Passed && !strings.Contains(text(p.byID["gist"].n), "Every spec passed") {
				t.Errorf("a passing banner says %q", text(p.byID["gist"].n))
			}
			if _, ok := p.byID["failures"]; ok {
				t.Error("the failed specs are listed again below a reason that says it all")
			}
			if _, ok := p.byID["no-coverage"]; ok != (tt.v != harness.Passed) {
				t.Errorf("a run that ended in its setup says so: %v, want %v", ok, tt.v != harness.Passed)
			}
		})
	}
	// More distinct failures than the banner shows: the banner shows the first, the failed
	// specs section every one.
	r := fixtureRun(harness.Unreachable)
	for i := range maxReasonMessages + 2 {
		r.Failures = append(r.Failures, Failure{Spec: "spec " + strconv.Itoa(i), Message: "getBackup GET /x: cause " + strconv.Itoa(i)})
	}
	p := render(t, r)
	reason := text(p.byID["reason"].n)
	if !strings.Contains(reason, "connection refused") || strings.Contains(reason, "cause "+strconv.Itoa(maxReasonMessages)) {
		t.Errorf("the banner's reason: %q", reason)
	}
	f, ok := p.byID["failures"]
	if !ok || len(find(f.n, tag("li"))) != len(r.Failures) {
		t.Errorf("the failed specs section lists %v of %d", ok, len(r.Failures))
	}
}

func inside(n, ancestor *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p == ancestor {
			return true
		}
	}
	return false
}

// Extra sections (drift found, for one) come after the problems, before the matrix.
func TestRun_WriteHTML_Sections(t *testing.T) {
	r := fixtureRun(harness.ContractBroken)
	r.Sections = []Section{{ID: "drift", Title: "Drift", Intro: "Fields the spec does not know:", Items: []string{"getDatabase /database/new_field"}}}
	p := render(t, r)
	d, ok := p.byID["drift"]
	if !ok || !strings.Contains(text(d.n), "getDatabase /database/new_field") {
		t.Fatal("the section is not shown")
	}
	if !(p.byID["problems"].offset < d.offset && d.offset < p.byID["matrix"].offset) {
		t.Error("the section is not between the problems and the matrix")
	}
}
