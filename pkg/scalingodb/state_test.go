package scalingodb

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/mockserver"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"
)

// stateFixture is a seeded mock, the client under test (response
// validation on) and a generated client on the same mock, whose decoding
// is the reference where the mock keeps no state to read.
type stateFixture struct {
	mock *mockserver.Server
	seed mockserver.Seed
	base string
	c    *Client
	gen  *dbapi.ClientWithResponses
}

func newStateFixture(t *testing.T) *stateFixture {
	t.Helper()
	seed := mockserver.DemoSeed()
	mock, err := mockserver.New(mockserver.WithSeed(seed), mockserver.WithBackupTimings(time.Hour, time.Hour),
		mockserver.WithFeatureActivation(time.Hour),
		mockserver.WithResponseViolationHandler(func(err error) { t.Errorf("the mock broke the spec: %v", err) }))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mock.Handler())
	t.Cleanup(srv.Close)
	c, err := New(WithBaseURL(srv.URL), WithToken(mockserver.DefaultToken), withResponseValidation())
	if err != nil {
		t.Fatal(err)
	}
	gen, err := dbapi.NewClientWithResponses(srv.URL+"/api", dbapi.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+mockserver.DefaultToken)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return &stateFixture{mock: mock, seed: seed, base: srv.URL, c: c, gen: gen}
}

// seedDB returns the seeded database that answers under id (its ID or
// its resource ID).
func (f *stateFixture) seedDB(t *testing.T, id string) mockserver.SeedDatabase {
	t.Helper()
	for _, db := range f.seed.Databases {
		if db.Database.ID == id || db.Database.ResourceID == id {
			return db
		}
	}
	t.Fatalf("no database %s in the seed", id)
	return mockserver.SeedDatabase{}
}

// viaJSON is what a client type holds of a generated value: the value
// through encoding/json, tag for tag (TestClientTypesMatchTheSpec checks
// the tags of both sides against each other).
func viaJSON[T any](t *testing.T, v any) T {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out T
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("%s: %v", data, err)
	}
	return out
}

// clientUser is what the client makes of a user of the mock's state.
func clientUser(u dbapi.DatabaseUser) *DatabaseUser {
	out := &DatabaseUser{Name: u.Name, ReadOnly: u.ReadOnly}
	if u.Protected != nil {
		out.Protected = *u.Protected
	}
	if u.DbmsAttributes != nil && u.DbmsAttributes.PasswordEncryption != nil {
		out.PasswordEncryption = PasswordEncryption(*u.DbmsAttributes.PasswordEncryption)
	}
	return out
}

// clientBackup is what the client makes of a backup of the mock's state,
// written out field by field so that a wrong JSON tag of Backup shows here
// too, not only in TestClientTypesMatchTheSpec.
func clientBackup(b dbapi.Backup) *Backup {
	out := &Backup{ID: b.ID, CreatedAt: b.CreatedAt, StartedAt: b.StartedAt, Name: b.Name,
		Status: BackupStatus(b.Status), DatabaseID: b.DatabaseID}
	if b.Size != nil {
		out.Size = *b.Size
	}
	if b.Method != nil {
		out.Method = BackupMethod(*b.Method)
	}
	if b.Hidden != nil {
		out.Hidden = *b.Hidden
	}
	return out
}

func clientBackups(bs []dbapi.Backup) []*Backup {
	out := make([]*Backup, 0, len(bs))
	for _, b := range bs {
		out = append(out, clientBackup(b))
	}
	return out
}

// clientMaintenance is what the client makes of a maintenance entry of the
// mock's state, field by field.
func clientMaintenance(ms ...dbapi.Maintenance) []*Maintenance {
	out := make([]*Maintenance, 0, len(ms))
	for _, m := range ms {
		out = append(out, &Maintenance{ID: m.ID, DatabaseID: m.DatabaseID, Type: MaintenanceType(m.Type),
			Status: MaintenanceStatus(m.Status), StartedAt: m.StartedAt, EndedAt: m.EndedAt})
	}
	return out
}

var stateCmp = cmp.Options{cmp.Comparer(func(a, b SignedURL) bool { return a.URL() == b.URL() })}

func diffState(t *testing.T, what string, want, got any) {
	t.Helper()
	if diff := cmp.Diff(want, got, stateCmp); diff != "" {
		t.Errorf("%s (-mock +client):\n%s", what, diff)
	}
}

