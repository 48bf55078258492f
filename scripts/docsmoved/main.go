// Command docsmoved checks that text moved out of README.md lost nothing: every backticked name,
// every number and every heading of README.md as it was at a git revision must still be in
// README.md, CHANGELOG.md or a Markdown file under docs/. It prints what is missing and exits 1.
//
// Usage, from the repository's root:
//
//	go run ./scripts/docsmoved                # against the README of 1e8add5, before the split
//	go run ./scripts/docsmoved -rev main      # against another revision's README
//	go run ./scripts/docsmoved -old FILE      # against a file
//
// It is a check for whoever moves or merges documentation, not a test: a fact that became false
// should go, and then this command names it.
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// splitRevision is the last revision whose README.md held the whole documentation.
const splitRevision = "1e8add5"

func main() {
	rev := flag.String("rev", splitRevision, "the git revision whose README.md to compare with")
	old := flag.String("old", "", "a file to compare with instead of a revision's README.md")
	flag.Parse()
	code, err := run(*rev, *old)
	if err != nil {
		fmt.Fprintln(os.Stderr, "docsmoved:", err)
	}
	os.Exit(code)
}

// run compares the old README with the documents of the current folder and returns the exit code.
func run(rev, oldFile string) (int, error) {
	var old []byte
	var err error
	if oldFile != "" {
		old, err = os.ReadFile(oldFile)
	} else {
		old, err = exec.Command("git", "show", rev+":README.md").Output()
	}
	if err != nil {
		return 2, err
	}
	now, err := documents(".")
	if err != nil {
		return 2, err
	}
	missing := lost(string(old), now)
	for _, m := range missing {
		fmt.Println(m)
	}
	if len(missing) > 0 {
		return 1, fmt.Errorf("%d things of the old README are in no document", len(missing))
	}
	return 0, nil
}

// documents returns README.md, CHANGELOG.md and every Markdown file under docs/ in dir, joined.
func documents(dir string) (string, error) {
	var b strings.Builder
	for _, name := range []string{"README.md", "CHANGELOG.md"} {
		text, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return "", err
		}
		b.Write(text)
		b.WriteByte('\n')
	}
	err := filepath.WalkDir(filepath.Join(dir, "docs"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".md") {
			return err
		}
		text, err := os.ReadFile(path)
		b.Write(text)
		b.WriteByte('\n')
		return err
	})
	return b.String(), err
}

var (
	codeSpan = regexp.MustCompile("`[^`\n]+`")
	number   = regexp.MustCompile(`\d(?:[\d,.]*\d)?`)
	heading  = regexp.MustCompile(`(?m)^#{1,6}\s+(.*?)\s*$`)
)

// lost returns, once each and in the order of old, the code spans, numbers and headings of the
// Markdown text old that the Markdown text now lacks. A heading may have moved to another level.
func lost(old, now string) []string {
	headings := map[string]bool{}
	for _, m := range heading.FindAllStringSubmatch(now, -1) {
		headings[m[1]] = true
	}
	seen := map[string]bool{}
	var out []string
	report := func(line int, kind, value string) {
		if key := kind + value; !seen[key] {
			seen[key] = true
			out = append(out, fmt.Sprintf("line %d: %s %s", line, kind, value))
		}
	}
	fence := false
	for i, line := range strings.Split(old, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fence = !fence
		}
		if m := heading.FindStringSubmatch(line); m != nil && !fence && !headings[m[1]] {
			report(i+1, "heading", m[1])
		}
		for _, span := range codeSpan.FindAllString(line, -1) {
			if !strings.Contains(now, span) {
				report(i+1, "name", span)
			}
		}
		for _, n := range number.FindAllString(line, -1) {
			if !strings.Contains(now, n) {
				report(i+1, "figure", n)
			}
		}
	}
	return out
}
