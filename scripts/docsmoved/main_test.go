package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("old.md", "# Toolkit\n## Mock\n`-seed` is on.\n## Changelog\n- 9.9 MB\n")
	write("README.md", "# Toolkit\n[mock](docs/mock.md)\n")
	write("CHANGELOG.md", "# Changelog\n- 9.9 MB\n")
	write("docs/sub/mock.md", "# Mock\n`-seed` is on.\n")
	t.Chdir(dir)
	if code, err := run("", "old.md"); code != 0 || err != nil {
		t.Errorf("run = %d, %v; want 0, nil", code, err)
	}
	write("docs/sub/mock.md", "# Mock\n")
	if code, err := run("", "old.md"); code != 1 || err == nil {
		t.Errorf("run with a name dropped = %d, %v; want 1 and an error", code, err)
	}
	if code, err := run("", "missing.md"); code != 2 || err == nil {
		t.Errorf("run with no old file = %d, %v; want 2 and an error", code, err)
	}
}

// TestLost moves the text of a small README and drops one thing at a time.
func TestLost(t *testing.T) {
	const old = "# Toolkit\n\n## Benchmarks\n\n`make bench`: 1.94 times, 33,742 items.\n\n```sh\n# a comment, not a heading\n```\n"
	const body = "`make bench`: 1.94 times, 33,742 items.\n"
	tests := []struct {
		name, now string
		want      []string
	}{
		{"moved whole, a heading one level up", "# Toolkit\n\n# Benchmarks\n\n" + body, nil},
		{"a figure dropped", "# Toolkit\n## Benchmarks\n`make bench`: 1.9 times, 33,742 items.\n", []string{"line 5: figure 1.94"}},
		{"a name dropped", "# Toolkit\n## Benchmarks\nmake bench: 1.94 times, 33,742 items.\n", []string{"line 5: name `make bench`"}},
		{"a section dropped", "# Toolkit\n" + body, []string{"line 3: heading Benchmarks"}},
		{"a heading's text only in prose is no heading", "# Toolkit\nBenchmarks: " + body, []string{"line 3: heading Benchmarks"}},
		{"everything gone", "", []string{"line 1: heading Toolkit", "line 3: heading Benchmarks",
			"line 5: name `make bench`", "line 5: figure 1.94", "line 5: figure 33,742"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, lost(old, tt.now)); diff != "" {
			t.Errorf("%s: lost (-want +got):\n%s", tt.name, diff)
		}
	}
}
