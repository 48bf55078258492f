package contract_test

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
)

var _ = Describe("Metrics and health", labels(harness.Metrics), func() {
	Context("when the database runs", func() {
		It("returns its metrics", labels(harness.ReadOnly), func(ctx SpecContext) {
			resp, err := suite.api.GetDatabaseMetricsWithResponse(ctx, suite.db)
			noError(err)
			Expect(resp.StatusCode()).To(Equal(http.StatusOK), "%s", resp.Body)
			Expect(resp.JSON200.RealDiskSize).To(BeNumerically(">=", 0))
		})
	})

	Context("when the database is an Elasticsearch cluster", func() {
		It("returns its health", labels(harness.ReadOnly), func(ctx SpecContext) {
			if suite.es == "" {
				Skip("set DBAPI_ES_DATABASE_ID to check the health of an Elasticsearch database")
			}
			resp, err := suite.api.GetDatabaseHealthWithResponse(ctx, suite.es)
			noError(err)
			Expect(resp.StatusCode()).To(Equal(http.StatusOK), "%s", resp.Body)
			Expect(resp.JSON200.Status).NotTo(BeEmpty())
		})
	})

	Context("when the database is not an Elasticsearch cluster", func() {
		It("answers 404 to the health check", labels(harness.ReadOnly), func(ctx SpecContext) {
			if t := getDatabase(ctx, suite.db).TypeName; t == "elasticsearch" || t == "opensearch" {
				Skip("the database under test is " + t)
			}
			resp, err := suite.raw.GetDatabaseHealth(ctx, suite.db)
			expectError(resp, err, http.StatusNotFound)
		})
	})

	itAnswersSharedErrors(harness.Metrics)
})
