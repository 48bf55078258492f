package mockserver

import (
	"math"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/respond"
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
		"empty token":                      WithToken(""),
		"unknown mutation":                 WithMutations("no-such-mutation"),
		"error rate > 1":                   WithBackupErrorRate(1.5),
		"error rate NaN":                   WithBackupErrorRate(math.NaN()),
		"fault rates > 1":                  WithFaults(Faults{ErrorRate: 0.6, ResetRate: 0.6}),
		"negative ttl":                     WithDownloadTTL(-1),
		"empty database token":             WithDatabaseToken("my-db-123", ""),
		"database token, no database":      WithDatabaseToken("", "scoped"),
		"database token is the main token": WithDatabaseToken("my-db-123", DefaultToken),
		"one token for two databases": func(c *config) {
			WithDatabaseToken("my-db-123", "scoped")(c)
			WithDatabaseToken("my-mysql-123", "scoped")(c)
		},
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

func TestServer_DatabaseToken(t *testing.T) {
	const (
		pgToken    = "pg-addon-token"
		mysqlToken = "mysql-addon-token"
		pgID       = "5c599fd6f18b3202f7ab4e66" // the ID of my-db-123, which also answers under it
		esBackup   = "5c70a2004ffb090be1ac3d01" // a backup of my-es-123
		noBackup   = "000000000000000000000000"
	)
	s, c, _ := start(t, WithDatabaseToken(DemoDatabaseID, pgToken), WithDatabaseToken(DemoMySQLID, mysqlToken))
	v := testValidator(t)
	bearer := func(tok string) string { return "Bearer " + tok }
	tests := []struct {
		name, auth, method, path string
		body                     any
		want                     int
		denied                   string // what the 403 message names
	}{
		{"main token, own database", bearer(DefaultToken), http.MethodGet, "/databases/my-db-123", nil, http.StatusOK, ""},
		{"main token, any database", bearer(DefaultToken), http.MethodGet, "/databases/my-mysql-123", nil, http.StatusOK, ""},
		{"main token, any backup", bearer(DefaultToken), http.MethodGet, "/backups/" + esBackup, nil, http.StatusOK, ""},
		{"main token, unknown database", bearer(DefaultToken), http.MethodGet, "/databases/no-such-db", nil, http.StatusNotFound, ""},
		{"main token, malformed body", bearer(DefaultToken), http.MethodPatch, "/databases/my-db-123", "{", http.StatusBadRequest, ""},
		{"main token, managed ranges", bearer(DefaultToken), http.MethodGet, "/firewall/managed_ranges", nil, http.StatusOK, ""},

		{"scoped token, own database", bearer(pgToken), http.MethodGet, "/databases/my-db-123", nil, http.StatusOK, ""},
		{"scoped token, own database by its ID", bearer(pgToken), http.MethodGet, "/databases/" + pgID, nil, http.StatusOK, ""},
		{"scoped token, own users", bearer(pgToken), http.MethodGet, "/databases/my-db-123/users", nil, http.StatusOK, ""},
		{"scoped token, own backup", bearer(pgToken), http.MethodGet, "/backups/" + DemoBackupID, nil, http.StatusOK, ""},
		{"scoped token, own archive", bearer(pgToken), http.MethodGet, "/databases/my-db-123/backups/" + DemoBackupID + "/archive", nil, http.StatusOK, ""},
		{"scoped token, own database, other token", bearer(mysqlToken), http.MethodGet, "/databases/my-mysql-123/users", nil, http.StatusOK, ""},
		{"scoped token, managed ranges", bearer(mysqlToken), http.MethodGet, "/firewall/managed_ranges", nil, http.StatusOK, ""},
		{"scoped token, type version", bearer(mysqlToken), http.MethodGet, "/database_type_versions/5f217c7a406c12000e889be3", nil, http.StatusOK, ""},
		{"scoped token, unknown backup", bearer(mysqlToken), http.MethodGet, "/backups/" + noBackup, nil, http.StatusNotFound, ""},

		{"scoped token, other database", bearer(mysqlToken), http.MethodGet, "/databases/my-db-123", nil, http.StatusForbidden, "database my-db-123"},
		{"scoped token, other database by its ID", bearer(mysqlToken), http.MethodGet, "/databases/" + pgID, nil, http.StatusForbidden, "database " + pgID},
		{"scoped token, other database's users", bearer(pgToken), http.MethodGet, "/databases/my-mysql-123/users", nil, http.StatusForbidden, "database my-mysql-123"},
		{"scoped token, other database's backups", bearer(mysqlToken), http.MethodGet, "/databases/my-db-123/backups", nil, http.StatusForbidden, "database my-db-123"},
		{"scoped token, other database's backup", bearer(mysqlToken), http.MethodGet, "/backups/" + DemoBackupID, nil, http.StatusForbidden, "backup " + DemoBackupID},
		{"scoped token, backup of a third database", bearer(pgToken), http.MethodGet, "/backups/" + esBackup, nil, http.StatusForbidden, "backup " + esBackup},
		{"scoped token, other database's archive", bearer(mysqlToken), http.MethodGet, "/databases/my-db-123/backups/" + noBackup + "/archive", nil, http.StatusForbidden, "database my-db-123"},
		{"scoped token, unknown database", bearer(mysqlToken), http.MethodGet, "/databases/no-such-db", nil, http.StatusForbidden, "database no-such-db"},
		{"scoped token, other database, malformed body", bearer(mysqlToken), http.MethodPatch, "/databases/my-db-123", "{", http.StatusForbidden, "database my-db-123"},
		{"scoped token, other database, create backup", bearer(mysqlToken), http.MethodPost, "/databases/my-db-123/backups", nil, http.StatusForbidden, "database my-db-123"},
		{"scoped token, other database, delete user", bearer(mysqlToken), http.MethodDelete, "/databases/my-db-123/users/metabase", nil, http.StatusForbidden, "database my-db-123"},

		{"unknown token", bearer("nope"), http.MethodGet, "/databases/my-db-123", nil, http.StatusUnauthorized, ""},
		{"unknown token, managed ranges", bearer("nope"), http.MethodGet, "/firewall/managed_ranges", nil, http.StatusUnauthorized, ""},
		{"scoped token prefix", bearer(mysqlToken[:5]), http.MethodGet, "/databases/my-mysql-123", nil, http.StatusUnauthorized, ""},
		{"scoped token, basic scheme", "Basic " + mysqlToken, http.MethodGet, "/databases/my-mysql-123", nil, http.StatusUnauthorized, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := *c
			c.token = ""
			r := c.do(tc.method, tc.path, tc.body, "Authorization", tc.auth)
			m := expect(t, r, tc.want)
			switch tc.want {
			case http.StatusUnauthorized:
				if r.header.Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
			case http.StatusForbidden:
				want := map[string]any{"error": "this token does not grant access to " + tc.denied, "code": "forbidden"}
				if diff := cmp.Diff(want, m); diff != "" {
					t.Errorf("403 body (-want +got):\n%s", diff)
				}
				req, err := http.NewRequest(tc.method, c.base+tc.path, nil)
				if err != nil {
					t.Fatal(err)
				}
				if err := v.ValidateResponse(req, r.status, r.header, r.body); err != nil {
					t.Errorf("403 breaks the spec: %v", err)
				}
			}
		})
	}

	// Refused writes took no effect.
	if n := len(s.Backups(DemoDatabaseID)); n != 5 {
		t.Errorf("my-db-123 has %d backups after refused creates, want the 5 seeded", n)
	}
	var names []string
	for _, u := range s.Users(DemoDatabaseID) {
		names = append(names, u.Name)
	}
	if !slices.Contains(names, "metabase") {
		t.Errorf("users after a refused delete: %v, want metabase among them", names)
	}
}

