package mockserver

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestFaults_Errors(t *testing.T) {
	s, c, _ := start(t, WithFaults(Faults{ErrorRate: 1, Seed: 7}))
	statuses := map[int]bool{}
	for i := range 40 {
		r := c.do(http.MethodPost, "/databases/my-db-123/users", map[string]any{"database_user": map[string]any{"name": fmt.Sprintf("fault-user-%d", i)}})
		m := expect(t, r, r.status)
		if r.status < 500 || r.status > 504 || m["error"] == nil {
			t.Fatalf("status %d body %s, want a 5xx JSON error", r.status, r)
		}
		statuses[r.status] = true
	}
	if len(statuses) != 4 {
		t.Errorf("statuses %v: want all of 500, 502, 503 and 504", statuses)
	}
	// The journal says which creates took effect, and the state agrees.
	log := s.FaultLog()
	if len(log) != 40 {
		t.Fatalf("%d fault records, want 40", len(log))
	}
	users := map[string]bool{}
	for _, u := range s.Users("my-db-123") {
		users[u.Name] = true
	}
	applied := 0
	for i, rec := range log {
		if rec.Kind != FaultError || rec.OperationID != "createDatabaseUser" || rec.RequestID == "" {
			t.Errorf("record %d: %+v", i, rec)
		}
		if rec.Applied {
			applied++
		}
	}
	if applied == 0 || applied == 40 {
		t.Errorf("%d of 40 creates applied: want faults both before and after the operation", applied)
	}
	if got := len(users) - 3; got != applied { // 3 seeded users
		t.Errorf("%d users created, the fault log says %d", got, applied)
	}
	want := []FaultCount{{OperationID: "createDatabaseUser", Kind: FaultError, Injected: 40, Applied: applied}}
	if got := s.FaultCounts(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("FaultCounts %+v, want %+v", got, want)
	}
}

func TestFaults_Deterministic(t *testing.T) {
	run := func() []FaultRecord {
		s, c, _ := start(t, WithFaults(Faults{ErrorRate: 0.3, RateLimitRate: 0.3, Seed: 42}))
		for range 30 {
			c.do(http.MethodGet, "/databases/my-db-123", nil)
		}
		return s.FaultLog()
	}
	a, b := run(), run()
	if fmt.Sprint(a) != fmt.Sprint(b) || len(a) == 0 {
		t.Errorf("two runs with one seed differ:\n%v\n%v", a, b)
	}
}

func TestFaults_RateLimit(t *testing.T) {
	tests := []struct {
		retryAfter int
		want       string
	}{{0, "1"}, {-1, "0"}, {30, "30"}}
	for _, tc := range tests {
		_, c, _ := start(t, WithFaults(Faults{RateLimitRate: 1, RetryAfter: tc.retryAfter}))
		r := c.do(http.MethodGet, "/databases/my-db-123/backups", nil)
		m := expect(t, r, http.StatusTooManyRequests)
		if r.header.Get("Retry-After") != tc.want || m["error"] == nil {
			t.Errorf("RetryAfter %d: Retry-After %q, body %s", tc.retryAfter, r.header.Get("Retry-After"), r)
		}
	}
}

func TestFaults_Reset(t *testing.T) {
	s, c, _ := start(t, WithFaults(Faults{ResetRate: 1}))
	tests := []struct{ name, path string }{
		{"json", c.base + "/databases/my-db-123/users"},
	}
	// A download is cut after part of the archive. The URL is signed directly: asking for it through
	// the API would be cut too.
	u := s.downloadURLForTest(c.base, "my-db-123", "5b8b36104ffb090be1ac3ce1")
	tests = append(tests, struct{ name, path string }{"download", u})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, tc.path, nil)
			req.Header.Set("Authorization", "Bearer "+DefaultToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return // cut before the headers arrived: also a reset
			}
			defer resp.Body.Close()
			n, err := io.Copy(io.Discard, resp.Body)
			if err == nil {
				t.Fatalf("read %d bytes with no error: the connection was not cut", n)
			}
			if resp.ContentLength > 0 && n >= resp.ContentLength {
				t.Errorf("read %d of %d bytes", n, resp.ContentLength)
			}
		})
	}
	for _, rec := range s.FaultLog() {
		if rec.Kind != FaultReset || rec.Status != http.StatusOK {
			t.Errorf("record %+v", rec)
		}
	}
}

// downloadURLForTest signs a download URL as getBackupArchive would.
func (s *Server) downloadURLForTest(base, db, id string) string {
	exp := s.cfg.clock.Now().Add(time.Hour)
	return base + "/databases/" + db + "/backups/" + id + "/download?token=" + s.signDownload(db, id, exp)
}

func TestFaults_Latency(t *testing.T) {
	s, err := New(WithSeed(DemoSeed()), WithValidator(testValidator(t)), WithFaults(Faults{Latency: 30 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/api/databases/my-db-123", nil)
	req.Header.Set("Authorization", "Bearer "+DefaultToken)
	w := httptest.NewRecorder()
	begin := time.Now()
	s.Handler().ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	if d := time.Since(begin); d < 30*time.Millisecond { // a lower bound only
		t.Errorf("answered in %v with 30ms of latency", d)
	}
	if len(s.FaultLog()) != 0 {
		t.Errorf("latency alone is not a fault: %v", s.FaultLog())
	}
}

// TestFaults_LogBounded: however long a run, the fault log keeps the FaultLogSize most recent
// records, oldest first, so a soak's mock does not grow without bound.
func TestFaults_LogBounded(t *testing.T) {
	tests := []struct {
		name     string
		requests int
		want     int
	}{
		{"fewer than the size", 10, 10},
		{"exactly the size", FaultLogSize, FaultLogSize},
		{"more than the size", FaultLogSize*2 + 123, FaultLogSize},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(WithSeed(DemoSeed()), WithValidator(testValidator(t)), WithFaults(Faults{RateLimitRate: 1}))
			if err != nil {
				t.Fatal(err)
			}
			h := s.Handler()
			for range tc.requests {
				req := httptest.NewRequest(http.MethodGet, "/api/databases/my-db-123", nil)
				req.Header.Set("Authorization", "Bearer "+DefaultToken)
				h.ServeHTTP(httptest.NewRecorder(), req)
			}
			log := s.FaultLog()
			if len(log) != tc.want {
				t.Fatalf("%d requests with faults: %d records, want %d", tc.requests, len(log), tc.want)
			}
			// Request IDs count from 1: the log holds the last tc.want requests, in order.
			for i, rec := range log {
				if want := fmt.Sprintf("mock-%d", tc.requests-tc.want+i+1); rec.RequestID != want || rec.Kind != FaultRateLimit {
					t.Fatalf("record %d: %+v, want request %s", i, rec, want)
				}
			}
			want := []FaultCount{{OperationID: "getDatabase", Kind: FaultRateLimit, Injected: tc.requests}}
			if got := s.FaultCounts(); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("FaultCounts %+v, want %+v", got, want)
			}
		})
	}
}
