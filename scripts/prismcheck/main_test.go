package main

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalingodb/dbapi-go/gen/dbapispec"
)

// TestWeakOperations checks which operations get a null from the wrong upstream: exactly those
// whose success answer takes any object, so that {"wrong":true} would not be wrong for them.
func TestWeakOperations(t *testing.T) {
	doc, err := dbapispec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	var weak []string
	for _, r := range exampleRequests(doc) {
		if r.weak {
			weak = append(weak, r.op)
		}
	}
	slices.Sort(weak)
	want := []string{"getDatabaseLag", "getDatabaseMetricsByType", "getInstanceMetricsByType", "pingDatabase"}
	if diff := cmp.Diff(want, weak); diff != "" {
		t.Errorf("weakly described operations (-want +got):\n%s", diff)
	}
}

func TestWrongAnswer(t *testing.T) {
	h := wrongAnswer(map[string]bool{"GET /databases/my-db-123/lag": true})
	tests := []struct {
		method, path, want string
	}{
		{http.MethodGet, "/api/databases/my-db-123/lag", "null"},
		{http.MethodPost, "/api/databases/my-db-123/lag", wrongObject},
		{http.MethodGet, "/api/databases/my-db-123", wrongObject},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			if rec.Code != http.StatusOK || rec.Body.String() != tt.want {
				t.Errorf("answered %d %s, want 200 %s", rec.Code, rec.Body, tt.want)
			}
		})
	}
}

// TestParametersOverride checks that an operation's parameter replaces its path's of the same name.
func TestParametersOverride(t *testing.T) {
	doc, err := dbapispec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	item := doc.Paths.Find("/databases/{database_id}/firewall_rules/{firewall_rule_id}")
	for method, wantRef := range map[string]string{
		http.MethodPatch:  "#/components/parameters/LabelledFirewallRuleID",
		http.MethodDelete: "#/components/parameters/FirewallRuleID",
	} {
		var refs []string
		for _, p := range parameters(item, item.GetOperation(method)) {
			if p.Value.Name == "firewall_rule_id" {
				refs = append(refs, p.Ref)
			}
		}
		if diff := cmp.Diff([]string{wantRef}, refs); diff != "" {
			t.Errorf("%s firewall_rule_id (-want +got):\n%s", method, diff)
		}
	}
}
