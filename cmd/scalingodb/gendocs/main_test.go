package main

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/cli"
)

// readDocs returns the Markdown files of dir by name.
func readDocs(t *testing.T, dir string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	out := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = string(b)
	}
	return out
}

// staleDocs compares the committed reference with a fresh one.
func staleDocs(t *testing.T, committed string) string {
	t.Helper()
	fresh := t.TempDir()
	if err := write(cli.NewRootForDocs(), fresh); err != nil {
		t.Fatal(err)
	}
	return cmp.Diff(readDocs(t, committed), readDocs(t, fresh))
}

// TestDocsAreFresh fails when docs/cli is not what the commands generate:
// run `make docs-cli` and commit the result.
func TestDocsAreFresh(t *testing.T) {
	if diff := staleDocs(t, filepath.Join("..", "..", "..", "docs", "cli")); diff != "" {
		t.Errorf("docs/cli is stale: run 'make docs-cli' (-committed +fresh):\n%s", diff)
	}
}

// TestDocsAreFresh_FailsWhenStale proves the check catches an edited
// page, a missing page and a page of a command that is gone.
func TestDocsAreFresh_FailsWhenStale(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spoil func(dir string) error
	}{
		{"edited", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "scalingodb_version.md"), []byte("old\n"), 0o644)
		}},
		{"missing", func(dir string) error { return os.Remove(filepath.Join(dir, "scalingodb_users_list.md")) }},
		{"gone command", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "scalingodb_gone.md"), []byte("gone\n"), 0o644)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := write(cli.NewRootForDocs(), dir); err != nil {
				t.Fatal(err)
			}
			if diff := staleDocs(t, dir); diff != "" {
				t.Fatalf("a fresh reference is reported stale:\n%s", diff)
			}
			if err := tc.spoil(dir); err != nil {
				t.Fatal(err)
			}
			if staleDocs(t, dir) == "" {
				t.Error("a stale reference is reported fresh")
			}
		})
	}
}

// TestWrite_RemovesGonePages checks that a run removes the page of a
// command that no longer exists, leaves other files alone, and writes one
// page per command with its links and no date.
func TestWrite_RemovesGonePages(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{"scalingodb_gone.md": "gone\n", "README.txt": "mine\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := write(cli.NewRootForDocs(), dir); err != nil {
		t.Fatal(err)
	}
	pages := readDocs(t, dir)
	if _, ok := pages["scalingodb_gone.md"]; ok {
		t.Error("the page of a gone command is still there")
	}
	if _, err := os.Stat(filepath.Join(dir, "README.txt")); err != nil {
		t.Errorf("a file that is not a page was removed: %v", err)
	}
	page := pages["scalingodb_firewall_delete.md"]
	for _, want := range []string{"## scalingodb firewall delete", "[scalingodb firewall](scalingodb_firewall.md)", "-y, --yes", "Aliases: rm, remove"} {
		if !strings.Contains(page, want) {
			t.Errorf("scalingodb_firewall_delete.md lacks %q:\n%s", want, page)
		}
	}
	for name, p := range pages {
		if strings.Contains(p, "Auto generated") {
			t.Errorf("%s carries a generation date", name)
		}
	}
}
