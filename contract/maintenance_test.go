package contract_test

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

var _ = Describe("Maintenance", labels(harness.Maintenance), func() {
	Context("when the client pages through the maintenance list", func() {
		It("returns a page with its pagination meta", labels(harness.ReadOnly), func(ctx SpecContext) {
			resp := answered(suite.api.ListMaintenancesWithResponse(ctx, suite.db, &dbapi.ListMaintenancesParams{Page: ptr(1), PerPage: ptr(2)})).with(http.StatusOK)
			p := resp.JSON200.Meta.Pagination
			Expect(p.CurrentPage).To(Equal(1))
			Expect(len(resp.JSON200.Maintenance)).To(BeNumerically("<=", 2))
			Expect(int64(len(resp.JSON200.Maintenance))).To(BeNumerically("<=", p.TotalCount))
		})

		It("returns different entries on the next page", labels(harness.ReadOnly), func(ctx SpecContext) {
			first := answered(suite.api.ListMaintenancesWithResponse(ctx, suite.db, &dbapi.ListMaintenancesParams{Page: ptr(1), PerPage: ptr(2)})).with(http.StatusOK)
			if first.JSON200.Meta.Pagination.NextPage == nil {
				Skip("the database has a single page of maintenance")
			}
			next := answered(suite.api.ListMaintenancesWithResponse(ctx, suite.db, &dbapi.ListMaintenancesParams{Page: first.JSON200.Meta.Pagination.NextPage, PerPage: ptr(2)})).with(http.StatusOK)
			Expect(next.JSON200.Maintenance).NotTo(BeEmpty())
			Expect(next.JSON200.Maintenance[0].ID).NotTo(Equal(first.JSON200.Maintenance[0].ID))
		})

		It("refuses a page that is not a number with a documented status", labels(harness.ReadOnly), func(ctx SpecContext) {
			resp, err := sendRaw(ctx, http.MethodGet, "/databases/"+suite.db+"/maintenance?page=abc", "", "")
			expectRefused(resp, err, harness.Malformed)
		})
	})

	Context("when a maintenance exists", func() {
		It("returns it by its ID", labels(harness.ReadOnly), func(ctx SpecContext) {
			list := answered(suite.api.ListMaintenancesWithResponse(ctx, suite.db, nil)).with(http.StatusOK)
			if len(list.JSON200.Maintenance) == 0 {
				Skip("the database has no maintenance")
			}
			want := list.JSON200.Maintenance[0]
			resp := answered(suite.api.GetMaintenanceWithResponse(ctx, suite.db, want.ID)).with(http.StatusOK)
			Expect(resp.JSON200.ID).To(Equal(want.ID))
			Expect(resp.JSON200.Type).To(Equal(want.Type))
		})
	})

	itAnswersSharedErrors(harness.Maintenance)
})
