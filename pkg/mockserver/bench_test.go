package mockserver

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// BenchmarkListUsers measures GET /databases/{id}/users through the whole chain (auth, request and
// response validation) over loopback, with a Go client in the same process, next to a bare net/http
// handler that writes the same bytes. mock-nomemo validates every response in full. The
// interleaved sub-benchmark alternates bursts of requests to the mock and to the bare handler, so
// that both see the same machine, and reports the ratio of their throughputs; the goal is
// mock ≥ 0.6 × bare.
func BenchmarkListUsers(b *testing.B) {
	s, err := New(WithSeed(DemoSeed()), WithValidator(testValidator(b)),
		WithResponseViolationHandler(func(err error) { b.Errorf("violation: %v", err) }))
	if err != nil {
		b.Fatal(err)
	}
	bare := bareUsersHandler(b, s.Handler())
	noMemo, err := New(WithSeed(DemoSeed()), WithValidator(testValidator(b)), func(c *config) { c.noMemo = true })
	if err != nil {
		b.Fatal(err)
	}
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}
	defer tr.CloseIdleConnections()
	cl := &http.Client{Transport: tr}
	get := func(b *testing.B, url string) bool {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Authorization", "Bearer "+DefaultToken)
		resp, err := cl.Do(req)
		if err != nil {
			b.Error(err)
			return false
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Errorf("status %d", resp.StatusCode)
			return false
		}
		return true
	}
	serve := func(b *testing.B, h http.Handler) string {
		srv := httptest.NewServer(h)
		b.Cleanup(srv.Close)
		return srv.URL + "/api/databases/my-db-123/users"
	}
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{{"mock", s.Handler()}, {"mock-nomemo", noMemo.Handler()}, {"bare", bare}} {
		b.Run(bc.name, func(b *testing.B) {
			url := serve(b, bc.h)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() && get(b, url) {
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
	b.Run("interleaved", func(b *testing.B) {
		mockURL, bareURL := serve(b, s.Handler()), serve(b, bare)
		// burst sends 8 × 64 requests from 8 goroutines and returns how long they took.
		burst := func(url string) time.Duration {
			start := time.Now()
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					for range 64 {
						if !get(b, url) {
							return
						}
					}
				})
			}
			wg.Wait()
			return time.Since(start)
		}
		var mockTime, bareTime time.Duration
		for b.Loop() {
			mockTime += burst(mockURL)
			bareTime += burst(bareURL)
		}
		b.ReportMetric(bareTime.Seconds()/mockTime.Seconds(), "mock/bare-req/s")
	})
}

// BenchmarkHandler_ListUsers measures the chain alone, in process, without the network.
func BenchmarkHandler_ListUsers(b *testing.B) {
	for _, memo := range []bool{true, false} {
		b.Run(map[bool]string{true: "memo", false: "nomemo"}[memo], func(b *testing.B) {
			s, err := New(WithSeed(DemoSeed()), WithValidator(testValidator(b)), func(c *config) { c.noMemo = !memo })
			if err != nil {
				b.Fatal(err)
			}
			h := s.Handler()
			req := httptest.NewRequest(http.MethodGet, "/api/databases/my-db-123/users", nil)
			req.Header.Set("Authorization", "Bearer "+DefaultToken)
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}

// BenchmarkDownload measures the archive stream of a 64 MiB backup over loopback (SetBytes: MB/s).
func BenchmarkDownload(b *testing.B) {
	s, err := New(WithSeed(DemoSeed()), WithValidator(testValidator(b)))
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	url := s.downloadURLForTest(srv.URL+"/api", "my-db-123", "5b8b36104ffb090be1ac3ce1")
	b.SetBytes(64 << 20)
	for b.Loop() {
		resp, err := http.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if n != 64<<20 {
			b.Fatalf("%d bytes", n)
		}
	}
}

// bareUsersHandler asks h for GET /databases/my-db-123/users once and returns a bare net/http handler
// that answers the same bytes, the baseline of the mock's benchmarks.
func bareUsersHandler(b *testing.B, h http.Handler) http.Handler {
	b.Helper()
	body, contentType, err := usersAnswer(h)
	if err != nil {
		b.Fatal(err)
	}
	return bareHandler(body, contentType)
}

// usersAnswer returns the body and content type of h's answer to GET /databases/my-db-123/users.
func usersAnswer(h http.Handler) ([]byte, string, error) {
	req := httptest.NewRequest(http.MethodGet, "/api/databases/my-db-123/users", nil)
	req.Header.Set("Authorization", "Bearer "+DefaultToken)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return nil, "", fmt.Errorf("status %d: %s", rec.Code, rec.Body.Bytes())
	}
	return rec.Body.Bytes(), rec.Header().Get("Content-Type"), nil
}

// bareHandler answers body with the headers the mock sends, and does nothing else.
func bareHandler(body []byte, contentType string) http.Handler {
	length := strconv.Itoa(len(body))
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", contentType)
		h.Set("Content-Length", length)
		h.Set("X-Request-Id", "mock-1")
		_, _ = w.Write(body)
	})
}
