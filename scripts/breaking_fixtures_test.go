package scripts_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBreakingFixtures runs scripts/breaking-fixtures.sh on folders of fixtures and checks that
// only a fixture that makes `make breaking` fail with the rule its name gives counts as caught: a
// fixture that breaks the YAML (oasdiff exits 102 and prints no rule), one that fails with
// another rule, one that no longer changes the spec and one whose name gives no rule all fail
// the script. It needs make and bin/oasdiff (make builds it when missing).
func TestBreakingFixtures(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Fatalf("make is needed to run the gate: %v", err)
	}
	tests := []struct {
		name     string
		fixtures map[string]string // file name -> sed script
		wantOK   bool
		want     []string // lines the output must contain
	}{
		{
			name: "a fixture caught with its rule",
			fixtures: map[string]string{
				"response-property-became-optional--backup-database-id.sed": "s/^      required: \\[id, created_at, name, status, database_id\\]$/      required: [id, created_at, name, status]/\n",
			},
			wantOK: true,
			want:   []string{"ok   response-property-became-optional--backup-database-id: make breaking fails with [response-property-became-optional]"},
		},
		{
			name: "a fixture that breaks the YAML",
			fixtures: map[string]string{
				"api-removed-without-deprecation--broken-yaml.sed": "1i\\\n{{ not: yaml\n",
			},
			want: []string{"FAIL api-removed-without-deprecation--broken-yaml: oasdiff did not compare the specs (not exit code 1)"},
		},
		{
			name: "a fixture that fails with another rule",
			fixtures: map[string]string{
				"api-removed-without-deprecation--wrong-rule.sed": "s/^      required: \\[id, created_at, name, status, database_id\\]$/      required: [id, created_at, name, status]/\n",
			},
			want: []string{"FAIL api-removed-without-deprecation--wrong-rule: make breaking fails, but not with [api-removed-without-deprecation]"},
		},
		{
			name: "a fixture that no longer applies",
			fixtures: map[string]string{
				"api-removed-without-deprecation--stale.sed": "s/^this line is not in the spec$//\n",
			},
			want: []string{"FAIL api-removed-without-deprecation--stale: the edit no longer applies to openapi.yaml (update the fixture)"},
		},
		{
			name: "a fixture whose name gives no rule",
			fixtures: map[string]string{
				"1-removed-field.sed": "/^        hidden: {type: boolean}$/d\n",
			},
			want: []string{"FAIL 1-removed-field: the name does not start with an oasdiff rule id and -- (RULE-ID--WHAT.sed)"},
		},
		{
			name:     "no fixture at all",
			fixtures: map[string]string{},
			want:     []string{"FAIL: no fixture in "},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, script := range tt.fixtures {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command("./breaking-fixtures.sh")
			cmd.Env = append(os.Environ(), "BREAKING_FIXTURES_DIR="+dir, "MAKEFLAGS=")
			out, err := cmd.CombinedOutput()
			var exitErr *exec.ExitError
			switch {
			case err == nil && !tt.wantOK:
				t.Errorf("the script exits 0, want a failure\n%s", out)
			case err != nil && (tt.wantOK || !errors.As(err, &exitErr)):
				t.Errorf("the script: %v, want exit 0\n%s", err, out)
			}
			for _, line := range tt.want {
				if !strings.Contains(string(out), line) {
					t.Errorf("the output lacks %q\n%s", line, out)
				}
			}
		})
	}
}

// TestBreakingFixtures_Committed runs the committed fixtures of spec/breaking-fixtures: each
// must make the gate fail with its own rule.
func TestBreakingFixtures_Committed(t *testing.T) {
	cmd := exec.Command("./breaking-fixtures.sh")
	cmd.Env = append(os.Environ(), "MAKEFLAGS=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/breaking-fixtures.sh: %v\n%s", err, out)
	}
	entries, err := filepath.Glob("../spec/breaking-fixtures/*.sed")
	if err != nil || len(entries) == 0 {
		t.Fatalf("no fixture in spec/breaking-fixtures (%v)", err)
	}
	for _, e := range entries {
		name := strings.TrimSuffix(filepath.Base(e), ".sed")
		if !strings.Contains(string(out), "ok   "+name+": ") {
			t.Errorf("the output does not say %s is caught\n%s", name, out)
		}
	}
}
