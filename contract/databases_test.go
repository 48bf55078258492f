package contract_test

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/mockserver"
)

var _ = Describe("Databases", labels(harness.Databases), func() {
	Context("when the database exists", func() {
		It("returns it with its identity, type and version", labels(harness.ReadOnly), func(ctx SpecContext) {
			db := getDatabase(ctx, suite.db)
			Expect(db.ID).NotTo(BeEmpty())
			// The path names the database by its resource ID: an answer about another database is
			// another owner's settings, hosts and users' home.
			Expect(db.ResourceID == suite.db || db.ID == suite.db).To(BeTrue(), "getDatabase %s answered the database %s (resource %s)", suite.db, db.ID, db.ResourceID)
			Expect(db.TypeName).NotTo(BeEmpty())
			Expect(db.VersionID).NotTo(BeEmpty())
		})

		It("persists a PATCH of the periodic backups setting", Serial, labels(harness.Mutating), func(ctx SpecContext) {
			before := getDatabase(ctx, suite.db).PeriodicBackupsEnabled
			DeferCleanup(setPeriodicBackups, suite.db, before)
			resp := answered(suite.api.UpdateDatabaseWithResponse(ctx, suite.db, dbapi.DatabaseUpdateRequest{
				Database: dbapi.DatabaseUpdate{PeriodicBackupsEnabled: ptr(!before)},
			})).with(http.StatusOK)
			Expect(resp.JSON200.Database.PeriodicBackupsEnabled).To(Equal(!before))
			Expect(getDatabase(ctx, suite.db).PeriodicBackupsEnabled).To(Equal(!before))
		})

		It("persists a PUT of the maintenance window", Serial, labels(harness.Mutating), func(ctx SpecContext) {
			before := getDatabase(ctx, suite.db).MaintenanceWindow
			DeferCleanup(func(ctx SpecContext) {
				resp, err := suite.raw.PutDatabase(ctx, suite.db, dbapi.DatabaseUpdateRequest{Database: dbapi.DatabaseUpdate{
					MaintenanceWindow: &dbapi.MaintenanceWindowUpdate{WeekdayUtc: ptr(before.WeekdayUtc), StartingHourUtc: ptr(before.StartingHourUtc)},
				}})
				expectStatus(resp, err, http.StatusOK)
			})
			want := (before.StartingHourUtc + 1) % 24
			answered(suite.api.PutDatabaseWithResponse(ctx, suite.db, dbapi.DatabaseUpdateRequest{Database: dbapi.DatabaseUpdate{
				MaintenanceWindow: &dbapi.MaintenanceWindowUpdate{StartingHourUtc: ptr(want)},
			}})).with(http.StatusOK)
			Expect(getDatabase(ctx, suite.db).MaintenanceWindow.StartingHourUtc).To(Equal(want))
		})

		// "Absent fields are left alone": a server that takes an update for the whole of the
		// settings resets those it was not sent, and a change of the backup schedule moves the
		// maintenance window or stops the periodic backups.
		DescribeTable("keeps the settings an update does not name", Serial, labels(harness.Mutating, harness.Positive), func(ctx SpecContext, method string) {
			before := getDatabase(ctx, suite.db)
			DeferCleanup(restoreSettings, suite.db, before)
			// Settings unlike any default: a weekday and an hour other than 0 and than before.
			weekday, hour := 1+before.MaintenanceWindow.WeekdayUtc%6, 1+before.MaintenanceWindow.StartingHourUtc%23
			updateSettings(ctx, method, dbapi.DatabaseUpdate{PeriodicBackupsEnabled: ptr(true),
				MaintenanceWindow: &dbapi.MaintenanceWindowUpdate{WeekdayUtc: ptr(weekday), StartingHourUtc: ptr(hour)}})
			set := getDatabase(ctx, suite.db)
			Expect(set.MaintenanceWindow.WeekdayUtc).To(Equal(weekday), "%s of the maintenance window did not set its weekday", method)

			hour = 1 + hour%23
			updateSettings(ctx, method, dbapi.DatabaseUpdate{MaintenanceWindow: &dbapi.MaintenanceWindowUpdate{StartingHourUtc: ptr(hour)}})
			got := getDatabase(ctx, suite.db)
			Expect(got.MaintenanceWindow.StartingHourUtc).To(Equal(hour), "%s of the starting hour alone did not set it", method)
			Expect(got.MaintenanceWindow.WeekdayUtc).To(Equal(weekday), "%s of the starting hour alone moved the weekday from %d to %d", method, weekday, got.MaintenanceWindow.WeekdayUtc)
			Expect(got.PeriodicBackupsEnabled).To(BeTrue(), "%s of the starting hour alone turned the periodic backups off", method)
			Expect(got.PeriodicBackupsScheduledAt).To(Equal(set.PeriodicBackupsScheduledAt), "%s of the starting hour alone moved the periodic backups", method)

			updateSettings(ctx, method, dbapi.DatabaseUpdate{PeriodicBackupsEnabled: ptr(true)})
			got = getDatabase(ctx, suite.db)
			Expect(got.MaintenanceWindow.WeekdayUtc).To(Equal(weekday), "%s of the periodic backups alone moved the maintenance weekday from %d to %d", method, weekday, got.MaintenanceWindow.WeekdayUtc)
			Expect(got.MaintenanceWindow.StartingHourUtc).To(Equal(hour), "%s of the periodic backups alone moved the maintenance hour from %d to %d", method, hour, got.MaintenanceWindow.StartingHourUtc)
			Expect(got.PeriodicBackupsScheduledAt).To(Equal(set.PeriodicBackupsScheduledAt), "%s of periodic_backups_enabled alone moved the periodic backups", method)
		}, Entry("PATCH", http.MethodPatch), Entry("PUT", http.MethodPut))

		It("accepts an upgrade with 202 and the operation's Location", labels(harness.Mutating), func(ctx SpecContext) {
			skipOnLive("an upgrade cannot be undone")
			resp := answered(suite.api.UpgradeDatabaseWithResponse(ctx, suite.db)).with(http.StatusAccepted)
			Expect(resp.JSON202.OperationID).NotTo(BeEmpty())
			Expect(resp.HTTPResponse.Header.Get("Location")).To(ContainSubstring(resp.JSON202.OperationID))
		})
	})

	Context("when the database already runs its latest version", func() {
		It("answers 422 to an upgrade", labels(harness.Mutating), func(ctx SpecContext) {
			candidates := []string{suite.db, suite.es}
			if !suite.live() {
				candidates = append(candidates, "my-mysql-123")
			}
			latest := ""
			for _, id := range candidates {
				if id != "" && getDatabase(ctx, id).NextVersionID == nil {
					latest = id
					break
				}
			}
			if latest == "" {
				Skip("every configured database has a next version: an upgrade would really start")
			}
			resp, err := suite.raw.UpgradeDatabase(ctx, latest)
			expectRefused(resp, err, harness.BreaksRule)
		})
	})

	Context("when the body breaks the schema", func() {
		for _, method := range []string{http.MethodPatch, http.MethodPut} {
			It("answers 422 to "+method+" naming the field", labels(harness.Mutating), func(ctx SpecContext) {
				resp, err := sendRaw(ctx, method, "/databases/"+suite.db, jsonType, `{"database":{"periodic_backups_enabled":"yes"}}`)
				expectFieldError(resp, err, "periodic_backups_enabled")
			})
		}
	})

	// Known from the JavaScript client only (x-sources: [js-client]): labelled unverified.
	Context("(known from one client only)", labels(harness.Unverified), func() {
		Context("when an upgrade is accepted", Ordered, labels(harness.Mutating), func() {
			var location string

			BeforeAll(func(ctx SpecContext) {
				requireWrites()
				skipOnLive("an upgrade cannot be undone")
				resp := answered(suite.api.UpgradeDatabaseWithResponse(ctx, suite.db)).with(http.StatusAccepted)
				location = resp.HTTPResponse.Header.Get("Location")
			})

			It("points its Location at getDatabaseOperation, which shows the upgrade", func(ctx SpecContext) {
				u, err := url.Parse(location)
				Expect(err).NotTo(HaveOccurred())
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, location, nil)
				Expect(err).NotTo(HaveOccurred())
				id, ok := suite.validator.Match(req)
				Expect(ok).To(BeTrue(), "Location %s names no operation of the spec", location)
				Expect(id).To(Equal("getDatabaseOperation"))
				opID := u.Path[strings.LastIndexByte(u.Path, '/')+1:]
				resp := answered(suite.api.GetDatabaseOperationWithResponse(ctx, suite.db, opID)).with(http.StatusOK)
				Expect(resp.JSON200.Operation.Type).To(HaveValue(Equal("upgrade")))
			})
		})

		Context("when a point-in-time restore runs", labels(harness.Mutating, harness.Slow), func() {
			It("is followed by its operation until it finishes", func(ctx SpecContext) {
				requireWrites()
				skipOnLive("a restore overwrites the database")
				resp := answered(suite.api.RestoreDatabasePitrWithResponse(ctx, suite.db, dbapi.PitrRestoreRequest{RestoreTime: time.Now().Add(-time.Hour).UTC()})).with(http.StatusCreated)
				id := resp.JSON201.Operation.ID
				Eventually(func(g Gomega) {
					resp, err := suite.api.GetDatabaseOperationWithResponse(ctx, suite.db, id)
					g.Expect(err).NotTo(HaveOccurred())
					g.Expect(resp.StatusCode()).To(Equal(http.StatusOK))
					g.Expect(resp.JSON200.Operation.Status).To(HaveValue(Equal(dbapi.OperationStatusFinished)))
					g.Expect(resp.JSON200.Operation.FinishedAt).NotTo(BeNil())
				}).WithContext(ctx).WithTimeout(30 * time.Second).WithPolling(20 * time.Millisecond).Should(Succeed())
			})
		})

		It("returns the plan of the database", labels(harness.ReadOnly), func(ctx SpecContext) {
			resp := answered(suite.api.GetDatabasePlanWithResponse(ctx, suite.db)).with(http.StatusOK)
			Expect(resp.JSON200.Plan.Name).To(Equal(getDatabase(ctx, suite.db).Plan))
		})

		It("answers a ping", labels(harness.Mutating), func(ctx SpecContext) {
			resp, err := suite.raw.PingDatabase(ctx, suite.db)
			expectStatus(resp, err, http.StatusOK)
		})

		It("serves the CA certificate in PEM", labels(harness.ReadOnly), func(ctx SpecContext) {
			resp, err := suite.raw.GetCaCertificate(ctx)
			body := expectStatus(resp, err, http.StatusOK)
			Expect(resp.Header.Get("Content-Type")).To(HavePrefix(mockserver.CACertificateContentType))
			Expect(string(body)).To(HavePrefix("-----BEGIN CERTIFICATE-----"))
		})
	})

	itAnswersSharedErrors(harness.Databases)
})

