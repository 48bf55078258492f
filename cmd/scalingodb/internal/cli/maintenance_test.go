package cli

import (
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/exit"
)

// TestMaintenanceList_PageFlags checks the paging flags of maintenance
// list: a negative --page, or a --per-page without --page (which only
// paging uses), is bad usage before any request, not a silent listing
// of every page.
func TestMaintenanceList_PageFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"every page", nil, exit.OK},
		{"one page", []string{"--page", "1", "--per-page", "10"}, exit.OK},
		{"negative page", []string{"--page", "-1"}, exit.Usage},
		{"per-page alone", []string{"--per-page", "10"}, exit.Usage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var requests atomic.Int32
			code, stderr := runAgainst(t, func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				answer(w, http.StatusOK, `{"maintenance":[],"meta":{"pagination":{"current_page":1,"prev_page":null,"next_page":null,"total_pages":1,"total_count":0,"per_page":10}}}`)
			}, append([]string{"maintenance", "list", "-o", "json"}, tc.args...)...)
			if code != tc.want {
				t.Fatalf("exit code %d, want %d; stderr: %s", code, tc.want, stderr)
			}
			if code == exit.Usage && requests.Load() != 0 {
				t.Errorf("%d requests before the usage error", requests.Load())
			}
		})
	}
}
