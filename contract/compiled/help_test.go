package compiled

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/contract/internal/suitebin"
)

// What TestMain stamps into the compiled suite at link time, as make contract-binary does.
const (
	stampedVersion = "v9.8.7-test"
	stampedCommit  = "0123456789abcdef0123456789abcdef01234567"
)

// specVersion is the info.version of openapi.yaml, read from the file rather than through the
// harness, so that a harness that reads the wrong field fails.
func specVersion(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "\ninfo:")
	if !ok {
		t.Fatal("openapi.yaml has no info")
	}
	for _, line := range strings.Split(rest, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "version:"); ok && strings.HasPrefix(line, "  ") {
			return strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
	t.Fatal("openapi.yaml has no info.version")
	return ""
}

// -h and --help print the settings, the labels and the exit codes before Ginkgo's flags, and
// exit 0 without running a spec.
func TestRun_Help(t *testing.T) {
	for _, flag := range []string{"-h", "--help", "-help"} {
		t.Run(flag, func(t *testing.T) {
			r := runSuite(t, nil, flag)
			if r.code != 0 {
				t.Fatalf("exit code %d, want 0\n%s", r.code, suitebin.Tail(r.stdout))
			}
			ginkgo := strings.Index(r.stdout, "-ginkgo.fail-fast")
			if ginkgo < 0 {
				t.Fatalf("the help does not list Ginkgo's flags:\n%s", suitebin.Tail(r.stdout))
			}
			var before []string
			for _, s := range harness.SettingDocs() {
				before = append(before, s.Name)
			}
			for _, l := range harness.Labels() {
				before = append(before, string(l))
			}
			before = append(before, "Exit codes", "3  settings wrong", "4  target unreachable", "1  contract broken",
				"NO_COLOR", "--version", "did you mean")
			for _, want := range before {
				i := strings.Index(r.stdout, want)
				if i < 0 || i > ginkgo {
					t.Errorf("the help does not say %q before Ginkgo's flags (at %d, flags at %d)", want, i, ginkgo)
				}
			}
			// The settings table gives each setting its default and meaning on its line.
			for _, name := range []string{"DBAPI_TIMEOUT", "DBAPI_ALLOW_WRITES"} {
				if !regexp.MustCompile(`(?m)^  ` + name + ` +\S+ +\S.*$`).MatchString(r.stdout) {
					t.Errorf("the settings table has no row with a default and a meaning for %s", name)
				}
			}
			if strings.Contains(r.stdout, "\x1b[") {
				t.Error("the help is coloured in a pipe")
			}
			if strings.Contains(r.stdout, "Ran ") || r.report(t, "contract-coverage.json") != "" {
				t.Error("-h ran the suite")
			}
		})
	}
}

// --version prints the suite's version and commit stamped at link time and the spec's
// info.version, and every report carries the same three.
func TestRun_Version(t *testing.T) {
	spec := specVersion(t)
	r := runSuite(t, nil, "--version")
	if r.code != 0 {
		t.Fatalf("exit code %d, want 0\n%s", r.code, suitebin.Tail(r.stdout))
	}
	for _, want := range []string{stampedVersion, stampedCommit, "spec " + spec} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("--version does not say %q:\n%s", want, r.stdout)
		}
	}
	if n := lines(r.stdout); n > 3 {
		t.Errorf("--version prints %d lines, want at most 3:\n%s", n, r.stdout)
	}

	// A failing run: every report names the suite and the spec.
	run := runSuite(t, map[string]string{harness.EnvMockMutations: "wrong-type"}, "-ginkgo.focus=lists the users")
	if run.code != int(harness.ContractBroken) {
		t.Fatalf("exit code %d, want 1\n%s", run.code, suitebin.Tail(run.stdout))
	}
	for _, name := range []string{"contract-report.html", "contract-coverage.json", "summary.txt", "contract-junit.xml"} {
		out := run.report(t, name)
		for _, want := range []string{stampedVersion, stampedCommit, spec} {
			if !strings.Contains(out, want) {
				t.Errorf("%s does not carry %q", name, want)
			}
		}
	}
	var junit struct {
		Properties []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"testsuite>properties>property"`
	}
	if err := xml.Unmarshal([]byte(run.report(t, "contract-junit.xml")), &junit); err != nil {
		t.Fatal(err)
	}
	props := map[string]string{}
	for _, p := range junit.Properties {
		props[p.Name] = p.Value
	}
	for k, want := range map[string]string{"suite_version": stampedVersion, "suite_commit": stampedCommit, "spec_version": spec} {
		if props[k] != want {
			t.Errorf("JUnit property %s = %q, want %q (properties %v)", k, props[k], want, props)
		}
	}
}

// NO_COLOR and CI turn colour off; without them (and without -ginkgo.no-color) Ginkgo colours
// its output, which shows that the check can fail.
func TestRun_NoColor(t *testing.T) {
	tests := []struct {
		name      string
		env       map[string]string
		wantColor bool
	}{
		{"neither", map[string]string{}, true},
		{"NO_COLOR", map[string]string{"NO_COLOR": "1"}, false},
		{"CI", map[string]string{"CI": "true"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runSuiteColored(t, tt.env, "-ginkgo.focus=lists the backups of the database")
			if r.code != 0 {
				t.Fatalf("exit code %d\n%s", r.code, suitebin.Tail(r.stdout))
			}
			if got := strings.Contains(r.stdout, "\x1b["); got != tt.wantColor {
				t.Errorf("colour escapes in the output: %v, want %v\n%q", got, tt.wantColor, suitebin.Tail(r.stdout))
			}
		})
	}
}

// A DBAPI_* variable the suite does not know is a settings error (exit 3) that names the
// closest known one; the CLI's own DBAPI_REQUEST_TIMEOUT is not the suite's, and not an error.
func TestRun_UnknownSetting(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want harness.Verdict
		say  []string
	}{
		{"misspelt DBAPI_ALLOW_WRITES", map[string]string{"DBAPI_ALLOW_WRITE": "1"}, harness.SettingsWrong,
			[]string{"DBAPI_ALLOW_WRITE:", "did you mean DBAPI_ALLOW_WRITES?"}},
		{"misspelt DBAPI_TIMEOUT", map[string]string{"DBAPI_TIMEOTU": "5s"}, harness.SettingsWrong,
			[]string{"did you mean DBAPI_TIMEOUT?"}},
		{"the CLI's setting", map[string]string{"DBAPI_REQUEST_TIMEOUT": "5s"}, harness.Passed, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runSuite(t, tt.env, "-ginkgo.focus=lists the backups of the database")
			if r.code != int(tt.want) {
				t.Fatalf("exit code %d, want %d\n%s", r.code, tt.want, suitebin.Tail(r.stdout))
			}
			summary := r.report(t, "summary.txt")
			for _, want := range tt.say {
				if !strings.Contains(r.stdout, want) || !strings.Contains(summary, want) {
					t.Errorf("stdout or summary.txt does not say %q:\n%s\n---\n%s", want, suitebin.Tail(r.stdout), summary)
				}
			}
		})
	}
}
