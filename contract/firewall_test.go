package contract_test

import (
	"fmt"
	"net/http"
	"strconv"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

var _ = Describe("Firewall rules", labels(harness.Firewall), func() {
	It("lists the rules of the database", labels(harness.ReadOnly), func(ctx SpecContext) {
		resp, err := suite.api.ListFirewallRulesWithResponse(ctx, suite.db)
		noError(err)
		Expect(resp.StatusCode()).To(Equal(http.StatusOK), "%s", resp.Body)
		Expect(resp.JSON200.Rules).NotTo(BeNil())
	})

	It("lists the managed ranges", labels(harness.ReadOnly), func(ctx SpecContext) {
		resp, err := suite.api.ListFirewallManagedRangesWithResponse(ctx)
		noError(err)
		Expect(resp.StatusCode()).To(Equal(http.StatusOK), "%s", resp.Body)
		Expect(resp.JSON200.Ranges).NotTo(BeEmpty())
	})

	Context("when a custom range is added", Ordered, labels(harness.Mutating), func() {
		var rule dbapi.CustomRangeFirewallRule
		var cidr string

		BeforeAll(func(ctx SpecContext) {
			requireWrites()
			cidr = randomDocumentationCIDR()
			var body dbapi.FirewallRuleCreate
			noError(body.FromCustomRangeFirewallRuleCreate(dbapi.CustomRangeFirewallRuleCreate{Cidr: cidr, Label: ptr("contract suite")}))
			resp, err := suite.api.CreateFirewallRuleWithResponse(ctx, suite.db, body)
			noError(err)
			Expect(resp.StatusCode()).To(Equal(http.StatusCreated), "%s", resp.Body)
			rule, err = resp.JSON201.Rule.AsCustomRangeFirewallRule()
			noError(err)
			DeferCleanup(func(ctx SpecContext) {
				resp, err := suite.raw.DeleteFirewallRule(ctx, suite.db, rule.ID)
				noError(err)
				resp.Body.Close()
				Expect(resp.StatusCode).To(BeElementOf(http.StatusNoContent, http.StatusNotFound))
			})
		})

		It("answers 201 with the rule", func() {
			Expect(rule.ID).NotTo(BeEmpty())
			Expect(rule.Type).To(Equal(dbapi.CustomRangeFirewallRuleTypeCustomRange))
			Expect(rule.Cidr).To(Equal(cidr))
		})

		It("lists the rule", func(ctx SpecContext) {
			resp, err := suite.api.ListFirewallRulesWithResponse(ctx, suite.db)
			noError(err)
			var listed []string
			for _, r := range resp.JSON200.Rules {
				v, err := r.ValueByDiscriminator()
				noError(err)
				switch v := v.(type) {
				case dbapi.CustomRangeFirewallRule:
					listed = append(listed, v.ID)
				case dbapi.ManagedRangeFirewallRule:
					listed = append(listed, v.ID)
				}
			}
			Expect(listed).To(ContainElement(rule.ID))
		})

		It("deletes the rule with 204", func(ctx SpecContext) {
			resp, err := suite.raw.DeleteFirewallRule(ctx, suite.db, rule.ID)
			expectStatus(resp, err, http.StatusNoContent)
		})

		It("answers 404 to a second delete", func(ctx SpecContext) {
			resp, err := suite.raw.DeleteFirewallRule(ctx, suite.db, rule.ID)
			expectError(resp, err, http.StatusNotFound)
		})
	})

	Context("when the new rule is malformed", func() {
		It("answers 400 to a body that is not JSON", labels(harness.Mutating), func(ctx SpecContext) {
			resp, err := sendRaw(ctx, http.MethodPost, "/databases/"+suite.db+"/firewall_rules", jsonType, `{"type":`)
			expectRefused(resp, err, harness.Malformed)
		})
		It("answers 422 to a custom range without a valid CIDR", labels(harness.Mutating), func(ctx SpecContext) {
			resp, err := sendRaw(ctx, http.MethodPost, "/databases/"+suite.db+"/firewall_rules", jsonType, `{"type":"custom_range","cidr":"999.0.0.0/24"}`)
			expectFieldError(resp, err, "cidr")
		})
	})

	itAnswersSharedErrors(harness.Firewall)
})

// randomDocumentationCIDR returns a random /32 in TEST-NET-2 (RFC 5737), which no real client
// uses, so that parallel and repeated runs do not collide.
func randomDocumentationCIDR() string {
	b, _ := strconv.ParseUint(randomHex(1), 16, 8)
	return fmt.Sprintf("198.51.100.%d/32", b)
}
