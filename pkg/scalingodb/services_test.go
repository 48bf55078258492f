package scalingodb

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestMaintenanceService_All(t *testing.T) {
	const pages = 3
	handler := func(failOn int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			page, _ := strconv.Atoi(r.URL.Query().Get("page"))
			if r.URL.Query().Get("per_page") != "100" {
				t.Errorf("per_page = %q", r.URL.Query().Get("per_page"))
			}
			if page == failOn {
				writeJSON(w, 404, `{"error":"not found"}`)
				return
			}
			next := "null"
			if page < pages {
				next = strconv.Itoa(page + 1)
			}
			writeJSON(w, 200, fmt.Sprintf(`{"maintenance":[{"id":"m%d-a","database_id":"db","type":"no-op","status":"done","started_at":null,"ended_at":null},`+
				`{"id":"m%d-b","database_id":"db","type":"no-op","status":"done","started_at":null,"ended_at":null}],`+
				`"meta":{"pagination":{"current_page":%d,"prev_page":null,"next_page":%s,"total_pages":%d,"total_count":%d}}}`, page, page, page, next, pages, 2*pages))
		}
	}
	t.Run("every page", func(t *testing.T) {
		c, rec, _ := newTestClient(t, handler(0))
		var ids []string
		for m, err := range c.Maintenance.All(context.Background(), "db") {
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, m.ID)
		}
		if len(ids) != 2*pages || ids[0] != "m1-a" || ids[5] != "m3-b" || rec.count() != pages {
			t.Fatalf("got %v in %d requests", ids, rec.count())
		}
	})
	t.Run("stops when the caller breaks", func(t *testing.T) {
		c, rec, _ := newTestClient(t, handler(0))
		for _, err := range c.Maintenance.All(context.Background(), "db") {
			if err != nil {
				t.Fatal(err)
			}
			break
		}
		if rec.count() != 1 {
			t.Fatalf("%d requests after a break on the first item", rec.count())
		}
	})
	t.Run("yields the error", func(t *testing.T) {
		c, _, _ := newTestClient(t, handler(2))
		n := 0
		var last error
		for _, err := range c.Maintenance.All(context.Background(), "db") {
			if err != nil {
				last = err
				continue
			}
			n++
		}
		if n != 2 || !errors.Is(last, ErrNotFound) {
			t.Fatalf("got %d items and %v", n, last)
		}
	})
}

// waitCase is a wait whose polls see statuses in turn (the last one
// again once they run out), and how it ends.
type waitCase struct {
	name     string
	statuses []string
	wantErr  error
	wantReqs int
}

// pollServer answers poll n with body(statuses[n]), and with the last
// status once they run out.
func pollServer(statuses []string, body func(status string) string) http.HandlerFunc {
	var n atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		i := min(int(n.Add(1))-1, len(statuses)-1)
		writeJSON(w, 200, body(statuses[i]))
	}
}

// waitTimesOut checks that a wait whose polls never see an end stops
// with the context's deadline.
func waitTimesOut(t *testing.T, poll string, wait func(ctx context.Context, c *Client) error) {
	t.Helper()
	c, _, _ := newTestClient(t, fixed(200, poll))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if err := wait(ctx, c); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
}

func TestBackupsService_Wait(t *testing.T) {
	tests := []waitCase{
		{"done", []string{"scheduled", "running", "running", "done"}, nil, 4},
		{"error", []string{"scheduled", "running", "error"}, ErrBackupFailed, 3},
		{"already done", []string{"done"}, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec, _ := newTestClient(t, pollServer(tt.statuses, func(status string) string {
				return `{"database_backup":{"id":"b1","status":"` + status + `","created_at":"2024-01-01T00:00:00Z"}}`
			}))
			b, err := c.Backups.Wait(context.Background(), "b1", WithPollInterval(time.Millisecond, 2*time.Millisecond))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil && (b == nil || b.Status != BackupDone) {
				t.Fatalf("got %+v", b)
			}
			var be *BackupFailedError
			if tt.wantErr != nil && (!errors.As(err, &be) || be.Backup.Status != BackupError) {
				t.Fatalf("got %v", err)
			}
			if rec.count() != tt.wantReqs {
				t.Errorf("%d polls, want %d", rec.count(), tt.wantReqs)
			}
		})
	}
	t.Run("context", func(t *testing.T) {
		waitTimesOut(t, `{"database_backup":{"id":"b1","status":"running","created_at":"2026-01-02T03:04:05Z"}}`, func(ctx context.Context, c *Client) error {
			_, err := c.Backups.Wait(ctx, "b1", WithPollInterval(5*time.Millisecond, 5*time.Millisecond))
			return err
		})
	})
}

