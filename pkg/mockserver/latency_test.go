package mockserver

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/internal/loadgen"
)

// benchGCPercent is the GOGC that cmd/scalingodb-mock runs with (its gcPercent), given to both
// servers the latency benchmark compares.
const benchGCPercent = 800

// serveEnv makes the test binary a server for BenchmarkListUsersLatency: "mock" or "bare".
const serveEnv = "MOCKSERVER_BENCH_SERVE"

// TestMain lets BenchmarkListUsersLatency run this test binary as its load generator
// (loadgen.Child) and as the server it measures (serveEnv), each in a process of its own.
func TestMain(m *testing.M) {
	if code, ok := loadgen.Child(); ok {
		os.Exit(code)
	}
	if kind := os.Getenv(serveEnv); kind != "" {
		os.Exit(benchServer(kind))
	}
	os.Exit(m.Run())
}

// benchServer serves the demo-seeded mock, with request and response validation, or the bare
// handler that answers its bytes, on a free loopback port. It prints the address and serves until
// its stdin is closed.
func benchServer(kind string) int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	v, err := sharedValidator()
	if err != nil {
		return fail(err)
	}
	s, err := New(WithSeed(DemoSeed()), WithValidator(v),
		WithResponseViolationHandler(func(err error) {
			fmt.Fprintln(os.Stderr, "response violation:", err) // a bug of the mock: the benchmark fails
			os.Exit(3)
		}))
	if err != nil {
		return fail(err)
	}
	h := s.Handler()
	if kind == "bare" {
		body, contentType, err := usersAnswer(h)
		if err != nil {
			return fail(err)
		}
		h = bareHandler(body, contentType)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(err)
	}
	srv := s.HTTPServer() // the time limits of cmd/scalingodb-mock, for both servers
	srv.Handler = h
	go func() { _ = srv.Serve(ln) }()
	fmt.Println(ln.Addr())
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = srv.Close()
	return 0
}

// pinning returns the command prefixes that put the server and the load generator on cores of
// their own (taskset -c 1 and taskset -c 0), or none when taskset or a second core is missing.
func pinning() (server, clients []string) {
	if _, err := exec.LookPath("taskset"); err != nil || runtime.NumCPU() < 2 {
		return nil, nil
	}
	return []string{"taskset", "-c", "1"}, []string{"taskset", "-c", "0"}
}

// command runs this test binary behind prefix (a taskset call, or nothing).
func command(prefix []string, env ...string) *exec.Cmd {
	argv := append(slices.Clone(prefix), os.Args[0], "-test.run=^$")
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

// startServer starts a benchServer process and returns its address, its process ID and a function
// that stops it.
func startServer(b *testing.B, prefix []string, kind string) (string, int, func()) {
	b.Helper()
	env := []string{serveEnv + "=" + kind}
	if os.Getenv("GOGC") == "" {
		env = append(env, "GOGC="+strconv.Itoa(benchGCPercent)) // as cmd/scalingodb-mock runs, for both servers
	}
	cmd := command(prefix, env...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	stop := func() {
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			b.Errorf("%s server: %v", kind, err)
		}
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		stop()
		b.Fatalf("%s server did not start: %v", kind, err)
	}
	return line[:len(line)-1], cmd.Process.Pid, stop
}

// BenchmarkListUsersLatency measures GET /databases/{id}/users under 50 concurrent clients, closed
// loop, as wrk -c50 would: the mock (request and response validation on) and a bare net/http
// handler answering the same bytes take turns, seven rounds each. The server and the clients
// (internal/loadgen) are processes of their own, each pinned to one of two cores when taskset is
// there; both servers collect garbage at benchGCPercent, as cmd/scalingodb-mock does. It reports the
// medians over the rounds of each side's p99 and p50 in milliseconds, and of the mock's throughput
// over the bare handler's, and logs every round. The goals: p99 ≤ 5 ms, ratio ≥ 0.6.
func BenchmarkListUsersLatency(b *testing.B) {
	const rounds = 7
	serverPin, clientPin := pinning()
	b.Logf("pinned to cores of their own: %v", serverPin != nil)
	spec := loadgen.Spec{
		Request:  "GET /api/databases/my-db-123/users HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer " + DefaultToken + "\r\n\r\n",
		Conns:    50,
		Warmup:   300 * time.Millisecond,
		Duration: 1500 * time.Millisecond,
	}
	measure := func(kind string) loadgen.Result {
		addr, _, stop := startServer(b, serverPin, kind)
		defer stop()
		s := spec
		s.Addr = addr
		res, err := loadgen.RunProcess(command(clientPin, "GOMAXPROCS=1"), s)
		if err != nil {
			b.Fatalf("%s: %v", kind, err)
		}
		return res
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	var mockP99, mockP50, bareP99, bareP50, ratio []float64
	for b.Loop() {
		for range rounds {
			m, r := measure("mock"), measure("bare")
			mockP99, mockP50 = append(mockP99, ms(m.P99)), append(mockP50, ms(m.P50))
			bareP99, bareP50 = append(bareP99, ms(r.P99)), append(bareP50, ms(r.P50))
			ratio = append(ratio, m.Throughput()/r.Throughput())
			b.Logf("mock %6.0f req/s, p50 %.2f p99 %.2f p99.9 %.2f max %.2f ms | bare %6.0f req/s, p50 %.2f p99 %.2f p99.9 %.2f max %.2f ms",
				m.Throughput(), ms(m.P50), ms(m.P99), ms(m.P999), ms(m.Max), r.Throughput(), ms(r.P50), ms(r.P99), ms(r.P999), ms(r.Max))
		}
	}
	b.ReportMetric(median(mockP99), "mock-p99-ms")
	b.ReportMetric(median(mockP50), "mock-p50-ms")
	b.ReportMetric(median(bareP99), "bare-p99-ms")
	b.ReportMetric(median(bareP50), "bare-p50-ms")
	b.ReportMetric(median(ratio), "mock/bare-req/s")
}

func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	return s[len(s)/2]
}
