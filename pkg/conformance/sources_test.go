package conformance

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// TestSources_OneClientOnly: the operations the spec marks x-sources: [js-client] carry it, and a
// violation on one of them says its shape comes from one client only; a violation elsewhere does not.
func TestSources_OneClientOnly(t *testing.T) {
	v := mustNew(t)
	var marked []string
	for _, op := range v.Operations() {
		if slices.Equal(op.Sources, []string{"js-client"}) {
			marked = append(marked, op.ID)
		} else if op.Sources != nil {
			t.Errorf("%s: Sources = %v", op.ID, op.Sources)
		}
	}
	if len(marked) != 13 {
		t.Errorf("%d operations marked js-client only, want 13: %v", len(marked), marked)
	}
	tests := []struct {
		name, path, body string
		note             bool
	}{
		{"one client only", "/api/databases/my-db-123/backup_restorations/r1", `{"backup_restoration":{"id":"r1"}}`, true},
		{"documented operation", "/api/databases/my-db-123/users", `{"database-users":[{"name":"x"}]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tt.path, nil)
			h := http.Header{"Content-Type": {"application/json"}}
			err := v.ValidateResponse(req, http.StatusOK, h, []byte(tt.body))
			if err == nil {
				t.Fatal("a body missing required fields passed")
			}
			got := strings.Contains(err.Error(), "shape comes from one client only (js-client)")
			if got != tt.note {
				t.Errorf("note in message = %t, want %t:\n%v", got, tt.note, err)
			}
		})
	}
}
