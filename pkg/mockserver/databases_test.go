package mockserver

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDatabases_Update(t *testing.T) {
	_, c, _ := start(t)
	tests := []struct {
		name, method string
		body         map[string]any
		status       int
		check        func(db map[string]any) bool
	}{
		{"one hour (PATCH)", http.MethodPatch, map[string]any{"periodic_backups_enabled": false, "periodic_backups_scheduled_at": 5}, 200,
			func(db map[string]any) bool {
				return db["periodic_backups_enabled"] == false && fmt.Sprint(db["periodic_backups_scheduled_at"]) == "[5]"
			}},
		{"list of hours (PUT)", http.MethodPut, map[string]any{"periodic_backups_scheduled_at": []int{12, 2}}, 200,
			func(db map[string]any) bool { return fmt.Sprint(db["periodic_backups_scheduled_at"]) == "[2 12]" }},
		{"maintenance window", http.MethodPatch, map[string]any{"maintenance_window": map[string]any{"weekday_utc": 0, "starting_hour_utc": 4}}, 200,
			func(db map[string]any) bool {
				return at(db, "maintenance_window.weekday_utc") == 0.0 && at(db, "maintenance_window.starting_hour_utc") == 4.0 &&
					at(db, "maintenance_window.duration_in_hour") == 8.0
			}},
		{"hour out of range", http.MethodPatch, map[string]any{"periodic_backups_scheduled_at": 24}, 422, nil},
		{"weekday out of range", http.MethodPatch, map[string]any{"maintenance_window": map[string]any{"weekday_utc": 7}}, 422, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := expect(t, c.do(tc.method, "/databases/my-db-123", map[string]any{"database": tc.body}), tc.status)
			if tc.check == nil {
				return
			}
			if db, _ := m["database"].(map[string]any); !tc.check(db) {
				t.Errorf("update answer: %v", db)
			}
			// Persisted: a later read shows it.
			again := expect(t, c.do(http.MethodGet, "/databases/my-db-123", nil), http.StatusOK)
			if !tc.check(again["database"].(map[string]any)) {
				t.Errorf("not persisted: %v", again["database"])
			}
		})
	}
	expect(t, c.do(http.MethodPatch, "/databases/my-db-123", `{"database":`), http.StatusBadRequest)
}

func TestDatabases_Features(t *testing.T) {
	_, c, clk := start(t, WithFeatureActivation(3*time.Second))
	feature := func(name string) any {
		db := expect(t, c.do(http.MethodGet, "/databases/my-db-123", nil), http.StatusOK)
		for _, f := range at(db, "database.features").([]any) {
			if f.(map[string]any)["name"] == name {
				return f.(map[string]any)["status"]
			}
		}
		return nil
	}
	// publicly-available needs force-ssl, which the demo database has.
	m := expect(t, c.do(http.MethodPost, "/databases/my-db-123/features", map[string]any{"feature": map[string]any{"name": "publicly-available"}}), http.StatusOK)
	if m["status"] != "PENDING_TO_ACTIVATE" {
		t.Errorf("enable: %v", m)
	}
	if got := feature("publicly-available"); got != "PENDING_TO_ACTIVATE" {
		t.Errorf("before the delay: %v", got)
	}
	clk.Advance(3 * time.Second)
	if got := feature("publicly-available"); got != "ACTIVATED" {
		t.Errorf("after the delay: %v", got)
	}
	for _, name := range []string{"redis-aof", "warp-drive"} { // redis-aof is Redis only
		m := expect(t, c.do(http.MethodPost, "/databases/my-db-123/features", map[string]any{"feature": map[string]any{"name": name}}), http.StatusUnprocessableEntity)
		if m["errors"] == nil {
			t.Errorf("%s: %v", name, m)
		}
	}
	// On a database without force-ssl, publicly-available is refused.
	expect(t, c.do(http.MethodPost, "/databases/my-mysql-123/features", map[string]any{"feature": map[string]any{"name": "publicly-available"}}), http.StatusUnprocessableEntity)

	d := expect(t, c.do(http.MethodDelete, "/databases/my-db-123/features?feature=publicly-available", nil), http.StatusOK)
	if !strings.Contains(fmt.Sprint(d["message"]), "disabled") || feature("publicly-available") != nil {
		t.Errorf("disable: %v, feature %v", d, feature("publicly-available"))
	}
	// Feature names are an enum of the spec: an unknown one is a malformed request.
	expect(t, c.do(http.MethodDelete, "/databases/my-db-123/features?feature=warp-drive", nil), http.StatusBadRequest)
	// A known feature of another engine is well formed, and refused.
	expect(t, c.do(http.MethodDelete, "/databases/my-db-123/features?feature=redis-aof", nil), http.StatusUnprocessableEntity)
	expect(t, c.do(http.MethodDelete, "/databases/my-db-123/features", nil), http.StatusBadRequest)
}

