package faults

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestConfig_Validate: rates outside [0, 1], rates adding up to more than 1 and a negative latency
// are refused; the rest is accepted.
func TestConfig_Validate(t *testing.T) {
	tests := []struct {
		name string
		c    Config
		ok   bool
	}{
		{"zero", Config{}, true},
		{"all rates at their bound", Config{ErrorRate: 0.5, RateLimitRate: 0.25, ResetRate: 0.25, ArchiveChangeRate: 1}, true},
		{"negative rate", Config{ErrorRate: -0.1}, false},
		{"rate over 1", Config{ArchiveChangeRate: 1.5}, false},
		{"rates add up to more than 1", Config{ErrorRate: 0.6, ResetRate: 0.6}, false},
		{"negative latency", Config{Latency: -time.Second}, false},
		// NaN compares false with every bound: it once passed, and injected nothing.
		{"NaN error rate", Config{ErrorRate: math.NaN()}, false},
		{"NaN archive change rate", Config{ArchiveChangeRate: math.NaN()}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.c.Validate(); (err == nil) != tc.ok {
				t.Errorf("Validate() = %v, want ok %v", err, tc.ok)
			}
		})
	}
}

// TestInjector_RecordsBounded: the log keeps the LogSize most recent records, oldest first, while
// the counts forget nothing.
func TestInjector_RecordsBounded(t *testing.T) {
	in := New(Config{})
	const n = LogSize + 10
	for i := range n {
		in.record(Record{RequestID: fmt.Sprint(i), OperationID: "getDatabase", Kind: RateLimit, Applied: i%2 == 0})
	}
	recs := in.Records()
	if len(recs) != LogSize || recs[0].RequestID != "10" || recs[LogSize-1].RequestID != fmt.Sprint(n-1) {
		t.Fatalf("%d records from %s to %s, want %d from 10 to %d", len(recs), recs[0].RequestID, recs[len(recs)-1].RequestID, LogSize, n-1)
	}
	want := []Count{{OperationID: "getDatabase", Kind: RateLimit, Injected: n, Applied: n / 2}}
	if got := in.Counts(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Counts %+v, want %+v", got, want)
	}
}

// TestFaults_ResetWithoutBody: a reset fault on an answer without a body (a 204) closes the
// connection before the status line, so that a client whose transport keeps idle connections never
// gets back in its pool a connection the server then closes: the next request on the same client,
// here a POST that net/http never retries, succeeds.
func TestFaults_ResetWithoutBody(t *testing.T) {
	in := New(Config{ResetRate: 1})
	// Only the deletes are cut.
	in.override = func(r *http.Request) plan {
		if r.Method == http.MethodDelete {
			return plan{kind: Reset}
		}
		return plan{}
	}
	// A store of rules: POST creates one (201 with its ID), DELETE removes it (204).
	var ids atomic.Int64
	rulesHandler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = fmt.Fprintf(w, `{"rule":{"id":"%d"}}`, ids.Add(1))
	})
	operationOf := func(r *http.Request) string {
		return map[string]string{http.MethodPost: "createFirewallRule", http.MethodDelete: "deleteFirewallRule"}[r.Method]
	}
	srv := httptest.NewServer(in.Middleware(rulesHandler, operationOf))
	t.Cleanup(srv.Close)
	tr := &http.Transport{MaxIdleConnsPerHost: 4}
	t.Cleanup(tr.CloseIdleConnections)
	cl := &http.Client{Transport: tr}
	rules := srv.URL + "/api/databases/my-db-123/firewall_rules"
	// send returns the answer, its body and whether it came on a reused connection.
	send := func(method, url, body string) (*http.Response, []byte, bool, error) {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		var reused bool
		ctx := httptrace.WithClientTrace(t.Context(), &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { reused = i.Reused }})
		req, _ := http.NewRequestWithContext(ctx, method, url, rd)
		req.Header.Set("Content-Type", "application/json")
		resp, err := cl.Do(req)
		if err != nil {
			return nil, nil, reused, err
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, data, reused, err
	}
	const rounds = 30
	postErrors, reusedPosts := 0, 0
	for i := range rounds {
		resp, body, _, err := send(http.MethodPost, rules, fmt.Sprintf(`{"type":"custom_range","cidr":"10.0.%d.0/24"}`, i))
		var created struct {
			Rule struct {
				ID string `json:"id"`
			} `json:"rule"`
		}
		if err != nil || resp.StatusCode != http.StatusCreated || json.Unmarshal(body, &created) != nil {
			t.Fatalf("round %d: create: %v %v %s", i, resp, err, body)
		}
		resp, _, _, err = send(http.MethodDelete, rules+"/"+created.Rule.ID, "")
		if err == nil && !resp.Close {
			t.Fatalf("round %d: the cut delete was answered %d in full on a connection left open: the client pools a connection the server closes", i, resp.StatusCode)
		}
		// The next request, on the same client, is a POST: net/http would not retry it on a dead
		// connection.
		resp, _, reused, err := send(http.MethodPost, rules, fmt.Sprintf(`{"type":"custom_range","cidr":"10.1.%d.0/24"}`, i))
		if err != nil || resp.StatusCode != http.StatusCreated {
			postErrors++
			t.Errorf("round %d: the POST after a cut delete failed (connection reused %v): %v %v", i, reused, resp, err)
		}
		if reused {
			reusedPosts++
		}
	}
	log := in.Records()
	if len(log) != rounds {
		t.Fatalf("%d fault records, want %d", len(log), rounds)
	}
	for _, rec := range log {
		if rec.Kind != Reset || rec.OperationID != "deleteFirewallRule" || rec.Status != http.StatusNoContent || !rec.Applied {
			t.Errorf("record %+v: want an applied reset of a 204", rec)
		}
	}
	t.Logf("%d rounds: %d POSTs failed, %d on a reused connection", rounds, postErrors, reusedPosts)
}
