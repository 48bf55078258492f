package mockserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// encodeWant encodes v as the generated handlers do (json.Encoder): the bytes a list answered
// before lists were cached.
func encodeWant(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// listStep is a request of a list test and the status it gets; apply, if set, changes what the
// list should then hold from the answer's body.
type listStep struct {
	name   string
	method string
	path   string
	body   any
	status int
	apply  func(m map[string]any)
}

// TestLists_FirewallRules: the cached rule list is, after every kind of change, byte for byte the
// list encoded from scratch, in creation order; a refused create changes nothing.
func TestLists_FirewallRules(t *testing.T) {
	_, c, clk := start(t)
	const path = "/databases/my-db-123/firewall_rules"
	want := DemoSeed().Databases[0].FirewallRules
	rule := func(m map[string]any) dbapi.FirewallRule {
		var r dbapi.FirewallRule
		b, _ := json.Marshal(m["rule"])
		if err := r.UnmarshalJSON(b); err != nil {
			t.Fatal(err)
		}
		return r
	}
	steps := []listStep{
		{"list as seeded", http.MethodGet, path, nil, 200, nil},
		{"create custom with HTML in the label", http.MethodPost, path, map[string]any{"type": "custom_range", "cidr": "198.51.100.0/24", "label": "<a&b>"}, 201,
			func(m map[string]any) { want = append(want, rule(m)) }},
		{"create managed", http.MethodPost, path, map[string]any{"type": "managed_range", "range_id": "osc-fr1-egress"}, 201,
			func(m map[string]any) { want = append(want, rule(m)) }},
		{"duplicate CIDR", http.MethodPost, path, map[string]any{"type": "custom_range", "cidr": "198.51.100.0/24"}, 422, nil},
		{"duplicate managed range", http.MethodPost, path, map[string]any{"type": "managed_range", "range_id": "eu"}, 422, nil},
		{"update the first label", http.MethodPatch, path + "/6580a2c91ef5f0001b3c5d7e", map[string]any{"firewall_rule": map[string]any{"label": "office (Paris)"}}, 200,
			func(m map[string]any) { want[0] = rule(m) }},
		{"delete the first", http.MethodDelete, path + "/6580a2c91ef5f0001b3c5d7e", nil, 204,
			func(map[string]any) { want = want[1:] }},
		{"delete it again", http.MethodDelete, path + "/6580a2c91ef5f0001b3c5d7e", nil, 404, nil},
		{"its CIDR is free again", http.MethodPost, path, map[string]any{"type": "custom_range", "cidr": "203.0.113.0/24"}, 201,
			func(m map[string]any) { want = append(want, rule(m)) }},
	}
	for _, st := range steps {
		clk.Advance(time.Second)
		m := expect(t, c.do(st.method, st.path, st.body), st.status)
		if st.apply != nil {
			st.apply(m)
		}
		for range 2 { // the second list comes from the cache
			got := c.do(http.MethodGet, path, nil)
			if w := encodeWant(t, dbapi.FirewallRulesResponse{Rules: want}); got.status != 200 || !bytes.Equal(got.body, w) {
				t.Fatalf("after %s: list\n%s\nwant\n%s", st.name, got.body, w)
			}
		}
	}
}

// TestLists_Users: the cached user list is, after creates and deletes, byte for byte the list
// encoded from scratch.
func TestLists_Users(t *testing.T) {
	s, c, _ := start(t)
	const path = "/databases/my-db-123/users"
	steps := []listStep{
		{"list as seeded", http.MethodGet, path, nil, 200, nil},
		{"create", http.MethodPost, path, map[string]any{"database_user": map[string]any{"name": "new-user-1"}}, 201, nil},
		{"create read-only", http.MethodPost, path, map[string]any{"database_user": map[string]any{"name": "new-user-2", "read_only": true}}, 201, nil},
		{"create a taken name", http.MethodPost, path, map[string]any{"database_user": map[string]any{"name": "metabase"}}, 422, nil},
		{"delete a seeded user", http.MethodDelete, path + "/metabase", nil, 204, nil},
		{"delete the protected user", http.MethodDelete, path + "/" + DemoProtectedUser, nil, 403, nil},
		{"recreate the deleted name", http.MethodPost, path, map[string]any{"database_user": map[string]any{"name": "metabase"}}, 201, nil},
	}
	var names []string
	for _, u := range s.Users(DemoDatabaseID) {
		names = append(names, u.Name)
	}
	for _, st := range steps {
		expect(t, c.do(st.method, st.path, st.body), st.status)
		switch {
		case st.method == http.MethodPost && st.status == 201:
			names = append(names, st.body.(map[string]any)["database_user"].(map[string]any)["name"].(string))
		case st.method == http.MethodDelete && st.status == 204:
			names = slices.DeleteFunc(names, func(n string) bool { return n == "metabase" })
		}
		users := s.Users(DemoDatabaseID)
		var got []string
		for _, u := range users {
			got = append(got, u.Name)
		}
		if !slices.Equal(got, names) {
			t.Fatalf("after %s: users %v, want %v in creation order", st.name, got, names)
		}
		want, err := json.Marshal(dbapi.DatabaseUsersResponse{DatabaseUsers: users})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, '\n')
		for range 2 {
			if r := c.do(http.MethodGet, path, nil); r.status != 200 || !bytes.Equal(r.body, want) {
				t.Fatalf("after %s: list\n%s\nwant\n%s", st.name, r.body, want)
			}
		}
	}
}