// withPUT returns a copy of p sent with PUT (nil stays nil).
func withPUT(p *UpdateDatabaseParams) *UpdateDatabaseParams {
	if p == nil {
		return nil
	}
	cp := *p
	cp.UsePUT = true
	return &cp
}

func TestDatabasesService_UpdateBody(t *testing.T) {
	on, day, badDay, hour := true, time.Tuesday, time.Weekday(7), 21
	tests := []struct {
		name    string
		u       *UpdateDatabaseParams
		want    string
		wantErr bool
	}{
		{"one hour as an integer", &UpdateDatabaseParams{PeriodicBackupsEnabled: &on, PeriodicBackupsScheduledAt: []int{3}},
			`{"database":{"periodic_backups_enabled":true,"periodic_backups_scheduled_at":3}}`, false},
		{"several hours as a list", &UpdateDatabaseParams{PeriodicBackupsScheduledAt: []int{1, 13}},
			`{"database":{"periodic_backups_scheduled_at":[1,13]}}`, false},
		{"maintenance window", &UpdateDatabaseParams{MaintenanceWindow: &MaintenanceWindowParams{WeekdayUTC: &day, StartingHourUTC: &hour}},
			`{"database":{"maintenance_window":{"starting_hour_utc":21,"weekday_utc":2}}}`, false},
		{"hour out of range", &UpdateDatabaseParams{PeriodicBackupsScheduledAt: []int{24}}, "", true},
		{"weekday out of range", &UpdateDatabaseParams{MaintenanceWindow: &MaintenanceWindowParams{WeekdayUTC: &badDay}}, "", true},
		{"nil", nil, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec, _ := newTestClient(t, fixed(200, `{"database":{"id":"x"}}`))
			_, err := c.Databases.Update(context.Background(), "db", withPUT(tt.u))
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidInput) || errors.Is(err, ErrValidation) || rec.count() != 0 {
					t.Fatalf("got %v with %d requests", err, rec.count())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			r := rec.all()[0]
			if r.Method != http.MethodPut || string(r.Body) != tt.want {
				t.Fatalf("sent %s %s, want PUT %s", r.Method, r.Body, tt.want)
			}
		})
	}
}