func TestDatabases_UpgradeAndPITR(t *testing.T) {
	_, c, _ := start(t)
	r := c.do(http.MethodPost, "/databases/my-db-123/upgrade", nil)
	m := expect(t, r, http.StatusAccepted)
	if m["id"] != "668be5e8b07f4c00121ab5e7" || m["operation_id"] == nil || !strings.HasPrefix(r.header.Get("Location"), "http://127.0.0.1:") {
		t.Errorf("upgrade: %v, Location %q", m, r.header.Get("Location"))
	}
	db := expect(t, c.do(http.MethodGet, "/databases/my-db-123", nil), http.StatusOK)
	if at(db, "database.current_operation_id") != m["operation_id"] {
		t.Errorf("current_operation_id %v, want %v", at(db, "database.current_operation_id"), m["operation_id"])
	}
	expect(t, c.do(http.MethodPost, "/databases/my-mysql-123/upgrade", nil), http.StatusUnprocessableEntity)

	tests := []struct {
		db     string
		when   time.Time
		status int
	}{
		{"my-db-123", t0.Add(-time.Hour), http.StatusCreated},
		{"my-db-123", t0.AddDate(0, 0, -8), http.StatusUnprocessableEntity}, // before the window
		{"my-db-123", t0.Add(time.Hour), http.StatusUnprocessableEntity},    // in the future
		{"my-mysql-123", t0.Add(-time.Hour), http.StatusUnprocessableEntity},
	}
	for _, tc := range tests {
		m := expect(t, c.do(http.MethodPost, "/databases/"+tc.db+"/pitr/restore", map[string]any{"restore_time": tc.when.Format(time.RFC3339)}), tc.status)
		if tc.status == http.StatusCreated && (at(m, "operation.type") != "pitr_restore" || at(m, "operation.status") != "pending") {
			t.Errorf("restore: %v", m)
		}
	}
	w := expect(t, c.do(http.MethodGet, "/databases/my-db-123/pitr/recovery_window", nil), http.StatusOK)
	if at(w, "recovery_window.latest_recoverable_at") != t0.Format(time.RFC3339) {
		t.Errorf("recovery window %v", w)
	}
	expect(t, c.do(http.MethodGet, "/databases/my-es-123/pitr/recovery_window", nil), http.StatusNotFound)
}

