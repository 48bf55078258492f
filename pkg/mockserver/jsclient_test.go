package mockserver

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Operation timings of the tests below: pending (scheduled) 1s, then running 3s.
const (
	opPending = time.Second
	opRunning = 3 * time.Second
)

func TestBackupRestoration_Lifecycle(t *testing.T) {
	_, c, clk := start(t, WithOperationTimings(opPending, opRunning))
	created := expect(t, c.do(http.MethodPost, "/databases/my-db-123/backups/"+DemoBackupID+"/restore", nil), http.StatusCreated)
	id, _ := created["id"].(string)
	if id == "" || created["backup_restoration"] != nil {
		t.Fatalf("restore answered %v, want a bare restoration", created)
	}
	if created["source_backup_id"] != DemoBackupID || created["method"] != "backup" || created["started_at"] != nil {
		t.Errorf("restoration = %v", created)
	}
	opID, _ := at(expect(t, c.do(http.MethodGet, "/databases/my-db-123", nil), http.StatusOK), "database.current_operation_id").(string)
	if opID == "" {
		t.Fatal("the restoration started no current operation")
	}
	tests := []struct {
		advance         time.Duration
		status, opState string
		started, ended  bool
	}{
		{0, "scheduled", "pending", false, false},
		{opPending, "running", "running", true, false},
		{opRunning - time.Millisecond, "running", "running", true, false},
		{time.Millisecond, "done", "finished", true, true},
	}
	for _, tt := range tests {
		clk.Advance(tt.advance)
		r := at(expect(t, c.do(http.MethodGet, "/databases/my-db-123/backup_restorations/"+id, nil), http.StatusOK), "backup_restoration").(map[string]any)
		if r["status"] != tt.status || (r["started_at"] != nil) != tt.started || (r["ended_at"] != nil) != tt.ended {
			t.Errorf("after %v: restoration %v, want %s (started %t, ended %t)", clk.Now().Sub(t0), r, tt.status, tt.started, tt.ended)
		}
		op := expect(t, c.do(http.MethodGet, "/databases/my-db-123/operations/"+opID, nil), http.StatusOK)
		if got := at(op, "operation.status"); got != tt.opState {
			t.Errorf("after %v: operation status %v, want %s", clk.Now().Sub(t0), got, tt.opState)
		}
	}
	if got := at(expect(t, c.do(http.MethodGet, "/databases/my-db-123", nil), http.StatusOK), "database.current_operation_id"); got != nil {
		t.Errorf("current_operation_id = %v after the operation finished, want null", got)
	}
}

func TestRestoreBackup_Refusals(t *testing.T) {
	_, c, _ := start(t)
	tests := []struct {
		name, path string
		status     int
		field      string // of a 422
	}{
		{"unknown database", "/databases/nope/backups/" + DemoBackupID + "/restore", http.StatusNotFound, ""},
		{"unknown backup", "/databases/my-db-123/backups/nope/restore", http.StatusNotFound, ""},
		{"backup of another database", "/databases/my-es-123/backups/" + DemoBackupID + "/restore", http.StatusNotFound, ""},
		{"backup in error", "/databases/my-db-123/backups/5bb95a904ffb096e9a2831b8/restore", http.StatusUnprocessableEntity, "backup"},
		{"running backup", "/databases/my-db-123/backups/5bde44904ffb096c714be89c/restore", http.StatusUnprocessableEntity, "backup"},
		{"unknown restoration", "/databases/my-db-123/backup_restorations/nope", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := http.MethodPost
			if strings.Contains(tt.path, "backup_restorations") {
				method = http.MethodGet
			}
			m := expect(t, c.do(method, tt.path, nil), tt.status)
			if tt.field != "" && at(m, "errors."+tt.field) == nil {
				t.Errorf("422 %v does not name %s", m, tt.field)
			}
		})
	}
}

func TestUpgrade_LocationIsTheOperation(t *testing.T) {
	_, c, clk := start(t, WithOperationTimings(opPending, opRunning))
	r := c.do(http.MethodPost, "/databases/my-db-123/upgrade", nil)
	body := expect(t, r, http.StatusAccepted)
	loc, err := url.Parse(r.header.Get("Location"))
	if err != nil || !loc.IsAbs() {
		t.Fatalf("Location %q: %v", r.header.Get("Location"), err)
	}
	want := "/api/databases/my-db-123/operations/" + body["operation_id"].(string)
	if loc.Path != want {
		t.Fatalf("Location path %s, want %s", loc.Path, want)
	}
	follow := func() map[string]any {
		t.Helper()
		return expect(t, c.do(http.MethodGet, loc.String(), nil), http.StatusOK)["operation"].(map[string]any)
	}
	op := follow()
	if op["type"] != "upgrade" || op["status"] != "pending" || op["finished_at"] != nil {
		t.Errorf("operation %v, want a pending upgrade", op)
	}
	if _, ok := op["error"]; !ok {
		t.Error("the operation has no error key; it should be null")
	}
	clk.Advance(opPending + opRunning)
	op = follow()
	if op["status"] != "finished" || op["finished_at"] == nil {
		t.Errorf("operation %v, want finished", op)
	}
	// An operation is found under its own database only.
	expect(t, c.do(http.MethodGet, "/databases/my-es-123/operations/"+op["id"].(string), nil), http.StatusNotFound)
}

