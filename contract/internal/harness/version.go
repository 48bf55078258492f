package harness

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"strings"

	"github.com/scalingodb/dbapi-go/gen/dbapispec"
)

// The suite's version and commit, stamped at link time by make contract-binary:
//
//	go test -c -ldflags "-X github.com/scalingodb/dbapi-go/contract/internal/harness.suiteVersion=v1.2.3 \
//	  -X github.com/scalingodb/dbapi-go/contract/internal/harness.suiteCommit=$(git rev-parse HEAD)" ./contract
//
// A test binary carries no VCS information of its own (go test does not stamp it).
var (
	suiteVersion string
	suiteCommit  string
)

// Build says which suite ran against which spec: every report carries it, so that a nightly
// failure can be told from a suite upgrade.
type Build struct {
	Suite  string `json:"suite_version"` // the suite's version, "dev" when not stamped
	Commit string `json:"suite_commit"`  // the commit it was built from, "unknown" when not stamped
	Spec   string `json:"spec_version"`  // info.version of the embedded openapi.yaml
}

// CurrentBuild returns the build of the running suite.
func CurrentBuild() Build {
	b := Build{Suite: suiteVersion, Commit: suiteCommit, Spec: "unknown"}
	if b.Suite == "" {
		b.Suite = "dev"
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	if raw, err := dbapispec.GetSpecJSON(); err == nil {
		var doc struct {
			Info struct {
				Version string `json:"version"`
			} `json:"info"`
		}
		if json.Unmarshal(raw, &doc) == nil && doc.Info.Version != "" {
			b.Spec = doc.Info.Version
		}
	}
	return b
}

// String renders the build on one line: "suite v1.2.3 (commit 0123456…), spec 2.1.0".
func (b Build) String() string {
	return "suite " + b.Suite + " (commit " + b.Commit + "), spec " + b.Spec
}

// ShortCommit returns the commit shortened to 12 characters.
func (b Build) ShortCommit() string {
	if len(b.Commit) > 12 {
		return b.Commit[:12]
	}
	return b.Commit
}

// Properties returns the build as the JUnit report's properties: suite_version, suite_commit
// and spec_version.
func (b Build) Properties() [][2]string {
	return [][2]string{{"suite_version", b.Suite}, {"suite_commit", b.Commit}, {"spec_version", b.Spec}}
}

// AddJUnitProperties adds props to the properties of the first test suite of the JUnit report at
// path (Ginkgo's reporter has no hook for them), through a temporary file renamed over it.
func AddJUnitProperties(path string, props ...[2]string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(b)
	suite := strings.Index(s, "<testsuite ")
	at := strings.Index(s[max(suite, 0):], "<properties>")
	if suite < 0 || at < 0 {
		return fmt.Errorf("%s: no test suite properties to add to", path)
	}
	at += suite + len("<properties>")
	var add strings.Builder
	for _, p := range props {
		add.WriteString("\n            <property name=\"")
		_ = xml.EscapeText(&add, []byte(p[0]))
		add.WriteString("\" value=\"")
		_ = xml.EscapeText(&add, []byte(p[1]))
		add.WriteString("\"></property>")
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(s[:at]+add.String()+s[at:]), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
