package mockserver

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestDispatch_EveryOperation proves that every operation of the spec is routed, once, to its own
// chain: without a token each answers 401 (the download, authorised by its URL, answers 403 to a
// missing signature), and operationOf names it.
func TestDispatch_EveryOperation(t *testing.T) {
	s, err := New(WithValidator(testValidator(t)))
	if err != nil {
		t.Fatal(err)
	}
	ops := testValidator(t).Operations()
	if len(ops) != 44 {
		t.Fatalf("%d operations, want 44", len(ops))
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