func TestDatabases_Actions(t *testing.T) {
	_, c, _ := start(t)
	tests := []struct {
		db, action string
		params     any
		ok         float64
		result     string // JSON of the result, "" to skip
	}{
		{"my-db-123", "list-extensions", nil, 1, `[{"name":"plpgsql","version":"v1.0"},{"name":"postgis","version":"v3.4.0"}]`},
		{"my-db-123", "pg-list-queries", nil, 1, ""},
		{"my-db-123", "pg-cancel-query", map[string]any{"pid": 2000}, 1, ""},
		{"my-db-123", "pg-terminate-query", map[string]any{"pid": 42}, 0, ""},
		{"my-db-123", "pg-stat-statements-list", nil, 1, ""},
		{"my-db-123", "list-databases", nil, 0, ""}, // a MySQL action
		{"my-mysql-123", "list-databases", nil, 1, `[{"name":"my-mysql-123","protected":true}]`},
		{"my-mysql-123", "create-database", map[string]any{"database_name": "custom-db"}, 1, `{"name":"custom-db","protected":false}`},
		{"my-mysql-123", "create-database", map[string]any{"database_name": "custom-db"}, 0, ""},
		{"my-mysql-123", "list-databases", nil, 1, `[{"name":"my-mysql-123","protected":true},{"name":"custom-db","protected":false}]`},
		{"my-mysql-123", "delete-database", map[string]any{"database_name": "my-mysql-123"}, 0, ""},
		{"my-mysql-123", "delete-database", map[string]any{"database_name": "custom-db"}, 1, ""},
		{"my-mysql-123", "set-sqlmode", "NO_ZERO_DATE", 1, ""},
		{"my-mysql-123", "get-sqlmode", nil, 1, `"NO_ZERO_DATE"`},
		{"my-mysql-123", "explode", nil, 0, ""},
	}
	for _, tc := range tests {
		m := expect(t, c.do(http.MethodPost, "/databases/"+tc.db+"/action", map[string]any{"action_name": tc.action, "params": tc.params}), http.StatusOK)
		if m["ok"] != tc.ok {
			t.Errorf("%s on %s: %v", tc.action, tc.db, m)
			continue
		}
		if tc.ok == 0 && m["error"] == nil {
			t.Errorf("%s on %s: failure without error: %v", tc.action, tc.db, m)
		}
		if tc.result != "" {
			got, _ := json.Marshal(m["result"])
			if string(got) != tc.result {
				t.Errorf("%s on %s: result %s, want %s", tc.action, tc.db, got, tc.result)
			}
		}
	}
}

func TestMaintenance_Pagination(t *testing.T) {
	_, c, _ := start(t)
	tests := []struct {
		query            string
		n                int
		firstID          string
		prev, next       any
		pages            float64
		status           int
		currentPage, per float64
	}{
		{"", 20, "my-maintenance-1", nil, 2.0, 2, 200, 1, 20},
		{"?page=2", 6, "my-maintenance-21", 1.0, nil, 2, 200, 2, 20},
		{"?page=2&per_page=10", 10, "my-maintenance-11", 1.0, 3.0, 3, 200, 2, 10},
		{"?page=9&per_page=10", 0, "", 3.0, nil, 3, 200, 9, 10},
		{"?per_page=100", 26, "my-maintenance-1", nil, nil, 1, 200, 1, 100},
		{"?page=9223372036854775807&per_page=100", 0, "", 1.0, nil, 1, 200, 9223372036854775807, 100},
		{"?per_page=101", 0, "", nil, nil, 0, 400, 0, 0},
		{"?page=0", 0, "", nil, nil, 0, 400, 0, 0},
	}
	for _, tc := range tests {
		r := c.do(http.MethodGet, "/databases/my-db-123/maintenance"+tc.query, nil)
		if tc.status != 200 {
			if r.status != 400 && r.status != 422 {
				t.Errorf("%s: status %d, want 400 or 422", tc.query, r.status)
			}
			continue
		}
		m := expect(t, r, 200)
		items := m["maintenance"].([]any)
		p := at(m, "meta.pagination").(map[string]any)
		if len(items) != tc.n || (tc.n > 0 && at(m, "maintenance.0.id") != tc.firstID) ||
			p["prev_page"] != tc.prev || p["next_page"] != tc.next || p["total_pages"] != tc.pages ||
			p["total_count"] != 26.0 || p["current_page"] != tc.currentPage || p["per_page"] != tc.per {
			t.Errorf("%s: %d items, first %v, pagination %v", tc.query, len(items), at(m, "maintenance.0.id"), p)
		}
	}
	one := expect(t, c.do(http.MethodGet, "/databases/my-db-123/maintenance/my-maintenance-26", nil), http.StatusOK)
	if one["id"] != "my-maintenance-26" || one["status"] != "scheduled" {
		t.Errorf("bare maintenance: %v", one)
	}
	expect(t, c.do(http.MethodGet, "/databases/my-db-123/maintenance/nope", nil), http.StatusNotFound)
}

