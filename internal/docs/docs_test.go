// Package docs_test checks the repository's Markdown: README.md stays a front page whose set-up
// commands are the ones CI runs and whose quick start is the tested example, every relative link
// and anchor of README.md, CHANGELOG.md and docs/ resolves, and every make target and environment
// variable the toolkit has is named in README.md or docs/.
package docs_test

import (
	"bufio"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// root is the repository, seen from this package's folder.
const root = "../.."

// maxREADMELines is the length of a front page (issue #24): the rest belongs in docs/.
const maxREADMELines = 250

// readFile returns a file of the repository as text.
func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// markdownFiles lists README.md, CHANGELOG.md and every Markdown file under docs/, slash-separated
// and relative to dir.
func markdownFiles(dir string) ([]string, error) {
	files := []string{"README.md", "CHANGELOG.md"}
	err := filepath.WalkDir(filepath.Join(dir, "docs"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".md") {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		files = append(files, filepath.ToSlash(rel))
		return err
	})
	return files, err
}

// docsText is README.md and every Markdown file under docs/, joined.
func docsText(t *testing.T) string {
	t.Helper()
	files, err := markdownFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range files {
		if f != "CHANGELOG.md" {
			b.WriteString(readFile(t, f) + "\n")
		}
	}
	return b.String()
}

// prose returns the lines of a Markdown text that are not inside a fenced code block, with their
// inline code spans blanked out, so that neither is read as a link or a heading. Each line keeps
// its index in the text.
func prose(md string) map[int]string {
	codeSpan := regexp.MustCompile("`+[^`]*`+")
	lines := map[int]string{}
	fence := ""
	for i, line := range strings.Split(md, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case fence != "":
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			continue
		case strings.HasPrefix(trimmed, "```"), strings.HasPrefix(trimmed, "~~~"):
			fence = trimmed[:3]
			continue
		}
		lines[i] = codeSpan.ReplaceAllStringFunc(line, func(s string) string { return strings.Repeat("x", len(s)) })
	}
	return lines
}

// slug is the anchor GitHub gives a heading: lower case, everything but letters, digits, spaces,
// hyphens and underscores dropped, spaces turned into hyphens.
func slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-', r == '_', unicode.IsLetter(r), unicode.IsDigit(r), unicode.Is(unicode.Mn, r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// anchors returns the anchors of a Markdown text: one per heading, a repeated one numbered as
// GitHub numbers it (x, x-1, x-2), and every HTML id or name.
func anchors(md string) map[string]bool {
	heading := regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)
	html := regexp.MustCompile(`<a\s+(?:id|name)="([^"]+)"`)
	out := map[string]bool{}
	lines, outside := strings.Split(md, "\n"), prose(md)
	for i := range lines {
		line, ok := outside[i]
		if !ok {
			continue
		}
		for _, m := range html.FindAllStringSubmatch(line, -1) {
			out[m[1]] = true
		}
		m := heading.FindStringSubmatch(lines[i]) // the original line: code spans count in slugs
		if m == nil {
			continue
		}
		s := slug(m[1])
		for n := 1; out[s]; n++ {
			s = fmt.Sprintf("%s-%d", slug(m[1]), n)
		}
		out[s] = true
	}
	return out
}

// link is a Markdown link found in a file, on a 1-based line.
type link struct {
	line   int
	target string
}

