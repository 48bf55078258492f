package contract_test

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
)

var _ = Describe("Database type versions", labels(harness.TypeVersions), func() {
	Context("when the database runs a version", func() {
		It("returns that version", labels(harness.ReadOnly), func(ctx SpecContext) {
			id := getDatabase(ctx, suite.db).VersionID
			resp, err := suite.api.GetDatabaseTypeVersionWithResponse(ctx, id)
			noError(err)
			Expect(resp.StatusCode()).To(Equal(http.StatusOK), "%s", resp.Body)
			Expect(resp.JSON200.DatabaseTypeVersion.ID).To(Equal(id))
		})
	})

	itAnswersSharedErrors(harness.TypeVersions)
})