// must returns v, or a function that fails the test with err:
// must(c.Backups.List(ctx, db))(t).
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// TestClientDecodesTheMockState calls every operation of the client
// against the mock and compares what the client decoded with the mock's
// state (or, where the mock keeps none to read, with the generated
// client's decoding of the same answer).
func TestClientDecodesTheMockState(t *testing.T) {
	ctx := context.Background()
	const db = mockserver.DemoDatabaseID
	tests := []struct {
		op  string
		run func(t *testing.T, f *stateFixture)
	}{
		{"getDatabase", func(t *testing.T, f *stateFixture) {
			got := must(f.c.Databases.Get(ctx, db))(t)
			diffState(t, "database", viaJSON[*Database](t, f.seedDB(t, db).Database), got)
		}},
		{"updateDatabase", func(t *testing.T, f *stateFixture) {
			on := !f.seedDB(t, db).Database.PeriodicBackupsEnabled
			got := must(f.c.Databases.Update(ctx, db, &UpdateDatabaseParams{PeriodicBackupsEnabled: &on}))(t)
			want := viaJSON[*Database](t, f.seedDB(t, db).Database)
			want.PeriodicBackupsEnabled = on
			diffState(t, "updated database", want, got)
			diffState(t, "database read after the update", got, must(f.c.Databases.Get(ctx, db))(t))
		}},
		{"putDatabase", func(t *testing.T, f *stateFixture) {
			got := must(f.c.Databases.Update(ctx, db, &UpdateDatabaseParams{PeriodicBackupsScheduledAt: []int{4, 16}, UsePUT: true}))(t)
			diffState(t, "scheduled hours", []int{4, 16}, got.PeriodicBackupsScheduledAt)
			diffState(t, "database read after the put", got, must(f.c.Databases.Get(ctx, db))(t))
		}},
		{"enableDatabaseFeature", func(t *testing.T, f *stateFixture) {
			got := must(f.c.Features.Enable(ctx, db, "publicly-available"))(t)
			after := must(f.c.Databases.Get(ctx, db))(t)
			var want *FeatureToggle
			for _, ft := range after.Features {
				if ft.Name == "publicly-available" {
					want = &FeatureToggle{Name: ft.Name, Status: ft.Status, Message: got.Message}
				}
			}
			diffState(t, "feature toggle", want, got)
			if got.Message == "" {
				t.Error("empty message")
			}
		}},
		{"disableDatabaseFeature", func(t *testing.T, f *stateFixture) {
			got := must(f.c.Features.Disable(ctx, db, "force-ssl"))(t)
			msg := got.Message
			if got.Name != "force-ssl" {
				t.Errorf("disabled %q, want force-ssl", got.Name)
			}
			resp := must(f.gen.GetDatabaseWithResponse(ctx, db))(t)
			for _, ft := range resp.JSON200.Database.Features {
				if ft.Name == "force-ssl" && ft.Status == dbapi.FeatureStatusACTIVATED {
					t.Errorf("force-ssl still %s after %q", ft.Status, msg)
				}
			}
			if msg == "" {
				t.Error("empty message")
			}
		}},
		{"runDatabaseAction", func(t *testing.T, f *stateFixture) {
			got := must(f.c.Actions.Run(ctx, db, "list-extensions", nil))(t)
			resp := must(f.gen.RunDatabaseActionWithResponse(ctx, db, dbapi.ActionRequest{ActionName: "list-extensions"}))(t)
			if resp.JSON200 == nil {
				t.Fatalf("generated client: %d %s", resp.StatusCode(), resp.Body)
			}
			var gotV, wantV any
			if err := json.Unmarshal(got, &gotV); err != nil {
				t.Fatal(err)
			}
			wantV = viaJSON[any](t, resp.JSON200.Result)
			diffState(t, "action result", wantV, gotV)
		}},
		{"getPitrRecoveryWindow", func(t *testing.T, f *stateFixture) {
			got := must(f.c.PITR.RecoveryWindow(ctx, db))(t)
			resp := must(f.gen.GetPitrRecoveryWindowWithResponse(ctx, db))(t)
			diffState(t, "recovery window", viaJSON[*RecoveryWindow](t, resp.JSON200.RecoveryWindow), got)
		}},
		{"restoreDatabasePitr", func(t *testing.T, f *stateFixture) {
			w := must(f.c.PITR.RecoveryWindow(ctx, db))(t)
			if w.LatestRecoverableAt == nil {
				t.Fatal("no recovery window")
			}
			op := must(f.c.PITR.Restore(ctx, db, w.LatestRecoverableAt.Add(-time.Minute)))(t)
			if op.ID == "" || op.Status == "" || op.CreatedAt.IsZero() {
				t.Errorf("operation %+v", op)
			}
		}},
		{"listDatabaseUsers", func(t *testing.T, f *stateFixture) {
			got := must(f.c.Users.List(ctx, db))(t)
			var want []*DatabaseUser
			for _, u := range f.mock.Users(db) {
				want = append(want, clientUser(u))
			}
			diffState(t, "users", want, got)
		}},
		{"createDatabaseUser, updateDatabaseUser, resetDatabaseUserPassword, deleteDatabaseUser", func(t *testing.T, f *stateFixture) {
			created := must(f.c.Users.Create(ctx, db, &CreateUserParams{Name: "state-user", ReadOnly: true}))(t)
			if len(created.Password.Reveal()) < 24 {
				t.Errorf("created with a password of %d characters", len(created.Password.Reveal()))
			}
			findUser := func() *DatabaseUser {
				for _, u := range f.mock.Users(db) {
					if u.Name == "state-user" {
						return clientUser(u)
					}
				}
				return nil
			}
			want := findUser()
			if want == nil {
				t.Fatal("the mock has no state-user")
			}
			want.Password = created.Password
			diffState(t, "created user", want, created)

			updated := must(f.c.Users.UpdatePassword(ctx, db, "state-user", NewSecret("a-new-password-of-24-chars")))(t)
			want.Password = updated.Password
			diffState(t, "updated user", want, updated)

			reset := must(f.c.Users.ResetPassword(ctx, db, "state-user"))(t)
			if reset.Password.Reveal() == "" || reset.Password.Equal(created.Password) {
				t.Error("reset gave no new password")
			}
			want.Password = reset.Password
			diffState(t, "reset user", want, reset)

			if err := f.c.Users.Delete(ctx, db, "state-user"); err != nil {
				t.Fatal(err)
			}
			if u := findUser(); u != nil {
				t.Errorf("deleted user still in the mock: %+v", u)
			}
		}},
		{"listBackups", func(t *testing.T, f *stateFixture) {
			got := must(f.c.Backups.List(ctx, db))(t)
			diffState(t, "backups", clientBackups(f.mock.Backups(db)), got)
		}},
		{"createBackup, getBackup", func(t *testing.T, f *stateFixture) {
			created := must(f.c.Backups.Create(ctx, db))(t)
			var want *Backup
			for _, b := range f.mock.Backups(db) {
				if b.ID == created.ID {
					want = clientBackup(b)
				}
			}
			diffState(t, "created backup", want, created)
			diffState(t, "backup read back", want, must(f.c.Backups.Get(ctx, created.ID))(t))
		}},
		{"getBackupArchive, downloadBackup", func(t *testing.T, f *stateFixture) {
			link := must(f.c.Backups.ArchiveLink(ctx, db, mockserver.DemoBackupID))(t)
			u, err := url.Parse(link.URL())
			if err != nil || !strings.HasPrefix(f.base, u.Scheme+"://"+u.Host) {
				t.Errorf("archive link %s is not on the mock %s", link, f.base)
			}
			var size int64
			for _, b := range f.mock.Backups(db) {
				if b.ID == mockserver.DemoBackupID && b.Size != nil {
					size = *b.Size
				}
			}
			dst := &memAt{}
			n := must(f.c.Backups.DownloadAt(ctx, db, mockserver.DemoBackupID, dst))(t)
			want, err := io.ReadAll(mockserver.ArchiveContent(mockserver.DemoBackupID, size))
			if err != nil {
				t.Fatal(err)
			}
			if n != size || !bytes.Equal(dst.Bytes(), want) {
				t.Errorf("downloaded %d bytes, the mock serves %d (same bytes: %t)", n, size, bytes.Equal(dst.Bytes(), want))
			}
		}},
		{"listMaintenances", func(t *testing.T, f *stateFixture) {
			page := must(f.c.Maintenance.List(ctx, db, &ListParams{Page: 2, PerPage: 2}))(t)
			seeded := f.seedDB(t, db).Maintenance
			if len(seeded) < 4 {
				t.Fatalf("the seed has %d maintenance entries", len(seeded))
			}
			diffState(t, "maintenance page", clientMaintenance(seeded[2:4]...), page.Items)
			total := len(seeded)
			want := Pagination{CurrentPage: 2, PrevPage: 1, TotalPages: (total + 1) / 2, TotalCount: int64(total)}
			if total > 4 {
				want.NextPage = 3
			}
			diffState(t, "pagination", want, page.Pagination)
			var all []*Maintenance
			for m, err := range f.c.Maintenance.All(ctx, db) {
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, m)
			}
			diffState(t, "all maintenance", clientMaintenance(seeded...), all)
		}},
		{"getMaintenance", func(t *testing.T, f *stateFixture) {
			m := f.seedDB(t, db).Maintenance[0]
			diffState(t, "maintenance", clientMaintenance(m)[0], must(f.c.Maintenance.Get(ctx, db, m.ID))(t))
		}},
		{"getDatabaseInstancesStatus", func(t *testing.T, f *stateFixture) {
			got := must(f.c.Instances.Status(ctx, db))(t)
			resp := must(f.gen.GetDatabaseInstancesStatusWithResponse(ctx, db))(t)
			diffState(t, "instances", viaJSON[[]*InstanceStatus](t, *resp.JSON200), got)
		}},
		{"getDatabaseMetrics", func(t *testing.T, f *stateFixture) {
			got := must(f.c.Metrics.Get(ctx, db))(t)
			resp := must(f.gen.GetDatabaseMetricsWithResponse(ctx, db))(t)
			diffState(t, "metrics", viaJSON[*Metrics](t, resp.JSON200), got)
		}},
		{"getDatabaseHealth", func(t *testing.T, f *stateFixture) {
			got := must(f.c.Metrics.Health(ctx, mockserver.DemoElasticsearchID))(t)
			resp := must(f.gen.GetDatabaseHealthWithResponse(ctx, mockserver.DemoElasticsearchID))(t)
			h := resp.JSON200
			if h == nil {
				t.Fatalf("generated client: %d %s", resp.StatusCode(), resp.Body)
			}
			epoch := viaJSON[int64](t, json.RawMessage(h.Epoch))
			want := &Health{Epoch: time.Unix(epoch, 0).UTC(), Status: HealthStatus(h.Status), Cluster: h.Cluster, Shards: viaJSON[int64](t, json.RawMessage(h.Shards))}
			if h.PendingTasks != nil {
				want.PendingTasks = viaJSON[int64](t, json.RawMessage(*h.PendingTasks))
			}
			diffState(t, "health", want, got)
		}},
		{"getDatabaseLogsURL", func(t *testing.T, f *stateFixture) {
			got := must(f.c.Logs.URL(ctx, db))(t)
			resp := must(f.gen.GetDatabaseLogsURLWithResponse(ctx, db))(t)
			diffState(t, "logs URL", resp.JSON200.URL, got.URL())
		}},
		{"listDatabaseLogsArchives", func(t *testing.T, f *stateFixture) {
			got := must(f.c.Logs.Archives(ctx, db, nil))(t)
			resp := must(f.gen.ListDatabaseLogsArchivesWithResponse(ctx, db, nil))(t)
			a := resp.JSON200
			want := &LogsArchivesPage{HasMore: a.HasMore, Archives: []*LogsArchive{}}
			if a.NextCursor != nil {
				want.NextCursor = *a.NextCursor
			}
			for _, x := range a.Archives {
				want.Archives = append(want.Archives, &LogsArchive{URL: httpx.NewSignedURL(x.URL), From: x.From, To: x.To, Size: x.Size})
			}
			diffState(t, "logs archives", want, got)
		}},
		{"getDatabaseTypeVersion", func(t *testing.T, f *stateFixture) {
			v := f.seed.TypeVersions[0]
			diffState(t, "type version", viaJSON[*DatabaseTypeVersion](t, v), must(f.c.TypeVersions.Get(ctx, v.ID))(t))
		}},
		{"upgradeDatabase", func(t *testing.T, f *stateFixture) {
			up := must(f.c.Databases.Upgrade(ctx, db))(t)
			after := must(f.c.Databases.Get(ctx, db))(t)
			if up.OperationID == "" || after.CurrentOperationID != up.OperationID {
				t.Errorf("upgrade %+v; the database runs operation %q", up, after.CurrentOperationID)
			}
		}},
		{"listFirewallRules, createFirewallRule, deleteFirewallRule", func(t *testing.T, f *stateFixture) {
			diffState(t, "firewall rules", viaJSON[[]*FirewallRule](t, f.seedDB(t, db).FirewallRules), must(f.c.Firewall.List(ctx, db))(t))
			rule := must(f.c.Firewall.Create(ctx, db, &CreateFirewallRuleParams{Type: FirewallRuleType("custom_range"), CIDR: "198.51.100.77/32", Label: "state"}))(t)
			listed := must(f.c.Firewall.List(ctx, db))(t)
			diffState(t, "created rule as listed", rule, listed[len(listed)-1])
			if err := f.c.Firewall.Delete(ctx, db, rule.ID); err != nil {
				t.Fatal(err)
			}
			diffState(t, "rules after the delete", viaJSON[[]*FirewallRule](t, f.seedDB(t, db).FirewallRules), must(f.c.Firewall.List(ctx, db))(t))
		}},
		{"listFirewallManagedRanges", func(t *testing.T, f *stateFixture) {
			diffState(t, "managed ranges", viaJSON[[]*ManagedRange](t, f.seed.ManagedRanges), must(f.c.Firewall.ManagedRanges(ctx))(t))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) { tt.run(t, newStateFixture(t)) })
	}
}