// links returns the inline links and images of a Markdown text, outside code.
func links(md string) []link {
	inline := regexp.MustCompile(`\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)
	lines := prose(md)
	var out []link
	for i := range len(strings.Split(md, "\n")) {
		for _, m := range inline.FindAllStringSubmatch(lines[i], -1) {
			out = append(out, link{line: i + 1, target: m[1]})
		}
	}
	return out
}

// external matches a link with a scheme (https:, mailto:), which this check leaves alone.
var external = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)

// checkLinks returns a problem for each relative link of the named Markdown files (slash-separated,
// relative to dir) that does not resolve: a file or folder that does not exist or lies outside
// dir, or an anchor that is no heading of the Markdown file it points into. It also returns how
// many relative links it checked.
func checkLinks(dir string, files []string) (problems []string, checked int) {
	texts := map[string]string{}
	read := func(name string) (string, error) {
		if s, ok := texts[name]; ok {
			return s, nil
		}
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		texts[name] = string(b)
		return string(b), err
	}
	for _, file := range files {
		md, err := read(file)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		for _, l := range links(md) {
			if external.MatchString(l.target) {
				continue
			}
			checked++
			where := fmt.Sprintf("%s:%d: %s", file, l.line, l.target)
			path, fragment, _ := strings.Cut(l.target, "#")
			path, err := url.PathUnescape(path)
			if err != nil {
				problems = append(problems, where+": "+err.Error())
				continue
			}
			target := file
			if path != "" {
				target = filepath.ToSlash(filepath.Clean(filepath.Join(filepath.Dir(file), path)))
				if target == ".." || strings.HasPrefix(target, "../") || filepath.IsAbs(path) {
					problems = append(problems, where+": outside the repository")
					continue
				}
				if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(target))); err != nil {
					problems = append(problems, where+": no such file")
					continue
				}
			}
			if fragment == "" || !strings.HasSuffix(target, ".md") {
				continue
			}
			text, err := read(target)
			if err != nil {
				problems = append(problems, where+": "+err.Error())
				continue
			}
			if !anchors(text)[fragment] {
				problems = append(problems, where+": no heading with the anchor #"+fragment)
			}
		}
	}
	return problems, checked
}

func TestCheckLinks(t *testing.T) {
	files := map[string]string{
		"README.md":  "# Title\n\n## Set-up: `make`\n\n## Set-up: `make`\n\n<a id=\"custom\"></a>\n",
		"docs/a.md":  "# A page\n\n```sh\n# not a heading\n```\n\ntext\n",
		"docs/b.txt": "plain\n",
	}
	dir := t.TempDir()
	for name, text := range files {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, md string
		problems []string // substrings, one per problem, in order
		checked  int
	}{
		{name: "a file", md: "[a](docs/a.md) [b](docs/b.txt) ![img](docs/b.txt \"title\")", checked: 3},
		{name: "a folder", md: "[docs](docs/) [docs](docs)", checked: 2},
		{name: "anchors of headings, numbered when repeated, and of HTML ids",
			md: "[x](#set-up-make) [y](#set-up-make-1) [z](README.md#custom) [p](docs/a.md#a-page)", checked: 4},
		{name: "escaped path", md: "[a](docs%2Fa.md)", checked: 1},
		{name: "external links are not checked", md: "[g](https://github.com/x/y#nothing) [m](mailto:a@b.c)"},
		{name: "links in code are not links", md: "`[a](missing.md)`\n\n```\n[b](missing.md)\n```\n"},
		{name: "missing file", md: "text\n[a](docs/missing.md)", problems: []string{"x.md:2: docs/missing.md: no such file"}, checked: 1},
		{name: "missing anchor", md: "[a](docs/a.md#setup)", problems: []string{"no heading with the anchor #setup"}, checked: 1},
		{name: "a heading inside a fence is no anchor", md: "[a](docs/a.md#not-a-heading)", problems: []string{"#not-a-heading"}, checked: 1},
		{name: "a third repeat that is not there", md: "[a](#set-up-make-2)", problems: []string{"#set-up-make-2"}, checked: 1},
		{name: "outside the repository", md: "[a](../etc/passwd) [b](docs/../../x)", problems: []string{"outside", "outside"}, checked: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			readme := files["README.md"]
			if err := os.WriteFile(filepath.Join(dir, "x.md"), []byte(tt.md), 0o644); err != nil {
				t.Fatal(err)
			}
			// x.md sits beside README.md, so its own anchors are README's when it links "#…".
			md := tt.md
			if strings.Contains(md, "](#") {
				md = readme + "\n" + md
				if err := os.WriteFile(filepath.Join(dir, "x.md"), []byte(md), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			problems, checked := checkLinks(dir, []string{"x.md"})
			if checked != tt.checked {
				t.Errorf("checked %d links, want %d", checked, tt.checked)
			}
			if len(problems) != len(tt.problems) {
				t.Fatalf("problems %q, want %d containing %q", problems, len(tt.problems), tt.problems)
			}
			for i, want := range tt.problems {
				if !strings.Contains(problems[i], want) {
					t.Errorf("problem %q does not say %q", problems[i], want)
				}
			}
		})
	}
}

// TestLinksResolve checks every relative link of README.md, CHANGELOG.md and docs/.
func TestLinksResolve(t *testing.T) {
	files, err := markdownFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	problems, checked := checkLinks(root, files)
	for _, p := range problems {
		t.Error(p)
	}
	if checked < 100 { // docs/cli alone links its pages to each other
		t.Errorf("checked %d relative links in %d files: the check reads nothing", checked, len(files))
	}
}

// TestREADMEIsAFrontPage holds README.md to a front page that leads to every page behind it.
func TestREADMEIsAFrontPage(t *testing.T) {
	readme := readFile(t, "README.md")
	if n := strings.Count(readme, "\n"); n > maxREADMELines {
		t.Errorf("README.md has %d lines, want at most %d: move the detail to docs/", n, maxREADMELines)
	}
	var targets []string
	for _, l := range links(readme) {
		targets = append(targets, strings.Split(l.target, "#")[0])
	}
	for _, page := range []string{"docs/client.md", "docs/cli.md", "docs/cli/scalingodb.md",
		"docs/contract-suite.md", "docs/mock.md", "docs/spec.md", "docs/benchmarks.md", "CHANGELOG.md"} {
		if !slices.Contains(targets, page) {
			t.Errorf("README.md does not link %s", page)
		}
	}
}

// section returns the lines of a Markdown text under the level-2 heading with the given title, up
// to the next level-2 heading.
func section(md, title string) []string {
	var out []string
	in := false
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "## ") {
			in = strings.TrimSpace(strings.TrimPrefix(line, "## ")) == title
			continue
		}
		if in {
			out = append(out, line)
		}
	}
	return out
}

