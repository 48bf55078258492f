// Package scripts_test tests the shell scripts of scripts/.
package scripts_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitEnv is the environment of the git commands and of the script: no user or system
// configuration, and no GIT_* variable of a caller (a hook sets GIT_DIR) that would point them at
// another repository.
func gitEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") {
			env = append(env, kv)
		}
	}
	return append(env, "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1")
}

// repoFile is a file of a test repository.
type repoFile struct {
	path string
	data []byte
	exec bool // mode 0755
}

// newRepo makes a git repository in a temporary directory with files, all added to the index.
func newRepo(t *testing.T, files []repoFile) string {
	t.Helper()
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir, cmd.Env = dir, gitEnv()
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	git("init", "-q")
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			t.Fatal(err)
		}
		git("add", "--", f.path)
		if f.exec {
			git("update-index", "--chmod=+x", "--", f.path)
		}
	}
	return dir
}

// TestCheckTrackedFiles runs check-tracked-files.sh on repositories with and without files that
// should not be tracked, and checks its exit status and that it names each such file, and only
// those.
func TestCheckTrackedFiles(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatalf("git is needed to test check-tracked-files.sh: %v", err)
	}
	script, err := filepath.Abs("check-tracked-files.sh")
	if err != nil {
		t.Fatal(err)
	}
	const mib = 1 << 20
	clean := []repoFile{
		{path: "README.md", data: []byte("# hello\n")},
		{path: "run.sh", data: []byte("#!/usr/bin/env bash\necho hi\n"), exec: true},
		{path: "exactly-1MiB.txt", data: bytes.Repeat([]byte("a"), mib)},
		{path: "testdata/big.bin", data: bytes.Repeat([]byte{0}, 2*mib)},
		{path: "pkg/x/testdata/big.json", data: bytes.Repeat([]byte(" "), 2*mib)},
		{path: "empty", data: nil},
	}
	tests := []struct {
		name    string
		files   []repoFile
		subdir  string   // where the script runs, under the repository
		status  int      // exit status
		flagged []string // the lines the script must print, one per file
	}{
		{name: "clean", files: clean, status: 0},
		{name: "clean, run from a subdirectory", files: clean, subdir: "testdata", status: 0},
		{
			name: "a fake ELF file and a 2 MB file",
			files: append(clean[:len(clean):len(clean)],
				repoFile{path: "scalingodb", data: append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 64)...), exec: true},
				repoFile{path: "dump.sql", data: bytes.Repeat([]byte("x"), 2_000_000)}),
			status: 1,
			flagged: []string{
				"scalingodb: ELF executable (71 bytes)",
				"dump.sql: over 1 MiB (2000000 bytes)",
			},
		},
		{
			name: "Mach-O, an executable text file, one byte over 1 MiB",
			files: append(clean[:len(clean):len(clean)],
				repoFile{path: "bin/tool", data: []byte("\xcf\xfa\xed\xfe\x07\x00\x00\x01")},
				repoFile{path: "tool", data: []byte("echo no shebang\n"), exec: true},
				repoFile{path: "big file.txt", data: bytes.Repeat([]byte("b"), mib+1)},
				repoFile{path: "testdata-not/big", data: bytes.Repeat([]byte("c"), mib+1)}),
			status: 1,
			flagged: []string{
				"bin/tool: Mach-O executable (8 bytes)",
				"tool: executable bit set, but no #! script (16 bytes)",
				"big file.txt: over 1 MiB (1048577 bytes)",
				"testdata-not/big: over 1 MiB (1048577 bytes)",
			},
		},
		{
			name: "an ELF binary over 1 MiB, and one under testdata/ (binaries are flagged anywhere)",
			files: []repoFile{
				{path: "cmd/app/app", data: append([]byte("\x7fELF"), make([]byte, 2*mib)...), exec: true},
				{path: "pkg/x/testdata/elf-fixture", data: append([]byte("\x7fELF"), make([]byte, 2*mib)...)},
			},
			status: 1,
			flagged: []string{
				"cmd/app/app: ELF executable, over 1 MiB (2097156 bytes)",
				"pkg/x/testdata/elf-fixture: ELF executable (2097156 bytes)",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newRepo(t, tt.files)
			cmd := exec.Command("bash", script)
			cmd.Dir, cmd.Env = filepath.Join(dir, tt.subdir), gitEnv()
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			status := 0
			if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
				status = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if status != tt.status {
				t.Errorf("exit status %d, want %d; stderr:\n%s", status, tt.status, &stderr)
			}
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			if tt.status == 0 {
				if stderr.Len() > 0 || stdout.Len() > 0 {
					t.Errorf("a clean repository printed:\n%s%s", &stdout, &stderr)
				}
				return
			}
			// One line per flagged file, in any order, then the summary.
			if len(lines) != len(tt.flagged)+1 || !strings.HasPrefix(lines[len(lines)-1], "check-tracked-files: ") {
				t.Fatalf("stderr:\n%s\nwant one line for each of %q and a summary", &stderr, tt.flagged)
			}
			for _, want := range tt.flagged {
				found := false
				for _, l := range lines {
					found = found || l == want
				}
				if !found {
					t.Errorf("stderr does not have the line %q:\n%s", want, &stderr)
				}
			}
		})
	}

	t.Run("not a git repository", func(t *testing.T) {
		cmd := exec.Command("bash", script)
		cmd.Dir, cmd.Env = t.TempDir(), append(gitEnv(), "GIT_CEILING_DIRECTORIES="+os.TempDir())
		out, err := cmd.CombinedOutput()
		if ee := (*exec.ExitError)(nil); !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Errorf("outside a repository: %v, want exit status 2; output:\n%s", err, out)
		}
	})
}
