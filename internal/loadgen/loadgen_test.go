package loadgen

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	if code, ok := Child(); ok {
		os.Exit(code)
	}
	os.Exit(m.Run())
}

const get = "GET / HTTP/1.1\r\nHost: test\r\n\r\n"

func serve(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// TestRun_CountsAndOrders checks that every request counted was served, that the server saw no
// connection but the ones asked for, and that the percentiles are ordered. Its window is a second:
// with 200 ms, a machine busy with other tests once completed no request in it.
func TestRun_CountsAndOrders(t *testing.T) {
	var served atomic.Int64
	var connCount atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		served.Add(1)
		w.Header().Set("Content-Length", "5")
		_, _ = w.Write([]byte("hello"))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			connCount.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	res, err := Run(t.Context(), Spec{Addr: srv.Listener.Addr().String(), Request: get, Conns: 4, Warmup: 20 * time.Millisecond, Duration: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || int64(res.Requests) > served.Load() {
		t.Errorf("counted %d requests, the server served %d", res.Requests, served.Load())
	}
	if got := connCount.Load(); got != 4 {
		t.Errorf("%d connections, want 4 (one per client, kept alive)", got)
	}
	if !(0 < res.P50 && res.P50 <= res.P90 && res.P90 <= res.P99 && res.P99 <= res.P999 && res.P999 <= res.Max) {
		t.Errorf("percentiles out of order: %+v", res)
	}
	if res.Window != time.Second || res.Throughput() != float64(res.Requests) {
		t.Errorf("window %v, throughput %v for %d requests", res.Window, res.Throughput(), res.Requests)
	}
}

// TestRun_MeasuresTheServer checks that a server that takes 3 ms per answer is seen taking that long.
func TestRun_MeasuresTheServer(t *testing.T) {
	addr := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(3 * time.Millisecond)
		_, _ = w.Write([]byte("{}"))
	})
	res, err := Run(t.Context(), Spec{Addr: addr, Request: get, Conns: 2, Duration: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.P50 < 3*time.Millisecond {
		t.Errorf("p50 %v, want at least the server's 3 ms", res.P50)
	}
	// Two clients, each waiting at least 3 ms per answer: at most ~67 requests in 100 ms.
	if res.Requests > 2*100/3+2 {
		t.Errorf("%d requests in 100 ms from 2 clients of a 3 ms server", res.Requests)
	}
}

// TestRun_SeesTheTail checks that a server whose every 40th answer takes 20 ms more has a p99
// of at least 20 ms: the slow answers are 2.5% of all, so the tail must not be averaged away.
func TestRun_SeesTheTail(t *testing.T) {
	var n atomic.Int64
	addr := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1)%40 == 0 {
			time.Sleep(20 * time.Millisecond)
		}
		_, _ = w.Write([]byte("{}"))
	})
	res, err := Run(t.Context(), Spec{Addr: addr, Request: get, Conns: 4, Duration: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.P99 < 20*time.Millisecond || res.Max < 20*time.Millisecond {
		t.Errorf("p99 %v, max %v: the 20 ms answers were not seen", res.P99, res.Max)
	}
	if res.P50 >= 20*time.Millisecond {
		t.Errorf("p50 %v: the fast answers were not seen", res.P50)
	}
}

func TestRun_Failures(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		request string
		check   func(error) bool
	}{
		{"not 200", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) }, get,
			func(err error) bool {
				var se *StatusError
				return errors.As(err, &se) && strings.HasPrefix(se.StatusLine, "HTTP/1.1 418")
			}},
		{"chunked", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte("a"))
			w.(http.Flusher).Flush()
			_, _ = w.Write([]byte("b"))
		}, get, func(err error) bool { return errors.Is(err, ErrNoContentLength) }},
		{"connection closed", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("x")) },
			"GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", func(err error) bool { return err != nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := serve(t, tc.handler)
			_, err := Run(t.Context(), Spec{Addr: addr, Request: tc.request, Conns: 3, Duration: 100 * time.Millisecond})
			if !tc.check(err) {
				t.Errorf("error %v", err)
			}
		})
	}
}

func TestRun_BadSpec(t *testing.T) {
	for _, spec := range []Spec{
		{Addr: "127.0.0.1:1", Request: get, Conns: 0, Duration: time.Second},
		{Addr: "127.0.0.1:1", Request: get, Conns: 1},
		{Addr: "127.0.0.1:1", Request: get, Conns: 1, Duration: time.Second, Warmup: -1},
	} {
		if _, err := Run(t.Context(), spec); err == nil {
			t.Errorf("Run(%+v) succeeded", spec)
		}
	}
	// Nothing listens there: the dial fails at once.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if _, err := Run(t.Context(), Spec{Addr: addr, Request: get, Conns: 1, Duration: time.Second}); err == nil {
		t.Error("Run against a closed port succeeded")
	}
}

func TestRun_Cancelled(t *testing.T) {
	addr := serve(t, func(w http.ResponseWriter, _ *http.Request) { time.Sleep(time.Millisecond) })
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := Run(ctx, Spec{Addr: addr, Request: get, Conns: 2, Duration: time.Hour}); err == nil {
		t.Error("a cancelled run succeeded")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the cancelled run took %v", d)
	}
}

// TestRunProcess runs the generator as this test binary in a process of its own.
func TestRunProcess(t *testing.T) {
	var served atomic.Int64
	addr := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		served.Add(1)
		_, _ = w.Write([]byte("ok"))
	})
	res, err := RunProcess(exec.Command(os.Args[0]), Spec{Addr: addr, Request: get, Conns: 2, Duration: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || int64(res.Requests) > served.Load() || res.P99 <= 0 {
		t.Errorf("result %+v; the server served %d", res, served.Load())
	}
	// A failing child gives its error.
	_, err = RunProcess(exec.Command(os.Args[0]), Spec{Addr: addr, Request: get, Conns: 0, Duration: time.Second})
	if err == nil || !strings.Contains(err.Error(), "invalid spec") {
		t.Errorf("error %v, want the child's invalid spec", err)
	}
}
