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
	It("lists the rules of the database", labels(harness.ReadOnly, harness.Stateless), func(ctx SpecContext) {
		resp := answered(suite.api.ListFirewallRulesWithResponse(ctx, suite.db)).with(http.StatusOK)
		Expect(resp.JSON200.Rules).NotTo(BeNil())
	})

	It("lists the managed ranges", labels(harness.ReadOnly), func(ctx SpecContext) {
		resp := answered(suite.api.ListFirewallManagedRangesWithResponse(ctx)).with(http.StatusOK)
		Expect(resp.JSON200.Ranges).NotTo(BeEmpty())
	})

	Context("when a custom range is added", Ordered, labels(harness.Mutating), func() {
		var rule dbapi.CustomRangeFirewallRule
		var cidr string

		BeforeAll(func(ctx SpecContext) {
			cidr = randomDocumentationCIDR()
			rule = createCustomRange(ctx, cidr)
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
		It("answers 422 to a custom range without a valid CIDR", labels(harness.Mutating), func(ctx SpecContext) {
			body := `{"type":"custom_range","cidr":"999.0.0.0/24"}`
			resp, err := sendRaw(ctx, http.MethodPost, "/databases/"+suite.db+"/firewall_rules", jsonType, body)
			resp, err = undoIfAccepted("createFirewallRule", []byte(body), resp, err)
			expectFieldError(resp, err, "cidr")
		})
	})

	// Known from the JavaScript client only (x-sources: [js-client]): labelled unverified.
	Context("(known from one client only)", labels(harness.Unverified), func() {
		Context("when a rule is relabelled", Ordered, labels(harness.Mutating), func() {
			var rule dbapi.CustomRangeFirewallRule

			BeforeAll(func(ctx SpecContext) {
				rule = createCustomRange(ctx, randomDocumentationCIDR())
			})

			It("answers 200 with the new label, the range unchanged", func(ctx SpecContext) {
				resp := answered(suite.api.UpdateFirewallRuleWithResponse(ctx, suite.db, rule.ID, dbapi.FirewallRuleUpdateRequest{
					FirewallRule: dbapi.FirewallRuleUpdate{Label: "contract suite (renamed)"},
				})).with(http.StatusOK)
				renamed, err := resp.JSON200.Rule.AsCustomRangeFirewallRule()
				noError(err)
				Expect(renamed.Label).To(HaveValue(Equal("contract suite (renamed)")))
				Expect(renamed.Cidr).To(Equal(rule.Cidr))
			})

			It("answers 422 to an empty label", func(ctx SpecContext) {
				resp, err := sendRaw(ctx, http.MethodPatch, "/databases/"+suite.db+"/firewall_rules/"+rule.ID, jsonType, `{"firewall_rule":{"label":""}}`)
				expectRefused(resp, err, harness.BreaksRule)
			})
		})
	})

	itAnswersSharedErrors(harness.Firewall)
})

// createCustomRange creates a custom range rule for cidr, labelled as the suite's, and deletes it
// when the container ends; a spec that deleted it already leaves the cleanup a 404.
func createCustomRange(ctx SpecContext, cidr string) dbapi.CustomRangeFirewallRule {
	GinkgoHelper()
	requireWrites()
	var body dbapi.FirewallRuleCreate
	noError(body.FromCustomRangeFirewallRuleCreate(dbapi.CustomRangeFirewallRuleCreate{Cidr: cidr, Label: ptr("contract suite")}))
	resp := answered(suite.api.CreateFirewallRuleWithResponse(ctx, suite.db, body)).with(http.StatusCreated)
	rule, err := resp.JSON201.Rule.AsCustomRangeFirewallRule()
	noError(err)
	DeferCleanup(func(ctx SpecContext) {
		resp, err := suite.raw.DeleteFirewallRule(ctx, suite.db, rule.ID)
		noError(err)
		resp.Body.Close()
		Expect(resp.StatusCode).To(BeElementOf(http.StatusNoContent, http.StatusNotFound), "deleting the rule %s", rule.ID)
	})
	return rule
}

// randomDocumentationCIDR returns a random /32 in TEST-NET-2 (RFC 5737), which no real client
// uses, so that parallel and repeated runs do not collide.
func randomDocumentationCIDR() string {
	b, _ := strconv.ParseUint(randomHex(1), 16, 8)
	return fmt.Sprintf("198.51.100.%d/32", b)
}
