package contract_test

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

var _ = Describe("Database type versions", labels(harness.TypeVersions), func() {
	Context("when the database runs a version", func() {
		It("returns that version", labels(harness.ReadOnly), func(ctx SpecContext) {
			id := getDatabase(ctx, suite.db).VersionID
			resp := answered(suite.api.GetDatabaseTypeVersionWithResponse(ctx, id)).with(http.StatusOK)
			Expect(resp.JSON200.DatabaseTypeVersion.ID).To(Equal(id))
		})
	})

	// Known from the JavaScript client only (x-sources: [js-client]): labelled unverified.
	Context("(known from one client only)", labels(harness.Unverified), func() {
		It("lists the types, the database's among them, and shows it", labels(harness.ReadOnly), func(ctx SpecContext) {
			db := getDatabase(ctx, suite.db)
			resp := answered(suite.api.ListDatabaseTypesWithResponse(ctx)).with(http.StatusOK)
			Expect(resp.JSON200.DatabaseTypes).To(ContainElement(HaveField("ID", db.TypeID)))
			one := answered(suite.api.GetDatabaseTypeWithResponse(ctx, db.TypeID)).with(http.StatusOK)
			Expect(one.JSON200.DatabaseType.Name).To(Equal(db.TypeName))
		})

		It("shows the database's plan by its name and type", labels(harness.ReadOnly), func(ctx SpecContext) {
			db := getDatabase(ctx, suite.db)
			resp := answered(suite.api.GetPlanWithResponse(ctx, db.Plan, &dbapi.GetPlanParams{Type: dbapi.DatabaseTypeName(db.TypeName)})).with(http.StatusOK)
			Expect(resp.JSON200.Plan.Name).To(Equal(db.Plan))
		})

		It("answers 400 to a plan asked without its type", labels(harness.ReadOnly), func(ctx SpecContext) {
			resp, err := sendRaw(ctx, http.MethodGet, "/plans/"+getDatabase(ctx, suite.db).Plan, "", "")
			expectRefused(resp, err, harness.Malformed)
		})

		It("answers 400 to a plan of an unknown type (type names are an enum of the spec)", labels(harness.ReadOnly), func(ctx SpecContext) {
			resp, err := suite.raw.GetPlan(ctx, getDatabase(ctx, suite.db).Plan, &dbapi.GetPlanParams{Type: dbapi.DatabaseTypeName("contract-" + randomHex(4))})
			expectRefused(resp, err, harness.Malformed)
		})
	})

	itAnswersSharedErrors(harness.TypeVersions)
})