// TestLists_Backups: the cached backup list follows the clock: a created backup is listed at once,
// then running and done when the clock gets there, never a status late.
func TestLists_Backups(t *testing.T) {
	s, c, clk := start(t, WithBackupTimings(2*time.Second, 5*time.Second))
	const path = "/databases/my-db-123/backups"
	check := func(when string) {
		t.Helper()
		list := make([]backupJSON, 0)
		for _, b := range s.Backups(DemoDatabaseID) {
			list = append(list, toBackupJSON(b))
		}
		want := encodeWant(t, struct {
			DatabaseBackups []backupJSON `json:"database_backups"`
		}{list})
		for range 2 {
			if r := c.do(http.MethodGet, path, nil); r.status != 200 || !bytes.Equal(r.body, want) {
				t.Fatalf("%s: list\n%s\nwant\n%s", when, r.body, want)
			}
		}
	}
	check("as seeded")
	expect(t, c.do(http.MethodPost, path, nil), http.StatusCreated)
	check("after a create")
	clk.Advance(time.Second)
	expect(t, c.do(http.MethodPost, path, nil), http.StatusCreated) // a second, a second later
	for i, step := range []time.Duration{0, 999 * time.Millisecond, time.Millisecond, time.Second, 4 * time.Second, time.Second, time.Second, time.Hour} {
		clk.Advance(step)
		check("step " + string(rune('0'+i)))
	}
	statuses := map[dbapi.BackupStatus]int{}
	for _, b := range s.Backups(DemoDatabaseID)[:2] {
		statuses[b.Status]++
	}
	if statuses[dbapi.BackupStatusDone] != 2 {
		t.Errorf("statuses of the created backups at the end: %v", statuses)
	}
}

// TestLists_SeedRules: a seed may not give two rules one ID; two rules allowing the same range are
// kept, and the range stays taken until both are deleted.
func TestLists_SeedRules(t *testing.T) {
	seed := DemoSeed()
	rules := &seed.Databases[0].FirewallRules
	var dup dbapi.FirewallRule
	_ = dup.FromCustomRangeFirewallRule(dbapi.CustomRangeFirewallRule{ID: "6580a2c91ef5f0001b3c5d7e", Cidr: "192.0.2.0/24"})
	bad := seed
	bad.Databases = slices.Clone(seed.Databases)
	bad.Databases[0].FirewallRules = append(slices.Clone(*rules), dup)
	if _, err := New(WithSeed(bad), WithValidator(testValidator(t))); err == nil {
		t.Error("a seed with two rules of one ID was accepted")
	}

	var same dbapi.FirewallRule
	_ = same.FromCustomRangeFirewallRule(dbapi.CustomRangeFirewallRule{ID: "6580a2c91ef5f0001b3c5d80", Cidr: "203.0.113.0/24"})
	*rules = append(*rules, same)
	_, c, _ := start(t, WithSeed(seed))
	const path = "/databases/my-db-123/firewall_rules"
	create := map[string]any{"type": "custom_range", "cidr": "203.0.113.0/24"}
	expect(t, c.do(http.MethodPost, path, create), http.StatusUnprocessableEntity)
	expect(t, c.do(http.MethodDelete, path+"/6580a2c91ef5f0001b3c5d7e", nil), http.StatusNoContent)
	expect(t, c.do(http.MethodPost, path, create), http.StatusUnprocessableEntity)
	expect(t, c.do(http.MethodDelete, path+"/6580a2c91ef5f0001b3c5d80", nil), http.StatusNoContent)
	expect(t, c.do(http.MethodPost, path, create), http.StatusCreated)
}
