package contract_test

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

var _ = Describe("Databases", labels(harness.Databases), func() {
	Context("when the database exists", func() {
		It("returns it with its identity, type and version", labels(harness.ReadOnly), func(ctx SpecContext) {
			db := getDatabase(ctx, suite.db)
			Expect(db.ID).NotTo(BeEmpty())
			Expect(db.TypeName).NotTo(BeEmpty())
			Expect(db.VersionID).NotTo(BeEmpty())
		})

		It("persists a PATCH of the periodic backups setting", labels(harness.Mutating), func(ctx SpecContext) {
			before := getDatabase(ctx, suite.db).PeriodicBackupsEnabled
			DeferCleanup(setPeriodicBackups, suite.db, before)
			resp, err := suite.api.UpdateDatabaseWithResponse(ctx, suite.db, dbapi.DatabaseUpdateRequest{
				Database: dbapi.DatabaseUpdate{PeriodicBackupsEnabled: ptr(!before)},
			})
			noError(err)
			Expect(resp.StatusCode()).To(Equal(http.StatusOK), "%s", resp.Body)
			Expect(resp.JSON200.Database.PeriodicBackupsEnabled).To(Equal(!before))
			Expect(getDatabase(ctx, suite.db).PeriodicBackupsEnabled).To(Equal(!before))
		})

		It("persists a PUT of the maintenance window", labels(harness.Mutating), func(ctx SpecContext) {
			before := getDatabase(ctx, suite.db).MaintenanceWindow
			DeferCleanup(func(ctx SpecContext) {
				resp, err := suite.raw.PutDatabase(ctx, suite.db, dbapi.DatabaseUpdateRequest{Database: dbapi.DatabaseUpdate{
					MaintenanceWindow: &dbapi.MaintenanceWindowUpdate{WeekdayUtc: ptr(before.WeekdayUtc), StartingHourUtc: ptr(before.StartingHourUtc)},
				}})
				expectStatus(resp, err, http.StatusOK)
			})
			want := (before.StartingHourUtc + 1) % 24
			resp, err := suite.api.PutDatabaseWithResponse(ctx, suite.db, dbapi.DatabaseUpdateRequest{Database: dbapi.DatabaseUpdate{
				MaintenanceWindow: &dbapi.MaintenanceWindowUpdate{StartingHourUtc: ptr(want)},
			}})
			noError(err)
			Expect(resp.StatusCode()).To(Equal(http.StatusOK), "%s", resp.Body)
			Expect(getDatabase(ctx, suite.db).MaintenanceWindow.StartingHourUtc).To(Equal(want))
		})

		It("accepts an upgrade with 202 and the operation's Location", labels(harness.Mutating), func(ctx SpecContext) {
			skipOnLive("an upgrade cannot be undone")
			resp, err := suite.api.UpgradeDatabaseWithResponse(ctx, suite.db)
			noError(err)
			Expect(resp.StatusCode()).To(Equal(http.StatusAccepted), "%s", resp.Body)
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

	Context("when the body is not JSON", func() {
		for _, method := range []string{http.MethodPatch, http.MethodPut} {
			It("answers 400 to "+method, labels(harness.Mutating), func(ctx SpecContext) {
				resp, err := sendRaw(ctx, method, "/databases/"+suite.db, jsonType, `{"database":`)
				expectRefused(resp, err, harness.Malformed)
			})
		}
	})

	Context("when the body breaks the schema", func() {
		for _, method := range []string{http.MethodPatch, http.MethodPut} {
			It("answers 422 to "+method+" naming the field", labels(harness.Mutating), func(ctx SpecContext) {
				resp, err := sendRaw(ctx, method, "/databases/"+suite.db, jsonType, `{"database":{"periodic_backups_enabled":"yes"}}`)
				expectFieldError(resp, err, "periodic_backups_enabled")
			})
		}
	})

	itAnswersSharedErrors(harness.Databases)
})

// setPeriodicBackups restores the periodic backups setting after a spec changed it.
func setPeriodicBackups(ctx SpecContext, id string, enabled bool) {
	resp, err := suite.raw.UpdateDatabase(ctx, id, dbapi.DatabaseUpdateRequest{Database: dbapi.DatabaseUpdate{PeriodicBackupsEnabled: &enabled}})
	expectStatus(resp, err, http.StatusOK)
}
