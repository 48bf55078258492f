package compiled

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/contract/internal/suitebin"
)

// A live target whose listBackups answer is cut short (the connection closes after part of its
// Content-Length, or before the last chunk of a chunked body) did not answer: the run exits 4,
// and stdout and summary.txt name the operation and say the connection broke. Before the fix, a
// cut that was not JSON was "contract broken" (exit code 1), and a cut that happened to be valid
// JSON was taken for the whole answer.
func TestRun_CutAnswer(t *testing.T) {
	tests := []struct {
		name    string
		chunked bool
		valid   bool // the bytes that come are valid JSON that keeps the spec (one backup)
	}{
		{name: "Content-Length cut, the bytes that came are not JSON"},
		{name: "Content-Length cut, the bytes that came are valid JSON", valid: true},
		{name: "chunked cut, the bytes that came are not JSON", chunked: true},
		{name: "chunked cut, the bytes that came are valid JSON", chunked: true, valid: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cuts atomic.Int64
			env := liveTarget(t, func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/databases/my-db-123/backups") {
						next.ServeHTTP(w, r)
						return
					}
					rec := httptestRecorder{header: http.Header{}}
					next.ServeHTTP(&rec, r)
					whole := rec.body.String()
					sent := whole[:len(whole)*3/4]
					if tt.valid {
						sent = firstBackupOnly(t, whole)
					}
					framing := fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(whole), sent)
					if tt.chunked {
						framing = fmt.Sprintf("Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", len(sent), sent)
					}
					conn, buf, err := w.(http.Hijacker).Hijack()
					if err != nil {
						t.Error(err)
						return
					}
					defer conn.Close()
					cuts.Add(1)
					_, _ = fmt.Fprintf(buf, "HTTP/1.1 %d OK\r\nContent-Type: %s\r\nConnection: close\r\n%s", rec.status, rec.header.Get("Content-Type"), framing)
					_ = buf.Flush()
				})
			})
			r := runSuite(t, env, "-ginkgo.focus=lists the backups of the database")
			if cuts.Load() == 0 {
				t.Fatalf("no listBackups answer was cut: the test proves nothing\n%s", suitebin.Tail(r.stdout))
			}
			if r.code != int(harness.Unreachable) {
				t.Fatalf("exit code %d, want %d (unreachable)\n%s", r.code, harness.Unreachable, suitebin.Tail(r.stdout))
			}
			summary := r.report(t, "summary.txt")
			for name, out := range map[string]string{"stdout": r.stdout, "summary.txt": summary} {
				for _, want := range []string{"listBackups GET ", "/databases/my-db-123/backups: the connection broke: response body cut short"} {
					if !strings.Contains(out, want) {
						t.Errorf("%s does not say %q:\n%s", name, want, suitebin.Tail(out))
					}
				}
			}
			if !strings.HasPrefix(summary, "verdict: target unreachable or timed out (exit code 4)") {
				t.Errorf("summary.txt starts %q", firstLine(summary))
			}
		})
	}
}

// firstBackupOnly re-encodes a listBackups answer with its first backup alone: valid JSON that
// keeps the spec, shorter than the whole answer. It runs in the target's handler: it reports a
// failure with t.Error, and then gives the answer cut in the middle.
func firstBackupOnly(t *testing.T, whole string) string {
	var doc map[string][]json.RawMessage
	if err := json.Unmarshal([]byte(whole), &doc); err != nil || len(doc["database_backups"]) < 2 {
		t.Errorf("the mock's listBackups answer has not two backups (%v): %s", err, whole)
		return whole[:len(whole)/2]
	}
	doc["database_backups"] = doc["database_backups"][:1]
	b, err := json.Marshal(doc)
	if err != nil {
		t.Error(err)
		return whole[:len(whole)/2]
	}
	return string(b)
}
