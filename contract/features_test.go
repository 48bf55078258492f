package contract_test

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// testFeature is the feature the specs toggle: it exists on every database type.
const testFeature = "force-ssl"

var _ = Describe("Features", labels(harness.Features), func() {
	Context("when a feature is enabled", func() {
		It("answers with the feature pending activation and lists it on the database", labels(harness.Mutating), func(ctx SpecContext) {
			restoreFeature(ctx)
			resp := answered(suite.api.EnableDatabaseFeatureWithResponse(ctx, suite.db, enableRequest(testFeature))).with(http.StatusOK)
			Expect(resp.JSON200.Name).To(Equal(testFeature))
			Expect(resp.JSON200.Status).To(BeElementOf(dbapi.FeatureStatusPENDINGTOACTIVATE, dbapi.FeatureStatusACTIVATED))
			Expect(featureNames(getDatabase(ctx, suite.db))).To(ContainElement(testFeature))
		})

		// A feature left on after its disabling answered 200 is a database left publicly available,
		// or without force-ssl's guarantee gone, while its owner reads that it was turned off.
		It("disables it with a message, and the database no longer lists it", labels(harness.Mutating, harness.Lifecycle), func(ctx SpecContext) {
			restoreFeature(ctx)
			enabled, err := suite.raw.EnableDatabaseFeature(ctx, suite.db, enableRequest(testFeature))
			expectStatus(enabled, err, http.StatusOK)
			resp := answered(suite.api.DisableDatabaseFeatureWithResponse(ctx, suite.db, &dbapi.DisableDatabaseFeatureParams{Feature: testFeature})).with(http.StatusOK)
			Expect(resp.JSON200.Message).NotTo(BeEmpty(), "the disabling of %s answered no message", testFeature)
			for _, f := range getDatabase(ctx, suite.db).Features {
				// Deactivation may take a while: on its way out a feature is PENDING_TO_REMOVE.
				Expect(f.Name != testFeature || f.Status == dbapi.FeatureStatusPENDINGTOREMOVE).To(BeTrue(),
					"getDatabase lists %s %s after its disabling answered 200", f.Name, f.Status)
			}
		})
	})

	Context("when the feature is unknown", func() {
		It("answers 422 to enableDatabaseFeature", labels(harness.Mutating), func(ctx SpecContext) {
			body := enableRequest("contract-no-such-feature")
			resp, err := suite.raw.EnableDatabaseFeature(ctx, suite.db, body)
			resp, err = undoIfAccepted("enableDatabaseFeature", body, resp, err)
			expectRefused(resp, err, harness.BreaksRule)
		})
		It("answers 400 to disableDatabaseFeature (feature names are an enum of the spec)", labels(harness.Mutating), func(ctx SpecContext) {
			resp, err := sendRaw(ctx, http.MethodDelete, "/databases/"+suite.db+"/features?feature=contract-no-such-feature", "", "")
			expectRefused(resp, err, harness.Malformed)
		})
	})

	Context("when the feature belongs to another engine", func() {
		It("answers 422 to disableDatabaseFeature", labels(harness.Mutating), func(ctx SpecContext) {
			if getDatabase(ctx, suite.db).TypeName == "redis" {
				Skip("the database under test is a Redis database, which has every feature of the spec")
			}
			resp, err := suite.raw.DisableDatabaseFeature(ctx, suite.db, &dbapi.DisableDatabaseFeatureParams{Feature: dbapi.FeatureNameRedisAof})
			expectRefused(resp, err, harness.BreaksRule)
		})
	})

	Context("when the request is malformed", func() {
		It("answers 400 to disableDatabaseFeature without the feature parameter", labels(harness.Mutating), func(ctx SpecContext) {
			resp, err := sendRaw(ctx, http.MethodDelete, "/databases/"+suite.db+"/features", "", "")
			expectRefused(resp, err, harness.Malformed)
		})
		It("answers 422 to enableDatabaseFeature without a feature name", labels(harness.Mutating), func(ctx SpecContext) {
			resp, err := sendRaw(ctx, http.MethodPost, "/databases/"+suite.db+"/features", jsonType, `{"feature":{}}`)
			expectFieldError(resp, err, "name")
		})
	})

	itAnswersSharedErrors(harness.Features)
})

func enableRequest(name string) dbapi.FeatureEnableRequest {
	var r dbapi.FeatureEnableRequest
	r.Feature.Name = dbapi.FeatureName(name)
	return r
}

func featureNames(db dbapi.Database) []string {
	var out []string
	for _, f := range db.Features {
		out = append(out, f.Name)
	}
	return out
}

// restoreFeature puts testFeature back as it was once the spec ends: disabled, unless it was
// enabled before.
func restoreFeature(ctx SpecContext) {
	GinkgoHelper()
	wasOn := false
	for _, name := range featureNames(getDatabase(ctx, suite.db)) {
		wasOn = wasOn || name == testFeature
	}
	DeferCleanup(func(ctx SpecContext) {
		if wasOn {
			resp, err := suite.raw.EnableDatabaseFeature(ctx, suite.db, enableRequest(testFeature))
			expectStatus(resp, err, http.StatusOK)
			return
		}
		resp, err := suite.raw.DisableDatabaseFeature(ctx, suite.db, &dbapi.DisableDatabaseFeatureParams{Feature: testFeature})
		noError(err)
		resp.Body.Close()
	})
}
