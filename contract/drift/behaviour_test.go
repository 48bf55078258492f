package drift

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/contract/internal/suitebin"
	"github.com/scalingodb/dbapi-go/pkg/mockserver"
)

// Tokens of the fixture servers: the one that grants the database under test, and one that
// grants another database.
const (
	fixtureToken   = "fixture-bearer-5c1d7e9a3b"
	fixtureForeign = "fixture-foreign-8e2b4d6f0a"
)

// behaviourBug is a fixture server's bug: the mock behind a wrapper that answers valid bodies
// but does the wrong thing, and the family and spec that must catch it.
type behaviourBug struct {
	name   string
	family harness.Label
	spec   string // a part of the name of the spec that must fail
	wrap   func(next http.Handler) http.Handler
}

var behaviourBugs = []behaviourBug{
	{"accepts a wrong token", harness.Auth, "when the request carries a well-formed but wrong bearer token, answers 401 to",
		func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if a := r.Header.Get("Authorization"); a != "" && a != "Bearer "+fixtureForeign {
					r.Header.Set("Authorization", "Bearer "+fixtureToken)
				}
				next.ServeHTTP(w, r)
			})
		}},
	{"accepts a confirmation that differs from the password", harness.Negative, "breaks x-must-equal at /database_user/password_confirmation",
		rewriteBody(func(r *http.Request) bool { return strings.Contains(r.URL.Path, "/users") }, func(doc map[string]any) {
			if u, ok := doc["database_user"].(map[string]any); ok && u["password"] != nil && u["password_confirmation"] != nil {
				u["password_confirmation"] = u["password"]
			}
		})},
	{"repairs a body that is not JSON", harness.Negative, "updateDatabase that breaks a body that is not JSON",
		func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPatch && r.Body != nil {
					b, _ := io.ReadAll(r.Body)
					if !json.Valid(b) {
						b = []byte(`{"database":{"periodic_backups_enabled":true}}`)
					}
					r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
				}
				next.ServeHTTP(w, r)
			})
		}},
	{"ignores read_only on a new user", harness.Positive, "shows in the next read what was sent to createDatabaseUser",
		rewriteBody(func(r *http.Request) bool {
			return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/users")
		}, func(doc map[string]any) {
			if u, ok := doc["database_user"].(map[string]any); ok {
				delete(u, "read_only")
			}
		})},
	{"loses the deletion of a firewall rule", harness.Lifecycle, "createFirewallRule then deleteFirewallRule",
		func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodDelete && strings.Contains(r.URL.Path, "/firewall_rules/") {
					w.WriteHeader(http.StatusNoContent)
					return
				}
				next.ServeHTTP(w, r)
			})
		}},
	{"ignores the page asked", harness.Paging, "listMaintenances",
		func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/maintenance") {
					q := r.URL.Query()
					q.Del("page")
					r.URL.RawQuery = q.Encode()
				}
				next.ServeHTTP(w, r)
			})
		}},
	{"serves wrong bytes for a range", harness.Bytes, "serves as a range the same bytes as that slice of the whole archive",
		func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !strings.HasSuffix(r.URL.Path, "/download") || r.Header.Get("Range") == "" {
					next.ServeHTTP(w, r)
					return
				}
				next.ServeHTTP(&flipFirstByte{ResponseWriter: w}, r)
			})
		}},
}

// rewriteBody wraps a handler so that the JSON body of the requests match selects is rewritten by
// edit before the mock reads it.
func rewriteBody(match func(*http.Request) bool, edit func(map[string]any)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Body == nil || !match(r) {
				next.ServeHTTP(w, r)
				return
			}
			b, _ := io.ReadAll(r.Body)
			var doc map[string]any
			if json.Unmarshal(b, &doc) == nil {
				edit(doc)
				b, _ = json.Marshal(doc)
			}
			r.Body = io.NopCloser(bytes.NewReader(b))
			r.ContentLength = int64(len(b))
			next.ServeHTTP(w, r)
		})
	}
}

// flipFirstByte changes the first byte of a body, keeping its length.
type flipFirstByte struct {
	http.ResponseWriter
	done bool
}

func (f *flipFirstByte) Write(p []byte) (int, error) {
	if !f.done && len(p) > 0 {
		f.done = true
		q := append([]byte(nil), p...)
		q[0] ^= 0xff
		return f.ResponseWriter.Write(q)
	}
	return f.ResponseWriter.Write(p)
}

// TestFamiliesCatchBehaviourBugs is the proof that each behaviour family can fail: against the
// mock as a live target with writes allowed, every family passes; behind each fixture bug, the
// family's run fails (exit 1) and names the spec that caught it.
func TestFamiliesCatchBehaviourBugs(t *testing.T) {
	bin := buildSuite(t)
	type outcome struct {
		r   run
		bug *behaviourBug
	}
	var jobs []outcome
	for _, f := range harness.Families() {
		jobs = append(jobs, outcome{bug: &behaviourBug{name: "no bug", family: f}})
	}
	for i := range behaviourBugs {
		jobs = append(jobs, outcome{bug: &behaviourBugs[i]})
	}
	var wg sync.WaitGroup
	slots := make(chan struct{}, 2)
	for i := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			jobs[i].r = runFamily(t, bin, jobs[i].bug.family, jobs[i].bug.wrap)
		}()
	}
	wg.Wait()
	caughtBy := map[harness.Label]int{}
	for _, j := range jobs {
		t.Run(string(j.bug.family)+"/"+j.bug.name, func(t *testing.T) {
			if j.bug.wrap == nil {
				if j.r.exitCode != 0 {
					t.Errorf("family %s fails against the mock (exit %d):\n%s", j.bug.family, j.r.exitCode, suitebin.Tail(j.r.output))
				}
				return
			}
			if j.r.exitCode != int(harness.ContractBroken) {
				t.Errorf("bug %q: exit %d, want %d (contract broken)\n%s", j.bug.name, j.r.exitCode, harness.ContractBroken, suitebin.Tail(j.r.output))
				return
			}
			if !failedSpecNamed(j.r.output, j.bug.spec) {
				t.Errorf("bug %q: no failed spec names %q\n%s", j.bug.name, j.bug.spec, suitebin.Tail(j.r.output))
				return
			}
			caughtBy[j.bug.family]++
		})
	}
	for _, f := range harness.Families() {
		if caughtBy[f] == 0 {
			t.Errorf("family %s has no fixture bug that it caught", f)
		}
	}
}

