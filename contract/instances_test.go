package contract_test

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
)

var _ = Describe("Instances", labels(harness.Instances), func() {
	Context("when the database runs", func() {
		It("returns the status of each instance", labels(harness.ReadOnly), func(ctx SpecContext) {
			resp := answered(suite.api.GetDatabaseInstancesStatusWithResponse(ctx, suite.db)).with(http.StatusOK)
			Expect(*resp.JSON200).NotTo(BeEmpty())
			for _, in := range *resp.JSON200 {
				Expect(in.ID).NotTo(BeEmpty())
			}
		})
	})

	itAnswersSharedErrors(harness.Instances)
})
