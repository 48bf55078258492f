package compiled

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/contract/internal/suitebin"
)

// A failing live run whose downloads break with a transport error (the connection closes
// before any answer) exits as unreachable and writes no bearer token and no pre-signed token to
// stdout, the JUnit report, the coverage report, the HTML report or the summary. Before the
// fix, the JUnit report held the pre-signed URL, token included, in every failing download's
// dump of the *url.Error.
func TestRun_SecretsStayOut(t *testing.T) {
	var mu sync.Mutex
	var presigned []string
	env := liveTarget(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, "/download") {
				next.ServeHTTP(w, r)
				return
			}
			mu.Lock()
			presigned = append(presigned, r.URL.Query().Get("token"))
			mu.Unlock()
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close()
			}
		})
	})
	r := runSuite(t, env)
	if r.code != int(harness.Unreachable) {
		t.Fatalf("exit code %d, want %d (unreachable)\n%s", r.code, harness.Unreachable, suitebin.Tail(r.stdout))
	}
	mu.Lock()
	secrets := append([]string{liveToken, foreignToken}, presigned...)
	mu.Unlock()
	if len(secrets) == 2 {
		t.Fatal("no download was attempted: the test proves nothing")
	}
	outputs := map[string]string{"stdout": r.stdout}
	for _, name := range []string{"contract-junit.xml", "contract-coverage.json", "contract-report.html", "summary.txt"} {
		outputs[name] = r.report(t, name)
		if outputs[name] == "" {
			t.Errorf("%s is missing or empty", name)
		}
	}
	for name, out := range outputs {
		if leaked := leaks(out, secrets); len(leaked) > 0 {
			t.Errorf("%s holds secrets %q", name, leaked)
		}
	}
	for _, out := range []string{"stdout", "contract-junit.xml", "summary.txt"} {
		for _, want := range []string{"downloadBackup GET ", "/download: the connection closed before the whole answer came"} {
			if !strings.Contains(outputs[out], want) {
				t.Errorf("%s does not say %q:\n%s", out, want, suitebin.Tail(outputs[out]))
			}
		}
	}
	for _, dump := range []string{"*url.Error", "&url.Error", "Op:", "Err: <"} {
		if strings.Contains(r.stdout, dump) || strings.Contains(outputs["contract-junit.xml"], dump) {
			t.Errorf("a transport error is dumped as a struct (%q)", dump)
		}
	}
	if !strings.HasPrefix(outputs["summary.txt"], "verdict: target unreachable or timed out (exit code 4)") {
		t.Errorf("summary.txt starts %q", firstLine(outputs["summary.txt"]))
	}
}

// leaks returns the secrets that s holds.
func leaks(s string, secrets []string) []string {
	var out []string
	for _, sec := range secrets {
		if sec != "" && (strings.Contains(s, sec) || strings.Contains(s, url.QueryEscape(sec))) {
			out = append(out, sec)
		}
	}
	return out
}

func TestLeaks(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"GET http://h/api/x?token=" + url.QueryEscape("a/b+c") + " failed", 1},
		{"Authorization: Bearer " + liveToken, 1},
		{"GET http://h/api/x?token=[redacted]", 0},
	}
	for _, tt := range tests {
		if got := leaks(tt.s, []string{"a/b+c", liveToken}); len(got) != tt.want {
			t.Errorf("leaks(%q) = %q, want %d", tt.s, got, tt.want)
		}
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// The suite follows a download_url only to the base URL's host or to a host that
// DBAPI_DOWNLOAD_HOSTS allows: any other host fails the spec, naming the host and the setting,
// without a single connection to it.
func TestRun_DownloadHosts(t *testing.T) {
	// The other host listens before the target serves: the target's handler reads its address.
	other := &countingListener{Listener: listen(t)}
	otherAddr := other.Addr().String()
	env := liveTarget(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, "/archive") {
				next.ServeHTTP(w, r)
				return
			}
			// Point the archive link at the other host.
			rec := httptestRecorder{header: http.Header{}}
			next.ServeHTTP(&rec, r)
			body := rec.body.String()
			if u := strings.Index(body, "http://127.0.0.1:"); u >= 0 {
				end := strings.Index(body[u+len("http://"):], "/")
				body = body[:u] + "http://" + otherAddr + body[u+len("http://")+end:]
			}
			for k, v := range rec.header {
				w.Header()[k] = v
			}
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.status)
			_, _ = io.WriteString(w, body)
		})
	})
	target, err := url.Parse(env[harness.EnvBaseURL])
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: target.Host})
	srv := &http.Server{Handler: proxy}
	go func() { _ = srv.Serve(other) }()
	t.Cleanup(func() { _ = srv.Close() })

	focus := "-ginkgo.focus=serves its archive with the backup's size"
	refused := runSuite(t, env, focus)
	if refused.code != int(harness.SettingsWrong) {
		t.Errorf("other host not allowed: exit code %d, want %d\n%s", refused.code, harness.SettingsWrong, suitebin.Tail(refused.stdout))
	}
	for _, want := range []string{"host " + otherAddr, "getBackupArchive", harness.EnvDownloadHosts} {
		if !strings.Contains(refused.stdout, want) {
			t.Errorf("other host not allowed: stdout does not say %q\n%s", want, suitebin.Tail(refused.stdout))
		}
	}
	if n := other.accepted.Load(); n != 0 {
		t.Errorf("other host not allowed: it accepted %d connections, want 0", n)
	}

	allowed := runSuite(t, with(env, harness.EnvDownloadHosts, otherAddr), focus)
	if allowed.code != 0 {
		t.Errorf("other host allowed: exit code %d, want 0\n%s", allowed.code, suitebin.Tail(allowed.stdout))
	}
	if other.accepted.Load() == 0 {
		t.Error("other host allowed: the download never reached it")
	}
}