// TestAllOperationsAgainstMock calls one method per operation against the
// mock with response validation on, so every decoder meets the shapes the
// spec allows.
func TestAllOperationsAgainstMock(t *testing.T) {
	c, _ := startMockWithCuts(t, 0)
	ctx := context.Background()
	const db = demoDB
	on := true
	steps := []struct {
		name string
		call func() error
	}{
		{"getDatabase", func() error { _, err := c.Databases.Get(ctx, db); return err }},
		{"updateDatabase", func() error {
			_, err := c.Databases.Update(ctx, db, &UpdateDatabaseParams{PeriodicBackupsEnabled: &on})
			return err
		}},
		{"putDatabase", func() error {
			_, err := c.Databases.Update(ctx, db, &UpdateDatabaseParams{PeriodicBackupsScheduledAt: []int{4}, UsePUT: true})
			return err
		}},
		{"enableDatabaseFeature", func() error { _, err := c.Features.Enable(ctx, db, "publicly-available"); return err }},
		{"disableDatabaseFeature", func() error { _, err := c.Features.Disable(ctx, db, "publicly-available"); return err }},
		{"runDatabaseAction", func() error { _, err := c.Actions.Run(ctx, db, "list-extensions", nil); return err }},
		{"getPitrRecoveryWindow", func() error { _, err := c.PITR.RecoveryWindow(ctx, db); return err }},
		{"listDatabaseUsers", func() error { _, err := c.Users.List(ctx, db); return err }},
		{"createDatabaseUser", func() error {
			_, err := c.Users.Create(ctx, db, &CreateUserParams{Name: "new-user", ReadOnly: true})
			return err
		}},
		{"updateDatabaseUser", func() error {
			_, err := c.Users.UpdatePassword(ctx, db, "new-user", NewSecret("a-new-password-of-24-chars"))
			return err
		}},
		{"resetDatabaseUserPassword", func() error { _, err := c.Users.ResetPassword(ctx, db, "new-user"); return err }},
		{"deleteDatabaseUser", func() error { return c.Users.Delete(ctx, db, "new-user") }},
		{"listBackups", func() error { _, err := c.Backups.List(ctx, db); return err }},
		{"createBackup", func() error { _, err := c.Backups.Create(ctx, db); return err }},
		{"getBackup", func() error { _, err := c.Backups.Get(ctx, demoBackup); return err }},
		{"getBackupArchive", func() error { _, err := c.Backups.ArchiveLink(ctx, db, demoBackup); return err }},
		{"downloadBackup", func() error { _, err := c.Backups.DownloadAt(ctx, db, demoBackup, discardAt{}); return err }},
		{"listMaintenances", func() error { _, err := c.Maintenance.List(ctx, db, &ListParams{Page: 2, PerPage: 5}); return err }},
		{"getMaintenance", func() error { _, err := c.Maintenance.Get(ctx, db, "my-maintenance-1"); return err }},
		{"getDatabaseInstancesStatus", func() error { _, err := c.Instances.Status(ctx, db); return err }},
		{"getDatabaseMetrics", func() error { _, err := c.Metrics.Get(ctx, db); return err }},
		{"getDatabaseHealth", func() error { _, err := c.Metrics.Health(ctx, "my-es-123"); return err }},
		{"getDatabaseLogsUrl", func() error { _, err := c.Logs.URL(ctx, db); return err }},
		{"listDatabaseLogsArchives", func() error { _, err := c.Logs.Archives(ctx, db, nil); return err }},
		{"getDatabaseTypeVersion", func() error { _, err := c.TypeVersions.Get(ctx, "5f217c7a406c12000e889be3"); return err }},
		{"listFirewallRules", func() error { _, err := c.Firewall.List(ctx, db); return err }},
		{"createFirewallRule", func() error {
			_, err := c.Firewall.Create(ctx, db, &CreateFirewallRuleParams{Type: FirewallCustomRange, CIDR: "198.51.100.0/24", Label: "test"})
			return err
		}},
		{"deleteFirewallRule", func() error { return c.Firewall.Delete(ctx, db, "6580a2c91ef5f0001b3c5d7e") }},
		{"listFirewallManagedRanges", func() error { _, err := c.Firewall.ManagedRanges(ctx); return err }},
		{"restoreDatabasePitr", func() error { _, err := c.PITR.Restore(ctx, db, time.Now().Add(-time.Hour)); return err }},
		{"upgradeDatabase", func() error { _, err := c.Databases.Upgrade(ctx, db); return err }},
	}
	for _, s := range steps {
		if err := s.call(); err != nil {
			t.Errorf("%s: %v", s.name, err)
		}
	}
}

