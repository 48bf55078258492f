package contract_test

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

var _ = Describe("Metrics and health", labels(harness.Metrics), func() {
	Context("when the database runs", func() {
		It("returns its metrics", labels(harness.ReadOnly), func(ctx SpecContext) {
			resp := answered(suite.api.GetDatabaseMetricsWithResponse(ctx, suite.db)).with(http.StatusOK)
			Expect(resp.JSON200.RealDiskSize).To(BeNumerically(">=", 0))
		})
	})

	Context("when the database is an Elasticsearch cluster", func() {
		It("returns its health", labels(harness.ReadOnly), func(ctx SpecContext) {
			if suite.es == "" {
				Skip("set DBAPI_ES_DATABASE_ID to check the health of an Elasticsearch database")
			}
			resp := answered(suite.api.GetDatabaseHealthWithResponse(ctx, suite.es)).with(http.StatusOK)
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

	// Known from the JavaScript client only (x-sources: [js-client]): labelled unverified.
	Context("(known from one client only)", labels(harness.Unverified), func() {
		instance := func(ctx SpecContext) string {
			GinkgoHelper()
			instances := getDatabase(ctx, suite.db).Instances
			if len(instances) == 0 {
				Skip("the database under test has no instance")
			}
			return instances[len(instances)-1].ID
		}

		It("returns the CPU of the database over time", labels(harness.ReadOnly, harness.Stateless), func(ctx SpecContext) {
			resp, err := suite.raw.GetDatabaseMetricsByType(ctx, suite.db, "cpu", &dbapi.GetDatabaseMetricsByTypeParams{Since: ptr(1)})
			expectStatus(resp, err, http.StatusOK)
		})

		It("returns the memory of an instance over time", labels(harness.ReadOnly), func(ctx SpecContext) {
			resp, err := suite.raw.GetInstanceMetricsByType(ctx, suite.db, instance(ctx), "memory", &dbapi.GetInstanceMetricsByTypeParams{Last: ptr(true)})
			expectStatus(resp, err, http.StatusOK)
		})

		It("returns the replication lag", labels(harness.ReadOnly, harness.Stateless), func(ctx SpecContext) {
			resp, err := suite.raw.GetDatabaseLag(ctx, suite.db)
			expectStatus(resp, err, http.StatusOK)
		})

		Context("when since is not a number", func() {
			It("answers 400 for the database", labels(harness.ReadOnly), func(ctx SpecContext) {
				resp, err := sendRaw(ctx, http.MethodGet, "/databases/"+suite.db+"/metrics/cpu?since=many", "", "")
				expectRefused(resp, err, harness.Malformed)
			})
			It("answers 400 for an instance", labels(harness.ReadOnly), func(ctx SpecContext) {
				resp, err := sendRaw(ctx, http.MethodGet, "/databases/"+suite.db+"/instances/"+instance(ctx)+"/metrics/cpu?since=many", "", "")
				expectRefused(resp, err, harness.Malformed)
			})
		})

		Context("when since reaches beyond what is kept", func() {
			It("answers 422 for the database", labels(harness.ReadOnly), func(ctx SpecContext) {
				skipOnLive("the bound of since is the mock's guess")
				resp, err := sendRaw(ctx, http.MethodGet, "/databases/"+suite.db+"/metrics/cpu?since=10000", "", "")
				expectFieldError(resp, err, "since")
			})
			It("answers 422 for an instance", labels(harness.ReadOnly), func(ctx SpecContext) {
				skipOnLive("the bound of since is the mock's guess")
				resp, err := sendRaw(ctx, http.MethodGet, "/databases/"+suite.db+"/instances/"+instance(ctx)+"/metrics/cpu?since=10000", "", "")
				expectFieldError(resp, err, "since")
			})
		})
	})

	itAnswersSharedErrors(harness.Metrics)
})
