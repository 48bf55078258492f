package mockserver

import (
	"net/http"
	"net/http/httptest"
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

// TestDispatch_EveryOperation proves that every operation of the spec is routed, once, to its own
// chain: without a token each answers 401 (the download, authorised by its URL, answers 403 to a
// missing signature), and operationOf names it.
func TestDispatch_EveryOperation(t *testing.T) {
	s, err := New(WithValidator(testValidator(t)))
	if err != nil {
		t.Fatal(err)
	}
	ops := testValidator(t).Operations()
	if len(ops) != 31 {
		t.Fatalf("%d operations, want 31", len(ops))
	}
	for _, op := range ops {
		p := apiBase + op.Path
		for strings.Contains(p, "{") {
			i, j := strings.Index(p, "{"), strings.Index(p, "}")
			p = p[:i] + "x1" + p[j+1:]
		}
		req := httptest.NewRequest(op.Method, p, nil)
		if got := s.operationOf(req); got != op.ID {
			t.Errorf("%s %s: operationOf = %q, want %q", op.Method, p, got, op.ID)
		}
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, req)
		switch {
		case op.ID == "downloadBackup":
			if w.Code == http.StatusUnauthorized || w.Code == http.StatusNotFound && strings.Contains(w.Body.String(), `"not found"}`) {
				t.Errorf("%s %s: status %d %s: the download was not routed", op.Method, p, w.Code, w.Body)
			}
		case w.Code != http.StatusUnauthorized:
			t.Errorf("%s %s: status %d %s, want 401", op.Method, p, w.Code, w.Body)
		}
		if w.Header().Get("X-Request-Id") == "" {
			t.Errorf("%s %s: no X-Request-Id", op.Method, p)
		}
	}
}