// TestServer_DatabaseTokenBodyCheck proves that the validator the 403 test relies on refuses a 403
// that lacks the spec's Error shape.
func TestServer_DatabaseTokenBodyCheck(t *testing.T) {
	req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1/api/databases/my-db-123", nil)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{"Content-Type": {"application/json"}}
	if err := testValidator(t).ValidateResponse(req, http.StatusForbidden, h, []byte(`{"message":"forbidden"}`)); err == nil {
		t.Error("a 403 without error validated")
	}
}

func TestServer_DatabaseTokenUnseededDatabase(t *testing.T) {
	// A token scoped to a database the Server does not hold reaches nothing but its own, unknown,
	// database (404) and the operations that address no database.
	_, c, _ := start(t, WithDatabaseToken("ghost-db", "ghost-token"))
	c.token = "ghost-token"
	for _, tc := range []struct {
		path string
		want int
	}{
		{"/databases/ghost-db", http.StatusNotFound},
		{"/databases/my-db-123", http.StatusForbidden},
		{"/backups/" + DemoBackupID, http.StatusForbidden},
		{"/firewall/managed_ranges", http.StatusOK},
	} {
		expect(t, c.do(http.MethodGet, tc.path, nil), tc.want)
	}
}

// TestHandlers_RespondImplementsEveryResponse: every operation's response interface is implemented
// by respond.Response, so that onDatabase's 404 (and any handler's error answer) never fails its
// type assertion; a type that implements none is caught.
func TestHandlers_RespondImplementsEveryResponse(t *testing.T) {
	implementsAll := func(rt reflect.Type) (missing []string) {
		ops := reflect.TypeFor[dbapi.StrictServerInterface]()
		for i := 0; i < ops.NumMethod(); i++ {
			if out := ops.Method(i).Type.Out(0); !rt.Implements(out) {
				missing = append(missing, out.Name())
			}
		}
		return missing
	}
	if missing := implementsAll(reflect.TypeOf(respond.Response{})); len(missing) > 0 {
		t.Errorf("respond.Response does not implement %v", missing)
	}
	ops := reflect.TypeFor[dbapi.StrictServerInterface]().NumMethod()
	if missing := implementsAll(reflect.TypeOf(dbapi.GetDatabase200JSONResponse{})); len(missing) != ops-1 {
		t.Errorf("a response of one operation misses %d of %d interfaces, want all but its own: the check sees nothing", len(missing), ops)
	}
}