// goScalingoOperation has the JSON tags of the official Go client's Operation (go-scalingo,
// operations.go), the struct its operation show decodes into.
type goScalingoOperation struct {
	ID         string    `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	FinishedAt time.Time `json:"finished_at"`
	Status     string    `json:"status"`
	Type       string    `json:"type"`
	Error      string    `json:"error"`
}

// goScalingoOperationResponse is go-scalingo's envelope of an operation.
type goScalingoOperationResponse struct {
	Op goScalingoOperation `json:"operation"`
}

// TestGetDatabaseOperation_DecodesAsGoScalingo decodes the mock's answers, pending then finished,
// as the official Go client does, and checks every field.
func TestGetDatabaseOperation_DecodesAsGoScalingo(t *testing.T) {
	_, c, clk := start(t, WithOperationTimings(opPending, opRunning))
	restoreTime := t0.Add(-time.Hour).Format(time.RFC3339)
	created := expect(t, c.do(http.MethodPost, "/databases/my-db-123/pitr/restore", map[string]any{"restore_time": restoreTime}), http.StatusCreated)
	id := at(created, "operation.id").(string)
	tests := []struct {
		name    string
		advance time.Duration
		want    goScalingoOperation
	}{
		{"pending", 0, goScalingoOperation{ID: id, CreatedAt: t0, Status: "pending", Type: "pitr_restore"}},
		{"finished", opPending + opRunning, goScalingoOperation{ID: id, CreatedAt: t0, FinishedAt: t0.Add(opPending + opRunning), Status: "finished", Type: "pitr_restore"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk.Advance(tt.advance)
			r := c.do(http.MethodGet, "/databases/my-db-123/operations/"+id, nil)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			var got goScalingoOperationResponse
			if err := json.Unmarshal(r.body, &got); err != nil {
				t.Fatalf("go-scalingo's Operation does not decode %s: %v", r.body, err)
			}
			if diff := cmp.Diff(tt.want, got.Op, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("decoded operation (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUpdateFirewallRule(t *testing.T) {
	_, c, clk := start(t)
	clk.Advance(time.Minute)
	body := map[string]any{"firewall_rule": map[string]any{"label": "office (Paris)"}}
	got := expect(t, c.do(http.MethodPatch, "/databases/my-db-123/firewall_rules/6580a2c91ef5f0001b3c5d7e", body), http.StatusOK)
	if at(got, "rule.label") != "office (Paris)" || at(got, "rule.cidr") != "203.0.113.0/24" {
		t.Errorf("updated rule %v", got)
	}
	if at(got, "rule.updated_at") != t0.Add(time.Minute).Format(time.RFC3339) {
		t.Errorf("updated_at = %v, want the clock's time", at(got, "rule.updated_at"))
	}
	list := expect(t, c.do(http.MethodGet, "/databases/my-db-123/firewall_rules", nil), http.StatusOK)
	if at(list, "rules.0.label") != "office (Paris)" {
		t.Errorf("listed rule %v keeps its old label", at(list, "rules.0"))
	}
	tests := []struct {
		name, path string
		body       any
		status     int
	}{
		{"unknown rule", "/databases/my-db-123/firewall_rules/nope", body, http.StatusNotFound},
		{"rule of another database", "/databases/my-es-123/firewall_rules/6580a2c91ef5f0001b3c5d7e", body, http.StatusNotFound},
		{"empty label", "/databases/my-db-123/firewall_rules/6580a2c91ef5f0001b3c5d7e", map[string]any{"firewall_rule": map[string]any{"label": ""}}, http.StatusUnprocessableEntity},
		{"no envelope", "/databases/my-db-123/firewall_rules/6580a2c91ef5f0001b3c5d7e", map[string]any{"label": "x"}, http.StatusUnprocessableEntity},
		{"not JSON", "/databases/my-db-123/firewall_rules/6580a2c91ef5f0001b3c5d7e", `{"firewall_rule":`, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, c.do(http.MethodPatch, tt.path, tt.body), tt.status)
		})
	}
}

func TestGetCaCertificate(t *testing.T) {
	_, c, _ := start(t)
	r := c.do(http.MethodGet, "/ca_certificate", nil)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != CACertificateContentType {
		t.Fatalf("status %d, Content-Type %q", r.status, r.header.Get("Content-Type"))
	}
	block, rest := pem.Decode(r.body)
	if block == nil || block.Type != "CERTIFICATE" || len(strings.TrimSpace(string(rest))) != 0 {
		t.Fatalf("not one PEM certificate: %q", r.body)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if !cert.IsCA {
		t.Error("the certificate is not a CA")
	}
	again := c.do(http.MethodGet, "/ca_certificate", nil)
	if string(again.body) != string(r.body) {
		t.Error("the CA certificate changed between two calls")
	}
}

func TestTypesAndPlans(t *testing.T) {
	_, c, _ := start(t)
	types := expect(t, c.do(http.MethodGet, "/database_types", nil), http.StatusOK)["database_types"].([]any)
	byName := map[string]string{}
	for _, ty := range types {
		m := ty.(map[string]any)
		byName[m["name"].(string)] = m["id"].(string)
	}
	// Every demo database's type is listed under its type_id, and its plan is served.
	for _, db := range DemoSeed().Databases {
		d := db.Database
		if byName[d.TypeName] != d.TypeID {
			t.Errorf("type %s listed as %q, want the database's type_id %s", d.TypeName, byName[d.TypeName], d.TypeID)
		}
		ty := expect(t, c.do(http.MethodGet, "/database_types/"+d.TypeID, nil), http.StatusOK)
		if at(ty, "database_type.name") != d.TypeName {
			t.Errorf("getDatabaseType %s = %v", d.TypeID, ty)
		}
		plan := expect(t, c.do(http.MethodGet, "/databases/"+d.ResourceID+"/plan", nil), http.StatusOK)
		if at(plan, "plan.name") != d.Plan {
			t.Errorf("plan of %s = %v, want %s", d.ResourceID, at(plan, "plan.name"), d.Plan)
		}
		byType := expect(t, c.do(http.MethodGet, "/plans/"+d.Plan+"?type="+d.TypeName, nil), http.StatusOK)
		if diff := cmp.Diff(plan, byType); diff != "" {
			t.Errorf("getPlan and getDatabasePlan disagree on %s (-database +plan):\n%s", d.Plan, diff)
		}
	}
	tests := []struct {
		name, path string
		status     int
	}{
		{"unknown type", "/database_types/nope", http.StatusNotFound},
		{"plan of another type", "/plans/postgresql-starter-512?type=mysql", http.StatusNotFound},
		{"unknown plan", "/plans/nope?type=postgresql", http.StatusNotFound},
		{"plan of a type outside the enum (400, as for a feature)", "/plans/postgresql-starter-512?type=oracle", http.StatusBadRequest},
		{"plan of a type the seed lacks", "/plans/postgresql-starter-512?type=mongodb", http.StatusNotFound},
		{"plan without its type", "/plans/postgresql-starter-512", http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, c.do(http.MethodGet, tt.path, nil), tt.status)
		})
	}
}

func TestMetricsByType(t *testing.T) {
	_, c, _ := start(t)
	tests := []struct {
		name, path string
		status     int
		points     int
	}{
		{"default look-back", "/databases/my-db-123/metrics/cpu", http.StatusOK, 18},
		{"one hour", "/databases/my-db-123/metrics/memory?since=1", http.StatusOK, 6},
		{"last value", "/databases/my-db-123/metrics/disk?since=24&last=true", http.StatusOK, 1},
		{"instance", "/databases/my-db-123/instances/a541dfb5-1fa6-40d7-87de-159ab721322c/metrics/cpu?since=2", http.StatusOK, 12},
		{"unknown metric", "/databases/my-db-123/metrics/temperature", http.StatusNotFound, 0},
		{"unknown instance", "/databases/my-db-123/instances/nope/metrics/cpu", http.StatusNotFound, 0},
		{"instance of another database", "/databases/my-es-123/instances/a541dfb5-1fa6-40d7-87de-159ab721322c/metrics/cpu", http.StatusNotFound, 0},
		{"look-back too long", "/databases/my-db-123/metrics/cpu?since=72", http.StatusUnprocessableEntity, 0},
		{"look-back of zero", "/databases/my-db-123/metrics/cpu?since=0", http.StatusUnprocessableEntity, 0},
		{"look-back not a number", "/databases/my-db-123/metrics/cpu?since=many", http.StatusBadRequest, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.do(http.MethodGet, tt.path, nil)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.status != http.StatusOK {
				return
			}
			var points []struct {
				Time  time.Time `json:"time"`
				Value float64   `json:"value"`
			}
			if err := json.Unmarshal(r.body, &points); err != nil {
				t.Fatal(err)
			}
			if len(points) != tt.points {
				t.Fatalf("%d points, want %d", len(points), tt.points)
			}
			last := points[len(points)-1].Time
			if last.After(t0) || t0.Sub(last) >= 10*time.Minute {
				t.Errorf("last point at %v, want within 10 minutes before %v", last, t0)
			}
		})
	}
}

func TestLagAndPing(t *testing.T) {
	_, c, _ := start(t)
	lag := expect(t, c.do(http.MethodGet, "/databases/my-db-123/lag", nil), http.StatusOK)
	want := map[string]any{"lag_in_bytes": map[string]any{"9597fb2e-b3ee-4917-bca8-d7c4333c8cc6": float64(0)}}
	if diff := cmp.Diff(want, lag); diff != "" {
		t.Errorf("lag of my-db-123 (-want +got):\n%s", diff)
	}
	expect(t, c.do(http.MethodGet, "/databases/nope/lag", nil), http.StatusNotFound)
	if got := expect(t, c.do(http.MethodPost, "/databases/my-db-123/ping", nil), http.StatusOK); got["message"] != "pong" {
		t.Errorf("ping = %v", got)
	}
	expect(t, c.do(http.MethodPost, "/databases/nope/ping", nil), http.StatusNotFound)
}

// TestJSOnlyOperations_Faults shows that the fault injection covers these operations too: a
// restore answered 5xx after it ran is logged as applied.
func TestJSOnlyOperations_Faults(t *testing.T) {
	s, c, _ := start(t, WithFaults(Faults{ErrorRate: 1, Seed: 1}))
	paths := []struct{ method, path string }{
		{http.MethodPost, "/databases/my-db-123/backups/" + DemoBackupID + "/restore"},
		{http.MethodGet, "/ca_certificate"},
		{http.MethodGet, "/databases/my-db-123/lag"},
	}
	for _, p := range paths {
		if r := c.do(p.method, p.path, nil); r.status < 500 {
			t.Errorf("%s %s: status %d under ErrorRate 1", p.method, p.path, r.status)
		}
	}
	log := s.FaultLog()
	if len(log) != len(paths) {
		t.Fatalf("fault log %v, want %d records", log, len(paths))
	}
	if log[0].OperationID != "restoreBackup" {
		t.Errorf("first fault on %q, want restoreBackup", log[0].OperationID)
	}
}

func TestWithOperationTimings_Refuses(t *testing.T) {
	tests := []struct {
		name             string
		pending, running time.Duration
		ok               bool
	}{
		{"zero: instant", 0, 0, true},
		{"negative pending", -time.Second, 0, false},
		{"negative running", 0, -time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(WithOperationTimings(tt.pending, tt.running), WithValidator(testValidator(t)))
			if (err == nil) != tt.ok {
				t.Errorf("New = %v, want ok=%t", err, tt.ok)
			}
		})
	}
}

// TestUpgrade_DatabaseTakesTheNewVersion: while an upgrade runs, the database keeps its version and
// names the target as its next; once the upgrade's operation has finished, it shows the target
// version and the one after it as next, and a last upgrade leaves no next version and is refused
// when asked again. Before, the version never moved, and a test that upgrades and then waits for the
// new version waited for ever.
func TestUpgrade_DatabaseTakesTheNewVersion(t *testing.T) {
	_, c, clk := start(t, WithOperationTimings(opPending, opRunning))
	version := func() (string, string, any) {
		t.Helper()
		db := expect(t, c.do(http.MethodGet, "/databases/my-db-123", nil), http.StatusOK)["database"].(map[string]any)
		return db["version_id"].(string), db["readable_version"].(string), db["next_version_id"]
	}
	steps := []struct{ id, readable string }{
		{"668be5e8b07f4c00121ab5e7", "15.7.0-1"},
		{"66f2a1c0b07f4c00121ab5e8", "16.4.0-1"},
	}
	id, readable, next := version()
	for _, step := range steps {
		if next != step.id {
			t.Fatalf("at %s (%s), next %v, want %s", id, readable, next, step.id)
		}
		expect(t, c.do(http.MethodPost, "/databases/my-db-123/upgrade", nil), http.StatusAccepted)
		clk.Advance(opPending)
		if got, _, _ := version(); got != id {
			t.Errorf("while the upgrade runs, version %s, want %s still", got, id)
		}
		clk.Advance(opRunning)
		id, readable, next = version()
		if id != step.id || readable != step.readable {
			t.Errorf("after the upgrade, version %s (%s), want %s (%s)", id, readable, step.id, step.readable)
		}
	}
	if next != nil {
		t.Errorf("at the last version, next %v, want null", next)
	}
	expect(t, c.do(http.MethodPost, "/databases/my-db-123/upgrade", nil), http.StatusUnprocessableEntity)
}
