package compiled

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/contract/internal/suitebin"
	"github.com/scalingodb/dbapi-go/pkg/mockserver"
)

// bin is the compiled suite, built once for every test of the package.
var bin string

// harnessPkg is where the suite's version and commit are stamped at link time.
const harnessPkg = "github.com/scalingodb/dbapi-go/contract/internal/harness"

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "scalingodb-contract-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "scalingodb-contract")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	// Stamped as make contract-binary stamps it, so that --version and the reports can be checked.
	ldflags := "-X " + harnessPkg + ".suiteVersion=" + stampedVersion + " -X " + harnessPkg + ".suiteCommit=" + stampedCommit
	err = suitebin.Build(ctx, bin, ldflags)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// result is one run of the compiled suite.
type result struct {
	code    int
	stdout  string // stdout and stderr
	dir     string // the folder it ran from
	reports string // its reports folder
	took    time.Duration
}

// report returns the content of a report file, "" when it does not exist.
func (r result) report(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.reports, name))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return string(b)
}

// runSuite runs the compiled suite from a fresh folder with the suite's settings of the
// caller's environment removed and env added; without DBAPI_REPORTS_DIR in env the reports go to
// ./reports of that folder.
func runSuite(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	return run(t, env, append([]string{"-ginkgo.no-color"}, args...))
}

// runSuiteColored runs the suite as runSuite does, without -ginkgo.no-color and with neither
// NO_COLOR nor CI unless env sets them.
func runSuiteColored(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	return run(t, env, args, "NO_COLOR", "CI")
}

// run runs the compiled suite with args from a fresh folder, the suite's settings and the
// variables unset removed from the caller's environment and env added.
func run(t *testing.T, env map[string]string, args []string, unset ...string) result {
	t.Helper()
	r := result{dir: t.TempDir()}
	r.reports = filepath.Join(r.dir, "reports")
	if d, ok := env[harness.EnvReportsDir]; ok {
		r.reports = d
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var environ []string
	for _, kv := range suitebin.Environ() {
		if name, _, _ := strings.Cut(kv, "="); !slices.Contains(unset, name) {
			environ = append(environ, kv)
		}
	}
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	start := time.Now()
	code, out, err := suitebin.Run(ctx, bin, r.dir, environ, args...)
	r.took = time.Since(start)
	r.code, r.stdout = code, out
	if err != nil {
		t.Fatalf("run the suite: %v\n%s", err, r.stdout)
	}
	return r
}

// Tokens of the live targets the tests start.
const (
	liveToken    = "live-bearer-7f3a9c1e5b"
	foreignToken = "foreign-bearer-2d8e6f4a0c"
)

// liveTarget serves the mock with the demo data as a live target would, behind wrap (nil for
// none), and returns the settings of a read-only live run against it.
func liveTarget(t *testing.T, wrap func(http.Handler) http.Handler) map[string]string {
	t.Helper()
	return liveTargetWith(t, wrap)
}

// liveTargetWith is liveTarget with more options of the mock (mutations, for one).
func liveTargetWith(t *testing.T, wrap func(http.Handler) http.Handler, opts ...mockserver.Option) map[string]string {
	t.Helper()
	s, err := mockserver.New(append([]mockserver.Option{mockserver.WithSeed(mockserver.DemoSeed()), mockserver.WithToken(liveToken),
		mockserver.WithDatabaseToken(mockserver.DemoMySQLID, foreignToken)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return map[string]string{
		harness.EnvBaseURL: srv.URL + "/api", harness.EnvToken: liveToken, harness.EnvDatabaseID: "my-db-123",
		harness.EnvESDatabaseID: "my-es-123", harness.EnvForeignToken: foreignToken,
	}
}

// with returns a copy of env with the pairs kv set.
func with(env map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	maps.Copy(out, env)
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// silentListener accepts connections on 127.0.0.1 and never answers; it returns its address.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String()
}

// closedPort returns a 127.0.0.1 address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// countingProxy serves base's target through a reverse proxy on another 127.0.0.1 port and
// counts the connections it accepts.
type countingListener struct {
	net.Listener
	accepted atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepted.Add(1)
	}
	return c, err
}

// lines counts the lines of s.
func lines(s string) int {
	n := 0
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		n++
	}
	return n
}

// listen opens a listener on 127.0.0.1 that the test closes.
func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	return ln
}
