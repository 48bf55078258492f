package drift

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
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
	// filter is the label filter of the run, when the spec that must fail is a resource's own
	// rather than a family's ("" runs the family).
	filter string
}

// labelFilter is the label filter of the run that must catch the bug.
func (b *behaviourBug) labelFilter() string {
	if b.filter != "" {
		return b.filter
	}
	return string(b.family)
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
		}, ""},
	{"accepts a confirmation that differs from the password", harness.Negative, "breaks x-must-equal at /database_user/password_confirmation",
		rewriteBody(func(r *http.Request) bool { return strings.Contains(r.URL.Path, "/users") }, func(doc map[string]any) {
			if u, ok := doc["database_user"].(map[string]any); ok && u["password"] != nil && u["password_confirmation"] != nil {
				u["password_confirmation"] = u["password"]
			}
		}), ""},
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
		}, ""},
	{"clamps per_page into its bounds", harness.Negative, "refuses a query parameter of listMaintenances that breaks per_page=101 (maximum)",
		func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				q := r.URL.Query()
				if n, err := strconv.Atoi(q.Get("per_page")); err == nil && strings.HasSuffix(r.URL.Path, "/maintenance") {
					q.Set("per_page", strconv.Itoa(min(max(n, 1), 100)))
					r.URL.RawQuery = q.Encode()
				}
				next.ServeHTTP(w, r)
			})
		}, ""},
	{"ignores read_only on a new user", harness.Positive, "shows in the next read what was sent to createDatabaseUser",
		rewriteBody(func(r *http.Request) bool {
			return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/users")
		}, func(doc map[string]any) {
			if u, ok := doc["database_user"].(map[string]any); ok {
				delete(u, "read_only")
			}
		}), ""},
	{"loses the deletion of a firewall rule", harness.Lifecycle, "createFirewallRule then deleteFirewallRule",
		func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodDelete && strings.Contains(r.URL.Path, "/firewall_rules/") {
					w.WriteHeader(http.StatusNoContent)
					return
				}
				next.ServeHTTP(w, r)
			})
		}, ""},
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
		}, ""},
	{"names no previous page", harness.Paging, "listMaintenances",
		rewriteAnswer(func(r *http.Request) bool {
			return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/maintenance")
		}, func(body []byte) []byte {
			var doc map[string]any
			if json.Unmarshal(body, &doc) != nil {
				return body
			}
			if meta, ok := doc["meta"].(map[string]any); ok {
				if p, ok := meta["pagination"].(map[string]any); ok {
					p["prev_page"] = nil
				}
			}
			out, _ := json.Marshal(doc)
			return out
		}), ""},
	{"serves wrong bytes for a range", harness.Bytes, "serves as a range the same bytes as that slice of the whole archive",
		func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !strings.HasSuffix(r.URL.Path, "/download") || r.Header.Get("Range") == "" {
					next.ServeHTTP(w, r)
					return
				}
				next.ServeHTTP(&flipFirstByte{ResponseWriter: w}, r)
			})
		}, ""},
	{"reads a suffix range from the start", harness.Bytes, "serves as a range the same bytes as that slice of the whole archive",
		func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if n, err := strconv.Atoi(strings.TrimPrefix(r.Header.Get("Range"), "bytes=-")); err == nil && n > 0 {
					r.Header.Set("Range", "bytes=0-"+strconv.Itoa(n-1))
				}
				next.ServeHTTP(w, r)
			})
		}, ""},
	{"creates the user for the token of another database, then refuses it", harness.Auth,
		"when the request carries the bearer token of another database, answers 403 to createDatabaseUser",
		func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/users") && r.Header.Get("Authorization") == "Bearer "+fixtureForeign {
					b, _ := io.ReadAll(r.Body)
					// It does the work first, as the owner of the database…
					owner := r.Clone(r.Context())
					owner.Header.Set("Authorization", "Bearer "+fixtureToken)
					owner.Body, owner.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
					next.ServeHTTP(httptest.NewRecorder(), owner)
					// …then checks the token.
					r.Body = io.NopCloser(bytes.NewReader(b))
				}
				next.ServeHTTP(w, r)
			})
		}, ""},
	{"deletes the firewall rule for the token of another database, then refuses it", harness.Auth,
		"when the request carries the bearer token of another database, answers 403 to deleteFirewallRule",
		func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodDelete && strings.Contains(r.URL.Path, "/firewall_rules/") && r.Header.Get("Authorization") == "Bearer "+fixtureForeign {
					owner := r.Clone(r.Context())
					owner.Header.Set("Authorization", "Bearer "+fixtureToken)
					next.ServeHTTP(httptest.NewRecorder(), owner) // the work first, then the token
				}
				next.ServeHTTP(w, r)
			})
		}, ""},
	{"generates a password when the new user's was chosen", harness.Positive, "creates a user with the password the caller chose, and answers that password",
		rewriteBody(func(r *http.Request) bool {
			return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/users")
		}, func(doc map[string]any) {
			if u, ok := doc["database_user"].(map[string]any); ok {
				delete(u, "password")
				delete(u, "password_confirmation")
			}
		}), ""},
	// The nightly filter of docs/contract-suite.md: the plan spec, which also notices, is unverified.
	{name: "answers another database than the path names", spec: "returns it with its identity, type and version", filter: "databases && read-only && !unverified",
		wrap: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet && r.URL.Path == "/api/databases/my-db-123" {
					r.URL.Path = "/api/databases/my-es-123"
				}
				next.ServeHTTP(w, r)
			})
		}},
	{name: "lists the backups of another database too", spec: "lists the backups of the database, and only those", filter: "backups && read-only",
		wrap: func(next http.Handler) http.Handler {
			return rewriteAnswer(func(r *http.Request) bool {
				return r.Method == http.MethodGet && r.URL.Path == "/api/databases/my-db-123/backups"
			}, func(body []byte) []byte {
				other := httptest.NewRequest(http.MethodGet, "/api/databases/my-es-123/backups", nil)
				other.Header.Set("Authorization", "Bearer "+fixtureToken)
				rec := httptest.NewRecorder()
				next.ServeHTTP(rec, other)
				var mine map[string][]json.RawMessage
				var theirs map[string][]map[string]any
				if json.Unmarshal(body, &mine) != nil || json.Unmarshal(rec.Body.Bytes(), &theirs) != nil {
					return body
				}
				for _, b := range theirs["database_backups"] {
					// In error, so that no spec downloads it: only the owner check can notice.
					b["status"], b["size"] = "error", 0
					item, _ := json.Marshal(b)
					mine["database_backups"] = append([]json.RawMessage{item}, mine["database_backups"]...)
				}
				out, _ := json.Marshal(mine)
				return out
			})(next)
		}},
	{"names the first bytes in every Content-Range", harness.Bytes, "serves as a range the same bytes as that slice of the whole archive",
		func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				next.ServeHTTP(&rangeFromZero{ResponseWriter: w}, r)
			})
		}, ""},
	{name: "lists the backups oldest first", spec: "lists the backups newest first", filter: "backups && read-only",
		wrap: rewriteAnswer(func(r *http.Request) bool {
			return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/backups")
		}, func(body []byte) []byte {
			var doc map[string]json.RawMessage
			var items []json.RawMessage
			if json.Unmarshal(body, &doc) != nil || json.Unmarshal(doc["database_backups"], &items) != nil {
				return body
			}
			slices.Reverse(items)
			doc["database_backups"], _ = json.Marshal(items)
			out, _ := json.Marshal(doc)
			return out
		})},
	{name: "takes the download token of another backup", family: harness.Auth, spec: "answers 403 to the download token of another backup",
		wrap: acceptAnyIssuedToken},
	{"ignores If-Range", harness.Bytes, "serves the whole archive, not the range, when If-Range names another version",
		func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				r.Header.Del("If-Range")
				next.ServeHTTP(w, r)
			})
		}, ""},
	{"disables a feature in name only", harness.Lifecycle, "disables it with a message, and the database no longer lists it",
		func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodDelete || !strings.HasSuffix(r.URL.Path, "/features") {
					next.ServeHTTP(w, r)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"message":"`+r.URL.Query().Get("feature")+` feature has been disabled"}`)
			})
		}, ""},
	{"resets the settings a PATCH or a PUT does not name", harness.Positive, "keeps the settings an update does not name",
		rewriteBody(func(r *http.Request) bool {
			return (r.Method == http.MethodPatch || r.Method == http.MethodPut) && strings.Count(strings.TrimPrefix(r.URL.Path, "/api/databases/"), "/") == 0
		}, func(doc map[string]any) {
			db, ok := doc["database"].(map[string]any)
			if !ok {
				return
			}
			window, _ := db["maintenance_window"].(map[string]any)
			if window == nil {
				window = map[string]any{}
				db["maintenance_window"] = window
			}
			for _, k := range []string{"weekday_utc", "starting_hour_utc"} {
				if window[k] == nil {
					window[k] = 0
				}
			}
		}), ""},
}

// rewriteAnswer wraps a handler so that the answers to the requests match selects carry the body
// edit makes of theirs, their status and other headers kept.
func rewriteAnswer(match func(*http.Request) bool, edit func(body []byte) []byte) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !match(r) {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			copyAnswer(w, rec, edit(rec.Body.Bytes()))
		})
	}
}

// copyAnswer writes a recorded answer with body.
func copyAnswer(w http.ResponseWriter, rec *httptest.ResponseRecorder, body []byte) {
	maps.Copy(w.Header(), rec.Header())
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

// acceptAnyIssuedToken is a download that checks only that its token is one the server handed
// out, not that it was handed out for the backup of the path: a link to one backup downloads any.
func acceptAnyIssuedToken(next http.Handler) http.Handler {
	var mu sync.Mutex
	issued := map[string]bool{}
	linkToken := func(body []byte) string {
		var link struct {
			DownloadURL string `json:"download_url"`
		}
		if json.Unmarshal(body, &link) != nil {
			return ""
		}
		u, err := url.Parse(link.DownloadURL)
		if err != nil {
			return ""
		}
		return u.Query().Get("token")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/archive"):
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			if tok := linkToken(rec.Body.Bytes()); tok != "" {
				mu.Lock()
				issued[tok] = true
				mu.Unlock()
			}
			copyAnswer(w, rec, rec.Body.Bytes())
			return
		case strings.HasSuffix(r.URL.Path, "/download"):
			mu.Lock()
			known := issued[r.URL.Query().Get("token")]
			mu.Unlock()
			if known {
				// Any token it issued will do: it asks itself for one of this backup.
				link := httptest.NewRequest(http.MethodGet, strings.TrimSuffix(r.URL.Path, "/download")+"/archive", nil)
				link.Header.Set("Authorization", "Bearer "+fixtureToken)
				rec := httptest.NewRecorder()
				next.ServeHTTP(rec, link)
				if tok := linkToken(rec.Body.Bytes()); tok != "" {
					q := r.URL.Query()
					q.Set("token", tok)
					r.URL.RawQuery = q.Encode()
				}
			}
		}
		next.ServeHTTP(w, r)
	})
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

// rangeFromZero rewrites the Content-Range of a 206 answer as if its bytes started the archive.
type rangeFromZero struct{ http.ResponseWriter }

func (z *rangeFromZero) WriteHeader(status int) {
	h := z.Header()
	var from, to, size int64
	if _, err := fmt.Sscanf(h.Get("Content-Range"), "bytes %d-%d/%d", &from, &to, &size); status == http.StatusPartialContent && err == nil {
		h.Set("Content-Range", fmt.Sprintf("bytes 0-%d/%d", to-from, size))
	}
	z.ResponseWriter.WriteHeader(status)
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
	// The runs of a resource's specs, as the bugs below filter them, pass without a bug too.
	filters := map[string]bool{}
	for _, b := range behaviourBugs {
		if b.filter != "" && !filters[b.filter] {
			filters[b.filter] = true
			jobs = append(jobs, outcome{bug: &behaviourBug{name: "no bug", filter: b.filter}})
		}
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
			jobs[i].r = runFiltered(t, bin, jobs[i].bug.labelFilter(), jobs[i].bug.wrap)
		}()
	}
	wg.Wait()
	caughtBy := map[harness.Label]int{}
	for _, j := range jobs {
		t.Run(j.bug.labelFilter()+"/"+j.bug.name, func(t *testing.T) {
			if j.bug.wrap == nil {
				if j.r.exitCode != 0 {
					t.Errorf("the specs labelled %s fail against the mock (exit %d):\n%s", j.bug.labelFilter(), j.r.exitCode, suitebin.Tail(j.r.output))
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
			if j.bug.family != "" {
				caughtBy[j.bug.family]++
			}
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

// runFiltered runs the compiled suite, the specs the label filter selects only (one family, or a
// resource's), against the demo mock behind wrap (nil for none), served as a live target that
// allows writes.
func runFiltered(t *testing.T, bin, filter string, wrap func(http.Handler) http.Handler) run {
	t.Helper()
	h := fixtureMock(t).Handler()
	if wrap != nil {
		h = wrap(h)
	}
	return runTarget(t, bin, h, "-ginkgo.label-filter="+filter)
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
	return runTargetIn(t, bin, h, t.TempDir(), args...)
}

// runTargetIn is runTarget with the reports written to dir.
func runTargetIn(t *testing.T, bin string, h http.Handler, dir string, args ...string) run {
	t.Helper()
	r, _ := runTargetMeasured(t, bin, h, dir, args...)
	return r
}

// runTargetMeasured is runTargetIn that also returns the peak resident memory of the suite's
// process, in bytes (0 where the system does not say).
func runTargetMeasured(t *testing.T, bin string, h http.Handler, dir string, args ...string) (run, int64) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	environ := append(suitebin.Environ(),
		harness.EnvBaseURL+"="+srv.URL+"/api", harness.EnvToken+"="+fixtureToken, harness.EnvDatabaseID+"=my-db-123",
		harness.EnvForeignToken+"="+fixtureForeign, harness.EnvAllowWrites+"=1", harness.EnvReportsDir+"="+dir)
	code, out, rss, err := suitebin.RunMeasured(ctx, bin, filepath.Dir(bin), environ, append([]string{"-ginkgo.no-color"}, args...)...)
	if err != nil {
		t.Errorf("run the suite %v: %v", args, err)
	}
	return run{exitCode: code, output: out}, rss
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