// TestOddBodies answers every operation with bodies of the wrong shape:
// each call must end in an error (never a panic, never a zero value).
func TestOddBodies(t *testing.T) {
	ctx := context.Background()
	calls := map[string]func(c *Client) (any, error){
		"getDatabase":      func(c *Client) (any, error) { return c.Databases.Get(ctx, "db") },
		"upgradeDatabase":  func(c *Client) (any, error) { return c.Databases.Upgrade(ctx, "db") },
		"enableFeature":    func(c *Client) (any, error) { return c.Features.Enable(ctx, "db", "force-ssl") },
		"disableFeature":   func(c *Client) (any, error) { return c.Features.Disable(ctx, "db", "force-ssl") },
		"runAction":        func(c *Client) (any, error) { return c.Actions.Run(ctx, "db", "x", nil) },
		"restorePitr":      func(c *Client) (any, error) { return c.PITR.Restore(ctx, "db", time.Now()) },
		"recoveryWindow":   func(c *Client) (any, error) { return c.PITR.RecoveryWindow(ctx, "db") },
		"listUsers":        func(c *Client) (any, error) { return c.Users.List(ctx, "db") },
		"createUser":       func(c *Client) (any, error) { return c.Users.Create(ctx, "db", &CreateUserParams{Name: "my-user"}) },
		"resetPassword":    func(c *Client) (any, error) { return c.Users.ResetPassword(ctx, "db", "u") },
		"listBackups":      func(c *Client) (any, error) { return c.Backups.List(ctx, "db") },
		"createBackup":     func(c *Client) (any, error) { return c.Backups.Create(ctx, "db") },
		"getBackup":        func(c *Client) (any, error) { return c.Backups.Get(ctx, "b") },
		"archiveLink":      func(c *Client) (any, error) { return c.Backups.ArchiveLink(ctx, "db", "b") },
		"listMaintenances": func(c *Client) (any, error) { return c.Maintenance.List(ctx, "db", nil) },
		"getMaintenance":   func(c *Client) (any, error) { return c.Maintenance.Get(ctx, "db", "m") },
		"instances":        func(c *Client) (any, error) { return c.Instances.Status(ctx, "db") },
		"metrics":          func(c *Client) (any, error) { return c.Metrics.Get(ctx, "db") },
		"health":           func(c *Client) (any, error) { return c.Metrics.Health(ctx, "db") },
		"logsURL":          func(c *Client) (any, error) { return c.Logs.URL(ctx, "db") },
		"logsArchives":     func(c *Client) (any, error) { return c.Logs.Archives(ctx, "db", nil) },
		"typeVersion":      func(c *Client) (any, error) { return c.TypeVersions.Get(ctx, "v") },
		"listFirewall":     func(c *Client) (any, error) { return c.Firewall.List(ctx, "db") },
		"managedRanges":    func(c *Client) (any, error) { return c.Firewall.ManagedRanges(ctx) },
		"createFirewallRule": func(c *Client) (any, error) {
			return c.Firewall.Create(ctx, "db", &CreateFirewallRuleParams{Type: FirewallManagedRange, RangeID: "eu"})
		},
	}
	bodies := []string{`null`, `{}`, `[]`, `"x"`, `42`, `[null]`, `{"database":null,"database-users":null,"database_backups":[null],"rules":[null],"ranges":[null],"maintenance":[null],"meta":null}`, `{"database_backups":[{}],"rules":[{}],"ranges":[{}],"database-users":[{}],"archives":[{}],"has_more":true}`}
	for _, body := range bodies {
		c, _, _ := newTestClient(t, fixed(200, body))
		for name, call := range calls {
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("%s with body %s panicked: %v", name, body, r)
					}
				}()
				v, err := call(c)
				if name == "instances" && body == `[]` {
					// The one valid answer here: a database without instances.
					if err != nil {
						t.Errorf("instances with body []: %v", err)
					}
					return
				}
				if err == nil {
					t.Errorf("%s with body %s: no error, got %+v", name, body, v)
				} else if !errors.Is(err, ErrMalformedResponse) {
					t.Errorf("%s with body %s: %v is not ErrMalformedResponse", name, body, err)
				}
			}()
		}
	}
}

func TestBackupsService_Latest(t *testing.T) {
	backup := func(id, created, status string) string {
		return `{"id":"` + id + `","created_at":"` + created + `","name":"b-` + id + `","size":10,"status":"` + status + `","database_id":"db"}`
	}
	list := func(backups ...string) http.HandlerFunc {
		return fixed(http.StatusOK, `{"database_backups":[`+strings.Join(backups, ",")+`]}`)
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string // the ID of the backup returned
		wantErr error
	}{
		{"newest first, the newest still running", list(
			backup("3", "2026-11-30T03:00:00Z", "running"),
			backup("2", "2026-11-29T03:00:00Z", "done"),
			backup("1", "2026-11-28T03:00:00Z", "done"),
		), "2", nil},
		{"out of order, with a failed and a scheduled one", list(
			backup("1", "2026-11-28T03:00:00Z", "done"),
			backup("4", "2026-12-01T03:00:00Z", "error"),
			backup("3", "2026-11-30T03:00:00+09:00", "done"), // 2026-11-29T18:00Z
			backup("2", "2026-11-29T12:00:00Z", "done"),
			backup("5", "2026-12-01T04:00:00Z", "scheduled"),
		), "3", nil},
		{"none done", list(backup("1", "2026-11-28T03:00:00Z", "error"), backup("2", "2026-11-29T03:00:00Z", "running")), "", ErrNoBackup},
		{"no backup at all", list(), "", ErrNoBackup},
		{"the listing fails", fixed(http.StatusNotFound, `{"error":"not found","resource":"database"}`), "", ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec, _ := newTestClient(t, tt.handler)
			b, err := c.Backups.Latest(context.Background(), "db")
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				if b != nil {
					t.Errorf("backup %+v returned with the error", b)
				}
				return
			}
			if b.ID != tt.want || b.Status != BackupDone {
				t.Errorf("got backup %s (%s), want %s", b.ID, b.Status, tt.want)
			}
			var got []string
			for _, r := range rec.all() {
				got = append(got, r.Method+" "+r.RequestURI)
			}
			if want := []string{"GET /api/databases/db/backups"}; !slices.Equal(got, want) {
				t.Errorf("requests %q, want %q", got, want)
			}
		})
	}
}
