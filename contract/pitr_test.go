package contract_test

import (
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

var _ = Describe("Point-in-time recovery", labels(harness.PITR), func() {
	Context("when the database keeps a recovery window", func() {
		It("returns the window", labels(harness.ReadOnly), func(ctx SpecContext) {
			resp := answered(suite.api.GetPitrRecoveryWindowWithResponse(ctx, suite.db)).with(http.StatusOK)
			w := resp.JSON200.RecoveryWindow
			if w.EarliestRecoverableAt != nil && w.LatestRecoverableAt != nil {
				Expect(*w.EarliestRecoverableAt).To(BeTemporally("<=", *w.LatestRecoverableAt))
			}
		})

		It("starts a restore with 201 and its operation", labels(harness.Mutating), func(ctx SpecContext) {
			skipOnLive("a restore overwrites the database")
			resp := answered(suite.api.RestoreDatabasePitrWithResponse(ctx, suite.db, dbapi.PitrRestoreRequest{RestoreTime: time.Now().Add(-time.Hour).UTC()})).with(http.StatusCreated)
			Expect(resp.JSON201.Operation.ID).NotTo(BeEmpty())
		})
	})

	Context("when the request is malformed", func() {
		It("answers 422 to a restore time without its offset", labels(harness.Mutating), func(ctx SpecContext) {
			resp, err := sendRaw(ctx, http.MethodPost, "/databases/"+suite.db+"/pitr/restore", jsonType, `{"restore_time":"2019-07-18T23:00:00"}`)
			expectFieldError(resp, err, "restore_time")
		})
	})

	itAnswersSharedErrors(harness.PITR)
})