// updateSettings sends the settings of the database under test with method (PATCH or PUT) and
// expects them taken.
func updateSettings(ctx SpecContext, method string, settings dbapi.DatabaseUpdate) {
	GinkgoHelper()
	body := dbapi.DatabaseUpdateRequest{Database: settings}
	var resp *http.Response
	var err error
	if method == http.MethodPut {
		resp, err = suite.raw.PutDatabase(ctx, suite.db, body)
	} else {
		resp, err = suite.raw.UpdateDatabase(ctx, suite.db, body)
	}
	expectStatus(resp, err, http.StatusOK)
}

// restoreSettings sends back, after a spec, every setting of the database that an update can
// change, as before shows it: whatever a wrong server reset, the database ends as it began.
func restoreSettings(ctx SpecContext, id string, before dbapi.Database) {
	settings := dbapi.DatabaseUpdate{PeriodicBackupsEnabled: ptr(before.PeriodicBackupsEnabled),
		MaintenanceWindow: &dbapi.MaintenanceWindowUpdate{WeekdayUtc: ptr(before.MaintenanceWindow.WeekdayUtc), StartingHourUtc: ptr(before.MaintenanceWindow.StartingHourUtc)}}
	if len(before.PeriodicBackupsScheduledAt) > 0 {
		settings.PeriodicBackupsScheduledAt = &dbapi.DatabaseUpdate_PeriodicBackupsScheduledAt{}
		noError(settings.PeriodicBackupsScheduledAt.FromBackupHours(before.PeriodicBackupsScheduledAt))
	}
	resp, err := suite.raw.UpdateDatabase(ctx, id, dbapi.DatabaseUpdateRequest{Database: settings})
	expectStatus(resp, err, http.StatusOK)
}

// setPeriodicBackups restores the periodic backups setting after a spec changed it.
func setPeriodicBackups(ctx SpecContext, id string, enabled bool) {
	resp, err := suite.raw.UpdateDatabase(ctx, id, dbapi.DatabaseUpdateRequest{Database: dbapi.DatabaseUpdate{PeriodicBackupsEnabled: &enabled}})
	expectStatus(resp, err, http.StatusOK)
}
