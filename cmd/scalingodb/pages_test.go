package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestLogsArchives_IncompleteListFails: when the pages of the log
// archives cannot be followed to the end (more follow but no cursor leads
// to them, or a cursor leads back to a page already read), `logs
// archives` prints no list, says why on stderr and exits 1: a script
// never takes part of the list for all of it.
func TestLogsArchives_IncompleteListFails(t *testing.T) {
	archive := `{"url":"https://logs.example.com/%d.gz?sig=x","from":"2024-05-01T00:00:00Z","to":"2024-05-02T00:00:00Z","size":10}`
	tests := []struct {
		name string
		// next returns the has_more and next_cursor of the page of cursor.
		next func(cursor string) (bool, string)
		want string
	}{
		{"no cursor", func(string) (bool, string) { return true, "" }, "no cursor"},
		{"cursor cycle", func(cursor string) (bool, string) {
			if cursor == "a" {
				return true, "b"
			}
			return true, "a"
		}, "already followed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pages atomic.Int32
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !strings.HasSuffix(r.URL.Path, "/logs_archives") {
					http.NotFound(w, r)
					return
				}
				n := pages.Add(1)
				more, next := tt.next(r.URL.Query().Get("cursor"))
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"has_more":%t,"next_cursor":%q,"archives":[`+archive+`]}`, more, next, n)
			}))
			t.Cleanup(hs.Close)
			cmd := runCLI(t, hs.URL, "logs", "archives", "-o", "name")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			if code := exitCode(err); code != 1 {
				t.Fatalf("exit %d after %d pages, want 1; stderr:\n%s", code, pages.Load(), stderr.String())
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout has %d bytes, want none (an incomplete list)", stdout.Len())
			}
			if !strings.Contains(stderr.String(), tt.want) || !strings.Contains(stderr.String(), "log archives") {
				t.Errorf("stderr = %q, want the reason %q and what failed", stderr.String(), tt.want)
			}
			if n := pages.Load(); n > 3 {
				t.Errorf("%d pages read, want at most 3", n)
			}
		})
	}
}
