package contract_test

import (
	"net/http"
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

var _ = Describe("Logs", labels(harness.Logs), func() {
	Context("when the client asks for the logs", func() {
		It("returns an absolute URL to stream them", labels(harness.ReadOnly, harness.Stateless), func(ctx SpecContext) {
			resp := answered(suite.api.GetDatabaseLogsURLWithResponse(ctx, suite.db)).with(http.StatusOK)
			u, err := url.Parse(resp.JSON200.URL)
			noError(err)
			Expect(u.IsAbs()).To(BeTrue(), "the logs URL %q is not absolute", resp.JSON200.URL)
		})

		It("returns a page of archives", labels(harness.ReadOnly), func(ctx SpecContext) {
			resp := answered(suite.api.ListDatabaseLogsArchivesWithResponse(ctx, suite.db, &dbapi.ListDatabaseLogsArchivesParams{Page: ptr(1)})).with(http.StatusOK)
			for _, a := range resp.JSON200.Archives {
				Expect(a.From).To(BeTemporally("<=", a.To))
			}
		})

		It("refuses a page that is not a number with a documented status", labels(harness.ReadOnly), func(ctx SpecContext) {
			resp, err := sendRaw(ctx, http.MethodGet, "/databases/"+suite.db+"/logs_archives?page=abc", "", "")
			expectRefused(resp, err, harness.Malformed)
		})
	})

	Context("when the cursor is not one the API gave", func() {
		It("answers 422 to listDatabaseLogsArchives", labels(harness.ReadOnly), func(ctx SpecContext) {
			resp, err := suite.raw.ListDatabaseLogsArchives(ctx, suite.db, &dbapi.ListDatabaseLogsArchivesParams{Cursor: ptr("contract-not-a-cursor")})
			expectFieldError(resp, err, "cursor")
		})
	})

	itAnswersSharedErrors(harness.Logs)
})
