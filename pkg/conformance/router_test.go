package conformance

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/google/go-cmp/cmp"
)

// TestRouter_AgreesWithGorillamux checks the path walk against kin-openapi's gorillamux router (built
// on the same spec with the relative server /api) for every operation, on the real hosts, on
// 127.0.0.1 and with path-only server-side URLs, and for requests that must not match.
func TestRouter_AgreesWithGorillamux(t *testing.T) {
	v := mustNew(t)
	mux, err := gorillamux.NewRouter(v.doc)
	if err != nil {
		t.Fatal(err)
	}
	bases := []string{
		"https://db-api.osc-fr1.scalingo.com",
		"https://db-api.osc-secnum-fr1.scalingo.com",
		"http://127.0.0.1:41234",
		"", // path-only, as a server sees it
	}
	var urls []struct{ method, url string }
	for _, o := range v.Operations() {
		path := o.Path
		for _, name := range []string{"database_id", "backup_id", "username", "maintenance_id", "firewall_rule_id", "database_type_version_id"} {
			path = strings.ReplaceAll(path, "{"+name+"}", "id-"+strings.ReplaceAll(name, "_", "-"))
		}
		for _, base := range bases {
			urls = append(urls,
				struct{ method, url string }{o.Method, base + "/api" + path},
				struct{ method, url string }{o.Method, base + "/api" + path + "?page=2"},
				struct{ method, url string }{http.MethodTrace, base + "/api" + path},
				struct{ method, url string }{o.Method, base + path},
				struct{ method, url string }{o.Method, base + "/api" + path + "/extra"},
			)
		}
	}
	urls = append(urls,
		struct{ method, url string }{http.MethodGet, "http://127.0.0.1/api/databases/a%2Fb/users"},
		struct{ method, url string }{http.MethodGet, "http://127.0.0.1/api/databases/caf%C3%A9/users"},
		struct{ method, url string }{http.MethodGet, "http://127.0.0.1/api/databases//users"},
		struct{ method, url string }{http.MethodGet, "http://127.0.0.1/api/"},
		struct{ method, url string }{http.MethodGet, "http://127.0.0.1/api"},
	)
	matched := 0
	for _, u := range urls {
		req := httptest.NewRequest(u.method, "http://placeholder/", nil)
		req.URL = mustParse(t, u.url)
		wantRoute, wantParams, wantErr := mux.FindRoute(req)
		info, gotParams, miss := v.router.find(req.Method, req.URL, true)
		if (wantErr == nil) != (miss == 0) {
			t.Errorf("%s %s: gorillamux err = %v, path walk miss = %d", u.method, u.url, wantErr, miss)
			continue
		}
		if wantErr != nil {
			continue
		}
		matched++
		if info.kin != wantRoute.Operation {
			t.Errorf("%s %s: path walk chose %s, gorillamux %s", u.method, u.url, info.op.ID, wantRoute.Operation.OperationID)
		}
		if diff := cmp.Diff(wantParams, gotParams); diff != "" {
			t.Errorf("%s %s: path params (-gorillamux +walk):\n%s", u.method, u.url, diff)
		}
	}
	if matched < 31*len(bases) {
		t.Fatalf("only %d requests matched", matched)
	}
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req.URL
}
