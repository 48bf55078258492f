package main

import (
	"os"
	"path/filepath"
	"sort"
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
	if err := cli.WriteDocs(cli.NewRootForDocs(), fresh); err != nil {
		t.Fatal(err)
	}
	return cmp.Diff(readDocs(t, committed), readDocs(t, fresh))
}

// TestDocsAreFresh fails when docs/cli is not what the commands generate:
// run `make docs-cli` and commit the result.
func TestDocsAreFresh(t *testing.T) {
	if diff := staleDocs(t, filepath.Join("..", "..", "docs", "cli")); diff != "" {
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
			if err := cli.WriteDocs(cli.NewRootForDocs(), dir); err != nil {
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
