package conformance

import (
	"path"
	"strings"
	"testing"
)

// referenceCleanPath is what cleanPath replaces: p is its own path.Clean, a trailing slash allowed.
func referenceCleanPath(p string) bool {
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c == p
}

// TestCleanPath proves that the scan agrees with path.Clean on every rooted path of up to 7 bytes
// over an alphabet of '/', '.' and 'a', and on a few realistic ones.
func TestCleanPath(t *testing.T) {
	tests := []struct {
		p    string
		want bool
	}{
		{"/", true},
		{"/api/databases/my-db-123/users", true},
		{"/api/databases/my-db-123/users/", true},
		{"/api/databases/my-db-123/users//", false},
		{"/api//databases", false},
		{"/api/databases/my-db-123/../my-db-123/users", false},
		{"/api/./databases", false},
		{"/api/databases/.", false},
		{"/api/databases/..", false},
		{"/api/databases/.../x", true},
		{"/api/databases/.hidden", true},
		{"//", false},
	}
	for _, tc := range tests {
		if got := cleanPath(tc.p); got != tc.want {
			t.Errorf("cleanPath(%q) = %v, want %v", tc.p, got, tc.want)
		}
		if ref := referenceCleanPath(tc.p); ref != tc.want {
			t.Errorf("reference(%q) = %v: the table is wrong", tc.p, ref)
		}
	}
	var walk func(p string)
	checked := 0
	walk = func(p string) {
		if got, want := cleanPath(p), referenceCleanPath(p); got != want {
			t.Errorf("cleanPath(%q) = %v, path.Clean says %v", p, got, want)
		}
		checked++
		if len(p) == 7 {
			return
		}
		for _, c := range "/.a" {
			walk(p + string(c))
		}
	}
	walk("/")
	if checked != 1093 { // 3^0 + 3^1 + ... + 3^6
		t.Errorf("checked %d paths, want 1093", checked)
	}
}
