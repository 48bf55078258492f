package mockserver

import (
	"net/http"
	"strings"
	"testing"
)

func TestServer_Auth(t *testing.T) {
	_, c, _ := start(t)
	tests := []struct {
		name   string
		header string
		want   int
	}{
		{"valid token", "Bearer " + DefaultToken, http.StatusOK},
		{"lower-case scheme", "bearer " + DefaultToken, http.StatusOK},
		{"missing header", "", http.StatusUnauthorized},
		{"wrong token", "Bearer nope", http.StatusUnauthorized},
		{"token prefix", "Bearer " + DefaultToken[:4], http.StatusUnauthorized},
		{"basic scheme", "Basic " + DefaultToken, http.StatusUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := *c
			c.token = ""
			r := c.do(http.MethodGet, "/databases/my-db-123/users", nil, "Authorization", tc.header)
			m := expect(t, r, tc.want)
			if tc.want == http.StatusUnauthorized && m["error"] == nil {
				t.Errorf("401 body %s has no error", r.body)
			}
			if r.header.Get("X-Request-Id") == "" {
				t.Error("no X-Request-Id")
			}
		})
	}
}

func TestServer_CustomToken(t *testing.T) {
	_, c, _ := start(t, WithToken("other-token"))
	expect(t, c.do(http.MethodGet, "/databases/my-db-123", nil), http.StatusUnauthorized)
	c.token = "other-token"
	expect(t, c.do(http.MethodGet, "/databases/my-db-123", nil), http.StatusOK)
}

func TestNew_BadOptions(t *testing.T) {
	for name, opt := range map[string]Option{
		"empty token":      WithToken(""),
		"unknown mutation": WithMutations("no-such-mutation"),
		"error rate > 1":   WithBackupErrorRate(1.5),
		"fault rates > 1":  WithFaults(Faults{ErrorRate: 0.6, ResetRate: 0.6}),
		"negative ttl":     WithDownloadTTL(-1),
		"two mutations on one operation": func(c *config) {
			WithMutations("wrong-type", "missing-required-field")(c)
		},
	} {
		if _, err := New(opt, WithValidator(testValidator(t))); err == nil {
			t.Errorf("%s: New succeeded, want an error", name)
		}
	}
}

func TestServer_UnknownDatabase(t *testing.T) {
	_, c, _ := start(t)
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/databases/nope"},
		{http.MethodGet, "/databases/nope/users"},
		{http.MethodGet, "/databases/nope/backups"},
		{http.MethodPost, "/databases/nope/backups"},
		{http.MethodGet, "/databases/nope/maintenance"},
		{http.MethodGet, "/databases/nope/metrics"},
		{http.MethodGet, "/databases/nope/firewall_rules"},
		{http.MethodDelete, "/databases/nope/users/metabase"},
	} {
		r := c.do(tc.method, tc.path, nil)
		m := expect(t, r, http.StatusNotFound)
		if m["resource"] != "database" || m["error"] != "not found" {
			t.Errorf("%s %s: body %s", tc.method, tc.path, r.body)
		}
	}
}

func TestServer_Routing(t *testing.T) {
	_, c, _ := start(t)
	tests := []struct {
		name, method, path string
		body               any
		want               int
	}{
		{"unknown path", http.MethodGet, "/nothing/here", nil, http.StatusNotFound},
		{"trailing slash", http.MethodGet, "/databases/my-db-123/users/", nil, http.StatusNotFound},
		{"dot segment", http.MethodGet, "/databases/my-db-123/../my-db-123/users", nil, http.StatusNotFound},
		{"method the path lacks", http.MethodDelete, "/databases/my-db-123/backups", nil, http.StatusNotFound},
		{"HEAD", http.MethodHead, "/databases/my-db-123", nil, http.StatusNotFound},
		{"body on a GET is ignored", http.MethodGet, "/databases/my-db-123", "garbage", http.StatusOK},
		{"{} on createBackup is ignored", http.MethodPost, "/databases/my-db-123/backups", map[string]any{}, http.StatusCreated},
		{"malformed JSON", http.MethodPost, "/databases/my-db-123/users", `{"database_user":`, http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := c.do(tc.method, tc.path, tc.body)
			if r.status != tc.want {
				t.Fatalf("status %d, want %d: %s", r.status, tc.want, r)
			}
			if tc.method != http.MethodHead && !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
				t.Errorf("Content-Type %q", r.header.Get("Content-Type"))
			}
		})
	}
}

func TestNew_BadSeed(t *testing.T) {
	tests := map[string]func(*Seed){
		"database without ID":      func(s *Seed) { s.Databases[0].Database.ID = "" },
		"database defined twice":   func(s *Seed) { s.Databases = append(s.Databases, s.Databases[0]) },
		"done backup without size": func(s *Seed) { s.Databases[0].Backups[0].Size = nil },
		"backup ID used twice":     func(s *Seed) { s.Databases[1].Backups[0].ID = s.Databases[0].Backups[0].ID },
		"user defined twice": func(s *Seed) {
			s.Databases[0].Users = append(s.Databases[0].Users, s.Databases[0].Users[0])
		},
	}
	for name, spoil := range tests {
		seed := DemoSeed()
		spoil(&seed)
		if _, err := New(WithSeed(seed), WithValidator(testValidator(t))); err == nil {
			t.Errorf("%s: New succeeded, want an error", name)
		}
	}
	if _, err := New(WithSeed(DemoSeed()), WithValidator(testValidator(t))); err != nil {
		t.Fatalf("the demo seed: %v", err)
	}
}
