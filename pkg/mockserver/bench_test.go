package mockserver

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
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

// leftoverHandler is the handler of a Server of leftoverSeed(n) whose violations fail b.
func leftoverHandler(b *testing.B, n int) http.Handler {
	b.Helper()
	s, err := New(WithSeed(leftoverSeed(n)), WithValidator(testValidator(b)),
		WithResponseViolationHandler(func(err error) { b.Errorf("violation: %v", err) }))
	if err != nil {
		b.Fatal(err)
	}
	return s.Handler()
}

// leftoverSeed is DemoSeed with n more firewall rules and n more users on my-db-123: what creates
// that took effect before a fault leave behind in a long run.
func leftoverSeed(n int) Seed {
	seed := DemoSeed()
	db := &seed.Databases[0]
	no := false
	for i := range n {
		var r dbapi.FirewallRule
		_ = r.FromCustomRangeFirewallRule(dbapi.CustomRangeFirewallRule{
			ID: fmt.Sprintf("6b00%020x", i), Cidr: fmt.Sprintf("10.%d.%d.0/24", i/256%256, i%256), DatabaseID: &db.Database.ID})
		db.FirewallRules = append(db.FirewallRules, r)
		db.Users = append(db.Users, dbapi.DatabaseUser{Name: fmt.Sprintf("leftover-%d", i), Protected: &no})
	}
	return seed
}

// serveInProcess sends one request through h, without the network, and checks its status.
func serveInProcess(b *testing.B, h http.Handler, method, path, body string, want int, hdr ...string) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Authorization", "Bearer "+DefaultToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: status %d, want %d: %.300s", method, path, rec.Code, want, rec.Body.Bytes())
	}
	return rec
}

// sinkWriter is a ResponseWriter that keeps the status and counts the body: a list benchmark then
// measures the mock, not a recorder's growing buffer.
type sinkWriter struct {
	header http.Header
	status int
	n      int
}

func (w *sinkWriter) Header() http.Header { return w.header }
func (w *sinkWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *sinkWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.n += len(p)
	return len(p), nil
}

// listInProcess sends GET path through h into a sinkWriter and checks the answer is a 200.
func listInProcess(b *testing.B, h http.Handler, path string) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+DefaultToken)
	w := &sinkWriter{header: http.Header{}}
	h.ServeHTTP(w, req)
	if w.status != http.StatusOK || w.n == 0 {
		b.Fatalf("GET %s: status %d, %d bytes", path, w.status, w.n)
	}
}

// BenchmarkFirewallRules measures, through the whole chain in process, a rule create+delete and a
// rule list, with no leftover rule and with 10,000 of them side by side: no operation may scan the
// rules under the Server's lock, and a list that did not change is not encoded or validated again.
func BenchmarkFirewallRules(b *testing.B) {
	for _, n := range []int{0, 10_000} {
		h := leftoverHandler(b, n)
		const rules = "/api/databases/my-db-123/firewall_rules"
		b.Run(fmt.Sprintf("create-delete/leftover=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := serveInProcess(b, h, http.MethodPost, rules, `{"type":"custom_range","cidr":"192.0.2.0/24"}`, http.StatusCreated)
				var out struct {
					Rule struct {
						ID string `json:"id"`
					} `json:"rule"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out.Rule.ID == "" {
					b.Fatalf("create: %v: %s", err, rec.Body.Bytes())
				}
				serveInProcess(b, h, http.MethodDelete, rules+"/"+out.Rule.ID, "", http.StatusNoContent)
			}
		})
		benchList(b, "list", n, h, rules, nil)
	}
}

// benchList runs the sub-benchmark name/leftover=n: a list of path on h, each after change(b, i)
// (nil: none), where i counts the lists from 1.
func benchList(b *testing.B, name string, n int, h http.Handler, path string, change func(b *testing.B, i int)) {
	b.Run(fmt.Sprintf("%s/leftover=%d", name, n), func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			if change != nil {
				change(b, i)
			}
			listInProcess(b, h, path)
		}
	})
}

// BenchmarkUsersList measures a user list with 0 and 10,000 leftover users: unchanged; right after a
// change undone (a create and a delete of another user before each list); and right after a change
// that stays (a user replaced by another before each list).
func BenchmarkUsersList(b *testing.B) {
	for _, n := range []int{0, 10_000} {
		h := leftoverHandler(b, n)
		const users = "/api/databases/my-db-123/users"
		benchList(b, "list", n, h, users, nil)
		benchList(b, "change-list", n, h, users, func(b *testing.B, _ int) {
			serveInProcess(b, h, http.MethodPost, users, `{"database_user":{"name":"churn-user"}}`, http.StatusCreated)
			serveInProcess(b, h, http.MethodDelete, users+"/churn-user", "", http.StatusNoContent)
		})
		// A change that stays: the list the next GET answers is one no request has seen, of a
		// constant length (each user created replaces the one created before).
		benchList(b, "replace-list", n, h, users, func(b *testing.B, i int) {
			serveInProcess(b, h, http.MethodPost, users, fmt.Sprintf(`{"database_user":{"name":"added-user-%d"}}`, i), http.StatusCreated)
			if i > 1 {
				serveInProcess(b, h, http.MethodDelete, fmt.Sprintf("%s/added-user-%d", users, i-1), "", http.StatusNoContent)
			}
		})
	}
}

// BenchmarkDownloadRange measures, in process, a 64 KiB ranged download of the 64 MiB demo backup
// and a range past its end (416): neither should build the archive's whole block.
func BenchmarkDownloadRange(b *testing.B) {
	s, err := New(WithSeed(DemoSeed()), WithValidator(testValidator(b)))
	if err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	u := s.downloadURLForTest("/api", DemoDatabaseID, DemoLargeBackupID)
	b.Run("range-64KiB", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(64 << 10)
		for b.Loop() {
			rec := serveInProcess(b, h, http.MethodGet, u, "", http.StatusPartialContent, "Range", "bytes=1048576-1114111")
			if rec.Body.Len() != 64<<10 {
				b.Fatalf("%d bytes", rec.Body.Len())
			}
		}
	})
	b.Run("416", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			serveInProcess(b, h, http.MethodGet, u, "", http.StatusRequestedRangeNotSatisfiable, "Range", "bytes=67108864-")
		}
	})
}