// TestFailedSpecNamed shows that the judge of a run tells a failed spec from a passing one.
func TestFailedSpecNamed(t *testing.T) {
	out := "  [FAIL] Behaviour: paging walks pages ...: listMaintenances [paging, read-only]\n  [PASSED] other\n" +
		"  [FAIL] Behaviour: negative data refuses a body of x that breaks [It] required at /a [negative]\n"
	for _, tt := range []struct {
		spec string
		want bool
	}{{"listMaintenances", true}, {"other", false}, {"listDatabaseUsers", false}, {"x that breaks required at /a", true}} {
		if got := failedSpecNamed(out, tt.spec); got != tt.want {
			t.Errorf("failedSpecNamed(%q) = %v, want %v", tt.spec, got, tt.want)
		}
	}
}

// failedSpecNamed reports whether Ginkgo's summary lists a failed spec whose name holds spec.
func failedSpecNamed(output, spec string) bool {
	for _, line := range strings.Split(output, "\n") {
		line = strings.ReplaceAll(line, "[It] ", "")
		if strings.Contains(line, "[FAIL]") && strings.Contains(line, spec) {
			return true
		}
	}
	return false
}

// runFamily runs the compiled suite, the specs of one family only, against the demo mock behind
// wrap (nil for none), served as a live target that allows writes.
func runFamily(t *testing.T, bin string, family harness.Label, wrap func(http.Handler) http.Handler) run {
	t.Helper()
	h := fixtureMock(t).Handler()
	if wrap != nil {
		h = wrap(h)
	}
	return runTarget(t, bin, h, "-ginkgo.label-filter="+string(family))
}

// fixtureMock returns the demo mock with the fixture tokens.
func fixtureMock(t *testing.T) *mockserver.Server {
	t.Helper()
	s, err := mockserver.New(mockserver.WithSeed(mockserver.DemoSeed()), mockserver.WithToken(fixtureToken),
		mockserver.WithDatabaseToken(mockserver.DemoMySQLID, fixtureForeign),
		mockserver.WithBackupTimings(30*time.Millisecond, 60*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// runTarget runs the compiled suite with args against h, served as a live target that allows
// writes.
func runTarget(t *testing.T, bin string, h http.Handler, args ...string) run {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	environ := append(suitebin.Environ(),
		harness.EnvBaseURL+"="+srv.URL+"/api", harness.EnvToken+"="+fixtureToken, harness.EnvDatabaseID+"=my-db-123",
		harness.EnvForeignToken+"="+fixtureForeign, harness.EnvAllowWrites+"=1", harness.EnvReportsDir+"="+t.TempDir())
	code, out, err := suitebin.Run(ctx, bin, filepath.Dir(bin), environ, append([]string{"-ginkgo.no-color"}, args...)...)
	if err != nil {
		t.Errorf("run the suite %v: %v", args, err)
	}
	return run{exitCode: code, output: out}
}

// A create that a spec expects refused, wrongly accepted, leaves nothing behind: the server that
// takes an invalid user name (here: creates a valid one instead) fails the spec, and the user is
// deleted when the spec ends.
func TestRefusedCreatesCleanUp(t *testing.T) {
	bin := buildSuite(t)
	const created = "wrongly-accepted"
	s := fixtureMock(t)
	h := rewriteBody(func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/users")
	},
		func(doc map[string]any) {
			if u, ok := doc["database_user"].(map[string]any); ok && u["name"] == "Bad_Name!" {
				u["name"] = created
			}
		})(s.Handler())
	var mu sync.Mutex
	var sawCreate bool
	spy := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/users") {
			mu.Lock()
			sawCreate = true
			mu.Unlock()
		}
		h.ServeHTTP(w, r)
	})
	r := runTarget(t, bin, spy, "-ginkgo.focus=answers 422 to an invalid name")
	if r.exitCode != int(harness.ContractBroken) || !failedSpecNamed(r.output, "answers 422 to an invalid name") {
		t.Fatalf("exit %d, want the invalid-name spec failed\n%s", r.exitCode, suitebin.Tail(r.output))
	}
	mu.Lock()
	defer mu.Unlock()
	if !sawCreate {
		t.Fatal("the spec sent no create: the test proves nothing")
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/api/databases/my-db-123/users", nil)
	req.Header.Set("Authorization", "Bearer "+fixtureToken)
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("listing the users answered %d", rec.Code)
	}
	if strings.Contains(rec.Body.String(), `"`+created+`"`) {
		t.Errorf("the wrongly created user %s is still there: %s", created, rec.Body)
	}
}
