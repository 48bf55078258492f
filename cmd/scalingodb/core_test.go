package main

import (
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// coreArgs takes the options of the `mock` command that act around the
// mock rather than inside it, and returns the others:
//
//	get-errors=1  every GET is answered 503 (the polls of a wait fail,
//	              while the create before them succeeds)
func (h *mockHandle) coreArgs(args []string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.failGets = false
	var rest []string
	for _, arg := range args {
		if arg == "get-errors=1" {
			h.failGets = true
			continue
		}
		rest = append(rest, arg)
	}
	return rest
}

// wrap records the User-Agent of every request (see recordAgent) and
// fails the GET requests when failGets is set.
func (h *mockHandle) wrap(next http.Handler) http.Handler {
	next = h.recordAgent(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		fail := h.failGets
		h.mu.Unlock()
		if fail && r.Method == http.MethodGet {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Request-Id", "injected-503")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"error":"injected failure"}`))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// recordAgent keeps the User-Agent of every request next serves, for the
// `useragents` command.
func (h *mockHandle) recordAgent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.agents = append(h.agents, r.URL.Path+" "+r.Header.Get("User-Agent"))
		h.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// cmdUserAgents checks the User-Agent of every request served since the
// last check (by the mock and by the fake Scalingo APIs) against a
// regular expression, and that there was at least one whose path
// matches the optional second one.
//
//	useragents AGENT-REGEXP [PATH-REGEXP]
func cmdUserAgents(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: useragents AGENT-REGEXP [PATH-REGEXP]")
	}
	h := ts.Value("mock").(*mockHandle)
	h.mu.Lock()
	seen := h.agents
	h.agents = nil
	h.mu.Unlock()
	agent := regexp.MustCompile(args[0])
	path := regexp.MustCompile(".")
	if len(args) == 2 {
		path = regexp.MustCompile(args[1])
	}
	matched := 0
	for _, s := range seen {
		p, ua, _ := strings.Cut(s, " ")
		if !agent.MatchString(ua) {
			ts.Fatalf("request to %s sent User-Agent %q", p, ua)
		}
		if path.MatchString(p) {
			matched++
		}
	}
	if matched == 0 {
		ts.Fatalf("no request to a path matching %q among %q", args[1], seen)
	}
	ts.Logf("%d requests, all with a User-Agent matching %q", len(seen), args[0])
}

// cmdSignal runs a command in the background, sends it a signal once its
// stderr matches READY (within 20 s), and checks its exit code and that
// its stderr then matches WANT.
//
//	signal INT|TERM CODE READY WANT COMMAND [ARGS...]
func cmdSignal(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 5 {
		ts.Fatalf("usage: signal INT|TERM CODE READY WANT COMMAND [ARGS...]")
	}
	sig := map[string]syscall.Signal{"INT": syscall.SIGINT, "TERM": syscall.SIGTERM}[args[0]]
	if sig == 0 {
		ts.Fatalf("unknown signal %q", args[0])
	}
	code, err := strconv.Atoi(args[1])
	ts.Check(err)
	ready, want := regexp.MustCompile(args[2]), regexp.MustCompile(args[3])
	path, err := exec.LookPath(args[4])
	ts.Check(err)
	cmd := exec.Command(path, args[5:]...)
	cmd.Dir = ts.MkAbs(".")
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "DBAPI_BASE_URL", "DB_BEARER_TOKEN", "SCALINGO_DATABASE"} {
		cmd.Env = append(cmd.Env, k+"="+ts.Getenv(k))
	}
	var stdout, stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	ts.Check(cmd.Start())
	deadline := time.Now().Add(20 * time.Second)
	for !ready.MatchString(stderr.String()) {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			ts.Fatalf("stderr never matched %q: %q", args[2], stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	ts.Check(cmd.Process.Signal(sig))
	err = cmd.Wait()
	ts.Logf("[stdout]\n%s[stderr]\n%s", stdout.String(), stderr.String())
	if got := scriptExitCode(ts, err); got != code {
		ts.Fatalf("%s after SIG%s: exit code %d, want %d", filepath.Base(path), args[0], got, code)
	}
	if !want.MatchString(stderr.String()) {
		ts.Fatalf("stderr does not match %q", args[3])
	}
}
