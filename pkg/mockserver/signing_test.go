package mockserver

import (
	"net/http"
	"strings"
	"testing"
)

// TestWithSigningKey checks that a download link signed by a Server stays valid on another Server
// built with the same WithSigningKey (the mock restarted), and is refused by one with another key or
// with the random key of the default.
func TestWithSigningKey(t *testing.T) {
	key := []byte("soak-test-key-0123456789")
	_, first, _ := start(t, WithSigningKey(key))
	link := archiveURL(t, first, DemoDatabaseID, DemoBackupID)
	tests := []struct {
		name string
		opts []Option
		want int
	}{
		{"same key", []Option{WithSigningKey([]byte(string(key)))}, http.StatusOK},
		{"another key", []Option{WithSigningKey([]byte("soak-test-key-0123456780"))}, http.StatusForbidden},
		{"random key", nil, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c, _ := start(t, tt.opts...)
			anon := *c
			anon.token = ""
			r := anon.do(http.MethodGet, c.base+strings.TrimPrefix(link, first.base), nil, "Range", "bytes=0-99")
			if r.status != tt.want && !(tt.want == http.StatusOK && r.status == http.StatusPartialContent) {
				t.Errorf("the first server's link: %d %s, want %d", r.status, r, tt.want)
			}
		})
	}
	// The key is copied: changing the caller's slice afterwards changes nothing.
	mine := []byte(string(key))
	_, c, _ := start(t, WithSigningKey(mine))
	clear(mine)
	anon := *c
	anon.token = ""
	if r := anon.do(http.MethodGet, c.base+strings.TrimPrefix(link, first.base), nil, "Range", "bytes=0-99"); r.status != http.StatusPartialContent {
		t.Errorf("after the caller cleared its key: %d, want 206", r.status)
	}
	if _, err := New(WithSigningKey(nil)); err == nil || !strings.Contains(err.Error(), "WithSigningKey") {
		t.Errorf("New(WithSigningKey(nil)): %v, want an error naming WithSigningKey", err)
	}
}