// firstBlock returns the lines of the first fenced code block of the given language in lines.
func firstBlock(lines []string, lang string) []string {
	var out []string
	in := false
	for _, line := range lines {
		switch {
		case !in && strings.TrimSpace(line) == "```"+lang:
			in = true
		case in && strings.TrimSpace(line) == "```":
			return out
		case in:
			out = append(out, line)
		}
	}
	return nil
}

// commands returns the shell commands of a block: each line without its comment, blank lines left
// out.
func commands(block []string) []string {
	var out []string
	for _, line := range block {
		cmd, _, _ := strings.Cut(line, "#")
		if cmd = strings.Join(strings.Fields(cmd), " "); cmd != "" {
			out = append(out, cmd)
		}
	}
	return out
}

// runs reports whether a shell script runs the command: a line of the script that is the command,
// alone or followed by more words, a pipe or a redirection.
func runs(script, command string) bool {
	for _, line := range strings.Split(script, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if line == command || strings.HasPrefix(line, command+" ") {
			return true
		}
	}
	return false
}

func TestRuns(t *testing.T) {
	script := "step \"tests\"\nmake test\nmake contract | tee \"$out\"\n  make lint  \n# make bench\n"
	tests := []struct {
		command string
		want    bool
	}{
		{"make test", true},
		{"make contract", true},
		{"make lint", true},
		{"make contract-live", false}, // a prefix of another word is another target
		{"make bench", false},         // in a comment
		{"make test-race", false},
	}
	for _, tt := range tests {
		if got := runs(script, tt.command); got != tt.want {
			t.Errorf("runs(%q) = %t, want %t", tt.command, got, tt.want)
		}
	}
}

// TestSetupCommandsAreWhatCIRuns holds the README's promise: two commands set everything up, the
// main job (the contract suite against the built-in mock) and the tests, and CI runs both as
// written.
func TestSetupCommandsAreWhatCIRuns(t *testing.T) {
	got := commands(firstBlock(section(readFile(t, "README.md"), "Set-up"), "sh"))
	if want := []string{"make contract", "make test"}; !slices.Equal(got, want) {
		t.Fatalf("the set-up commands of README.md are %q, want %q", got, want)
	}
	ci := readFile(t, ".ci/run")
	for _, cmd := range got {
		if !runs(ci, cmd) {
			t.Errorf(".ci/run does not run the README's set-up command %q", cmd)
		}
	}
}

// goBlockStarting returns the lines of the fenced Go block of a Markdown text whose first line is
// first, without the indentation of the block itself.
func goBlockStarting(md, first string) []string {
	lines := strings.Split(md, "\n")
	for i, line := range lines {
		if strings.TrimSpace(line) != "```go" || i+1 >= len(lines) || strings.TrimSpace(lines[i+1]) != first {
			continue
		}
		indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
		var out []string
		for _, l := range lines[i+1:] {
			if strings.TrimSpace(l) == "```" {
				return out
			}
			out = append(out, strings.TrimPrefix(l, indent))
		}
	}
	return nil
}

// containsRun reports whether the lines of needle appear one after the other in haystack, each
// with one more leading tab (the body of a function) or as they are.
func containsRun(haystack, needle []string) bool {
	if len(needle) == 0 {
		return false
	}
	for _, prefix := range []string{"\t", ""} {
		for i := 0; i+len(needle) <= len(haystack); i++ {
			match := true
			for j, n := range needle {
				if h := haystack[i+j]; h != prefix+n && (n != "" || h != "") {
					match = false
					break
				}
			}
			if match {
				return true
			}
		}
	}
	return false
}

