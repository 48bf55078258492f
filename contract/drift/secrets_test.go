package drift

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/contract/internal/suitebin"
)

// TestNoPasswordReachesTheReports runs the users' specs against a target that lists its users
// with their passwords: the specs that say a list holds no password fail, and the planted
// password reaches neither stdout nor any report (a nightly run's reports are CI artefacts).
func TestNoPasswordReachesTheReports(t *testing.T) {
	bin := buildSuite(t)
	const planted = "Planted-Pa55word-9f3e1c7b"
	h := rewriteAnswer(func(r *http.Request) bool {
		return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/users")
	}, func(body []byte) []byte {
		var doc map[string][]map[string]any
		if json.Unmarshal(body, &doc) != nil {
			return body
		}
		for _, u := range doc["database-users"] {
			u["password"] = planted
		}
		out, _ := json.Marshal(doc)
		return out
	})(fixtureMock(t).Handler())
	dir := t.TempDir()
	r := runTargetIn(t, bin, h, dir, "-ginkgo.label-filter=users")
	if r.exitCode != int(harness.ContractBroken) {
		t.Fatalf("exit %d, want %d (contract broken)\n%s", r.exitCode, harness.ContractBroken, suitebin.Tail(r.output))
	}
	for _, spec := range []string{"lists the users as the generated client does", "lists the user without its password"} {
		if !failedSpecNamed(r.output, spec) {
			t.Errorf("no failed spec names %q\n%s", spec, suitebin.Tail(r.output))
		}
	}
	for name, content := range runOutputs(t, r, dir) {
		if strings.Contains(content, planted) {
			t.Errorf("%s holds the planted password", name)
		}
	}
}
