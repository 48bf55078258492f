package contract_test

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// readOnlyAction returns an action of the docs that only reads, for the database's type.
func readOnlyAction(typeName string) string {
	switch typeName {
	case "postgresql":
		return "pg-list-queries"
	case "mysql":
		return "get-sqlmode"
	case "influxdb":
		return "list-retention-policies"
	default:
		return "contract-no-such-action"
	}
}

var _ = Describe("Actions", labels(harness.Actions), func() {
	Context("when the action exists for the database type", func() {
		It("answers ok with its result", labels(harness.Mutating), func(ctx SpecContext) {
			db := getDatabase(ctx, suite.db)
			name := readOnlyAction(db.TypeName)
			if name == "contract-no-such-action" {
				Skip("no read-only action is known for type " + db.TypeName)
			}
			resp := answered(suite.api.RunDatabaseActionWithResponse(ctx, suite.db, dbapi.ActionRequest{ActionName: name})).with(http.StatusOK)
			Expect(resp.JSON200.Ok).To(Equal(dbapi.ActionResultOkN1), "%s", resp.Body)
		})
	})

	Context("when the action is unknown", func() {
		It("answers 200 with ok 0 and an error", labels(harness.Mutating), func(ctx SpecContext) {
			resp := answered(suite.api.RunDatabaseActionWithResponse(ctx, suite.db, dbapi.ActionRequest{ActionName: "contract-no-such-action"})).with(http.StatusOK)
			Expect(resp.JSON200.Ok).To(Equal(dbapi.ActionResultOkN0))
			Expect(resp.JSON200.Error).NotTo(BeNil())
		})
	})

	Context("when the request is malformed", func() {
		It("answers 422 to an empty action name", labels(harness.Mutating), func(ctx SpecContext) {
			resp, err := sendRaw(ctx, http.MethodPost, "/databases/"+suite.db+"/action", jsonType, `{"action_name":""}`)
			expectFieldError(resp, err, "action_name")
		})
	})

	itAnswersSharedErrors(harness.Actions)
})