func TestContainsRun(t *testing.T) {
	source := strings.Split("func Example() {\n\tx := 1\n\n\tfmt.Println(x)\n}", "\n")
	tests := []struct {
		name   string
		needle []string
		want   bool
	}{
		{"the body, one tab less", []string{"x := 1", "", "fmt.Println(x)"}, true},
		{"as it is", []string{"func Example() {"}, true},
		{"a changed line", []string{"x := 2", "", "fmt.Println(x)"}, false},
		{"lines out of order", []string{"fmt.Println(x)", "x := 1"}, false},
		{"a line left out", []string{"x := 1", "fmt.Println(x)"}, false},
		{"nothing", nil, false},
	}
	for _, tt := range tests {
		if got := containsRun(source, tt.needle); got != tt.want {
			t.Errorf("%s: containsRun = %t, want %t", tt.name, got, tt.want)
		}
	}
}

// TestGoSnippetsAreTestedCode holds every Go snippet the documents say comes from an example to
// that example, line for line, so that what a reader copies compiles and runs.
func TestGoSnippetsAreTestedCode(t *testing.T) {
	snippets := []struct{ doc, first, source string }{
		{"README.md", "client, err := scalingodb.New(", "pkg/scalingodb/example_test.go"},
		{"docs/client.md", "client, err := scalingodb.New(", "pkg/scalingodb/example_test.go"},
		{"docs/client.md", "client, err := dbapi.NewClientWithResponses(baseURL,", "example_test.go"},
	}
	for _, tt := range snippets {
		block := goBlockStarting(readFile(t, tt.doc), tt.first)
		if len(block) < 5 {
			t.Errorf("%s has no Go block starting with %q", tt.doc, tt.first)
			continue
		}
		if !containsRun(strings.Split(readFile(t, tt.source), "\n"), block) {
			t.Errorf("the Go block of %s starting with %q is not the code of %s, line for line", tt.doc, tt.first, tt.source)
		}
	}
}

// named reports whether text names word as a whole word (a make target or a variable).
func named(text, word string) bool {
	return regexp.MustCompile(`(^|[^A-Za-z0-9_-])` + regexp.QuoteMeta(word) + `($|[^A-Za-z0-9_-])`).MatchString(text)
}

func TestNamed(t *testing.T) {
	tests := []struct {
		text, word string
		want       bool
	}{
		{"run `make contract` first", "make contract", true},
		{"`make contract-live`", "make contract", false},
		{"DBAPI_TIMEOUT=5s", "DBAPI_TIMEOUT", true},
		{"DBAPI_TIMEOUTS", "DBAPI_TIMEOUT", false},
		{"XDBAPI_TIMEOUT", "DBAPI_TIMEOUT", false},
		{"CI", "CI", true},
	}
	for _, tt := range tests {
		if got := named(tt.text, tt.word); got != tt.want {
			t.Errorf("named(%q, %q) = %t, want %t", tt.text, tt.word, got, tt.want)
		}
	}
}

// TestMakeTargetsAreDocumented checks that every target `make help` lists is named, as `make
// TARGET`, in README.md or docs/.
func TestMakeTargetsAreDocumented(t *testing.T) {
	text := docsText(t)
	target := regexp.MustCompile(`(?m)^([a-zA-Z_-]+):.*## `)
	found := target.FindAllStringSubmatch(readFile(t, "Makefile"), -1)
	if len(found) < 10 {
		t.Fatalf("found %d targets in the Makefile", len(found))
	}
	for _, m := range found {
		if !named(text, "make "+m[1]) {
			t.Errorf("`make %s` is named nowhere in README.md or docs/", m[1])
		}
	}
}

// TestEnvironmentIsDocumented checks that every environment variable of the toolkit is named in
// README.md or docs/: those the Go code reads (a string literal DBAPI_…, DB_… or SCALINGO_… outside
// tests), and the variables and make targets the README named before it became a front page
// (testdata/names.txt).
func TestEnvironmentIsDocumented(t *testing.T) {
	text := docsText(t)
	want := map[string]string{}
	literal := regexp.MustCompile(`"((?:DBAPI|DB|SCALINGO)_[A-Z0-9_]+)"`)
	for _, dir := range []string{"cmd", "contract", "internal", "pkg", "scripts"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			b, err := os.ReadFile(path)
			for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
				want[m[1]] = strings.TrimPrefix(filepath.ToSlash(path), root+"/")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(want) < 10 {
		t.Fatalf("found %d variables in the Go code", len(want))
	}
	names := bufio.NewScanner(strings.NewReader(readFile(t, "internal/docs/testdata/names.txt")))
	for names.Scan() {
		if line := strings.TrimSpace(names.Text()); line != "" && !strings.HasPrefix(line, "#") {
			want[line] = "testdata/names.txt"
		}
	}
	for name, from := range want {
		if !named(text, name) {
			t.Errorf("%s (from %s) is named nowhere in README.md or docs/", name, from)
		}
	}
}