// httptestRecorder keeps a whole answer so that it can be rewritten.
type httptestRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *httptestRecorder) Header() http.Header { return r.header }
func (r *httptestRecorder) WriteHeader(s int) {
	if r.status == 0 {
		r.status = s
	}
}
func (r *httptestRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// The exit code tells what broke, and a passing run's stdout reads once and briefly.
func TestRun_ExitCodes(t *testing.T) {
	live := liveTarget(t, nil)
	tests := []struct {
		name    string
		env     map[string]string
		want    harness.Verdict
		stdout  []string // what stdout must say
		maxTook time.Duration
	}{
		{name: "passing read-only live run", env: live, want: harness.Passed,
			stdout: []string{"Contract coverage against the live target: operations "}},
		{name: "wrong token", env: with(live, harness.EnvToken, "not-the-token"), want: harness.SettingsWrong,
			stdout: []string{"DB_BEARER_TOKEN: GET ", "answered 401"}},
		{name: "timeout not understood", env: with(live, harness.EnvTimeout, "soon"), want: harness.SettingsWrong,
			stdout: []string{"DBAPI_TIMEOUT: \"soon\""}},
		{name: "nothing listens", env: with(live, harness.EnvBaseURL, "http://"+closedPort(t)+"/api"), want: harness.Unreachable,
			stdout: []string{"getDatabase GET http://127.0.0.1:", "connection refused"}},
		{name: "never answers", env: with(live, harness.EnvBaseURL, "http://"+silentListener(t)+"/api", harness.EnvTimeout, "300ms"),
			want: harness.Unreachable, stdout: []string{"getDatabase GET http://127.0.0.1:", "no answer after 300ms"}, maxTook: 15 * time.Second},
		{name: "mock drifts", env: map[string]string{harness.EnvMockMutations: "wrong-type"}, want: harness.ContractBroken,
			stdout: []string{"listDatabaseUsers GET /api/databases/my-db-123/users -> 200: response schema violation at"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runSuite(t, tt.env)
			if r.code != int(tt.want) {
				t.Fatalf("exit code %d, want %d (%s)\n%s", r.code, tt.want, tt.want, suitebin.Tail(r.stdout))
			}
			for _, want := range tt.stdout {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("stdout does not say %q:\n%s", want, suitebin.Tail(r.stdout))
				}
			}
			if tt.maxTook > 0 && r.took > tt.maxTook {
				t.Errorf("took %s, want under %s", r.took, tt.maxTook)
			}
			summary := r.report(t, "summary.txt")
			if tt.want == harness.Passed {
				if n := lines(r.stdout); n > 40 {
					t.Errorf("a passing run prints %d lines, want at most 40:\n%s", n, r.stdout)
				}
				if n := strings.Count(r.stdout, "Contract coverage"); n != 1 {
					t.Errorf("coverage printed %d times, want once", n)
				}
				if summary != "" {
					t.Errorf("a passing run wrote summary.txt: %s", summary)
				}
			} else if want := "verdict: " + tt.want.String(); !strings.HasPrefix(summary, want) {
				t.Errorf("summary.txt starts %q, want %q", firstLine(summary), want)
			}
			for _, name := range []string{"contract-junit.xml", "contract-coverage.json", "contract-report.html"} {
				if _, err := os.Stat(filepath.Join(r.dir, "reports", name)); err != nil {
					t.Errorf("%s not in ./reports of the folder the suite ran from: %v", name, err)
				}
			}
		})
	}
}