func TestFirewallRules(t *testing.T) {
	_, c, _ := start(t)
	const rules = "/databases/my-db-123/firewall_rules"
	// A 422 names the fields the request sent that are wrong, and only those.
	tests := []struct {
		name   string
		body   map[string]any
		status int
		fields []string // the keys of a 422's errors
	}{
		{"custom range", map[string]any{"type": "custom_range", "cidr": "198.51.100.0/24", "label": "vpn"}, 201, nil},
		{"duplicate", map[string]any{"type": "custom_range", "cidr": "198.51.100.0/24"}, 422, []string{"cidr"}},
		{"bad cidr", map[string]any{"type": "custom_range", "cidr": "300.1.2.3/40"}, 422, []string{"cidr"}},
		{"no cidr", map[string]any{"type": "custom_range"}, 422, []string{"cidr"}},
		{"managed range", map[string]any{"type": "managed_range", "range_id": "osc-fr1-egress"}, 201, nil},
		{"duplicate managed range", map[string]any{"type": "managed_range", "range_id": "osc-fr1-egress"}, 422, []string{"range_id"}},
		{"unknown range", map[string]any{"type": "managed_range", "range_id": "mars"}, 422, []string{"range_id"}},
		{"unknown type", map[string]any{"type": "any"}, 422, []string{"type"}},
	}
	var ids []string
	for _, tc := range tests {
		m := expect(t, c.do(http.MethodPost, rules, tc.body), tc.status)
		if tc.status == 201 {
			ids = append(ids, at(m, "rule.id").(string))
			continue
		}
		errs, _ := m["errors"].(map[string]any)
		if got := slices.Sorted(maps.Keys(errs)); !slices.Equal(got, tc.fields) {
			t.Errorf("%s: errors on %v, want %v: %v", tc.name, got, tc.fields, m)
		}
	}
	list := expect(t, c.do(http.MethodGet, rules, nil), http.StatusOK)
	if n := len(list["rules"].([]any)); n != 4 {
		t.Errorf("%d rules, want 4", n)
	}
	for _, id := range ids {
		expect(t, c.do(http.MethodDelete, rules+"/"+id, nil), http.StatusNoContent)
		expect(t, c.do(http.MethodDelete, rules+"/"+id, nil), http.StatusNotFound)
	}
	ranges := expect(t, c.do(http.MethodGet, "/firewall/managed_ranges", nil), http.StatusOK)
	if at(ranges, "ranges.0.id") != "eu" {
		t.Errorf("ranges %v", ranges)
	}
}

func TestDatabases_ReadOnlyResources(t *testing.T) {
	_, c, _ := start(t)
	tests := []struct {
		path   string
		status int
		check  func(body string) bool
	}{
		{"/databases/my-es-123/health", 200, func(b string) bool { return strings.Contains(b, `"status":"green"`) }},
		{"/databases/my-db-123/health", 404, nil},
		{"/databases/my-db-123/instances_status", 200, func(b string) bool { return strings.HasPrefix(b, "[") && strings.Contains(b, `"role":"leader"`) }},
		{"/databases/my-db-123/metrics", 200, func(b string) bool { return strings.Contains(b, `"cpu_usage"`) }},
		{"/databases/my-db-123/logs", 200, func(b string) bool { return strings.Contains(b, `"url":"https://logs.scalingo.com/`) }},
		{"/databases/my-db-123/logs_archives", 200, func(b string) bool {
			return strings.Contains(b, `"next_cursor":"2"`) && strings.Contains(b, `"has_more":true`)
		}},
		{"/databases/my-db-123/logs_archives?cursor=3", 200, func(b string) bool { return strings.Contains(b, `"has_more":false`) }},
		{"/databases/my-db-123/logs_archives?page=2", 200, func(b string) bool { return strings.Contains(b, `"next_cursor":"3"`) }},
		{"/databases/my-db-123/logs_archives?cursor=zz", 422, nil},
		{"/databases/my-db-123/logs_archives?page=9223372036854775807", 200, func(b string) bool {
			return strings.Contains(b, `"archives":[]`) && strings.Contains(b, `"has_more":false`)
		}},
		{"/database_type_versions/5f217c7a406c12000e889be3", 200, func(b string) bool { return strings.Contains(b, `"next_upgrade":{`) }},
		{"/database_type_versions/nope", 404, nil},
	}
	for _, tc := range tests {
		r := c.do(http.MethodGet, tc.path, nil)
		expect(t, reply{status: r.status, body: nil}, tc.status)
		if tc.check != nil && !tc.check(r.String()) {
			t.Errorf("%s: %s", tc.path, r)
		}
	}
}