// A negative spec holds a refusal to the one rule the spec's descriptions state
// (harness.RefusalStatus): a mistyped parameter is malformed, 400, as for since and a missing
// type; 422 is for a well-formed request that breaks a rule.
func TestRun_RefusalStatuses(t *testing.T) {
	focus := "-ginkgo.focus=page that is not a number"
	tests := []struct {
		name   string
		status int
		body   string
		want   harness.Verdict
	}{
		{"422 is for a rule broken, not a malformed page", http.StatusUnprocessableEntity, `{"errors":{"page":["is not a number"]}}`, harness.ContractBroken},
		{"400 with an error", http.StatusBadRequest, `{"error":"page is not a number"}`, harness.Passed},
		{"404 is no refusal of a malformed page", http.StatusNotFound, `{"error":"not found"}`, harness.ContractBroken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := liveTarget(t, func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Query().Get("page") != "abc" {
						next.ServeHTTP(w, r)
						return
					}
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(tt.status)
					_, _ = io.WriteString(w, tt.body)
				})
			})
			r := runSuite(t, env, focus)
			if r.code != int(tt.want) {
				t.Errorf("exit code %d, want %d\n%s", r.code, tt.want, suitebin.Tail(r.stdout))
			}
			if !strings.Contains(r.stdout, "Ran 2 of ") {
				t.Errorf("the two page specs did not run:\n%s", suitebin.Tail(r.stdout))
			}
		})
	}
}

// DBAPI_BASE_PATH lets the suite test a server that serves the API under another path than
// /api (Prism serves it at its root); without it, a base URL not ending in /api is a settings
// error that names DBAPI_BASE_PATH.
func TestRun_BasePath(t *testing.T) {
	var rootServed atomic.Int64
	env := liveTarget(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// The API at the root: /databases/x is the mock's /api/databases/x, and /api/... is
			// unknown here.
			rootServed.Add(1)
			r2 := r.Clone(r.Context())
			r2.URL.Path = "/api" + r.URL.Path
			r2.URL.RawPath = ""
			if !strings.HasSuffix(r.URL.Path, "/archive") {
				next.ServeHTTP(w, r2)
				return
			}
			// Its download links are at the root too.
			rec := httptestRecorder{header: http.Header{}}
			next.ServeHTTP(&rec, r2)
			for k, v := range rec.header {
				w.Header()[k] = v
			}
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.status)
			_, _ = io.WriteString(w, strings.Replace(rec.body.String(), "/api/databases/", "/databases/", 1))
		})
	})
	root := strings.TrimSuffix(env[harness.EnvBaseURL], "/api")

	r := runSuite(t, with(env, harness.EnvBaseURL, root, harness.EnvBasePath, "/"))
	if r.code != 0 {
		t.Errorf("with DBAPI_BASE_PATH=/: exit code %d, want 0\n%s", r.code, suitebin.Tail(r.stdout))
	}
	if !strings.Contains(r.stdout, "Ran 72 of ") && !strings.Contains(r.stdout, "SUCCESS!") {
		t.Errorf("with DBAPI_BASE_PATH=/: no specs ran\n%s", suitebin.Tail(r.stdout))
	}
	if rootServed.Load() == 0 {
		t.Error("the server at the root got no request")
	}

	r = runSuite(t, with(env, harness.EnvBaseURL, root))
	if r.code != int(harness.SettingsWrong) || !strings.Contains(r.stdout, harness.EnvBasePath) {
		t.Errorf("without DBAPI_BASE_PATH: exit code %d, want %d and a message naming %s\n%s", r.code, harness.SettingsWrong, harness.EnvBasePath, suitebin.Tail(r.stdout))
	}
}

// A run that finds a broken contract in one spec and a settings problem in another (an archive
// link on a host to allow) exits 1, and its summary reports both.
func TestRun_BrokenContractAndSettings(t *testing.T) {
	env := liveTarget(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case strings.HasSuffix(r.URL.Path, "/archive"):
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"download_url":"https://downloads.example.com/archive.tar.gz?token=abc123def456"}`)
			case strings.HasSuffix(r.URL.Path, "/users") && r.Method == http.MethodGet:
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"database_users":[{"name":1}]}`)
			default:
				next.ServeHTTP(w, r)
			}
		})
	})
	r := runSuite(t, env, "-ginkgo.focus=serves its archive with the backup's size|lists the users of the database")
	if r.code != int(harness.ContractBroken) {
		t.Fatalf("exit code %d, want %d\n%s", r.code, harness.ContractBroken, suitebin.Tail(r.stdout))
	}
	summary := r.report(t, "summary.txt")
	for _, want := range []string{"verdict: contract broken (exit code 1)\n", "also: settings wrong (exit code 3) in 1 spec", "host downloads.example.com", "getBackupArchive", "listDatabaseUsers"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary.txt does not say %q:\n%s", want, summary)
		}
	}
}
