package scalingodb

import (
	"context"
	"net/http"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// Update changes the label of a rule; the range it allows cannot change.
// It sets a value, so it is retried. Its shape is known from the
// JavaScript client only.
//
// API: PATCH /databases/{database_id}/firewall_rules/{firewall_rule_id} (updateFirewallRule)
func (s *FirewallService) Update(ctx context.Context, databaseID, ruleID, label string) (*FirewallRule, error) {
	if err := pathID("database_id", databaseID); err != nil {
		return nil, err
	}
	if err := pathID("firewall_rule_id", ruleID); err != nil {
		return nil, err
	}
	if label == "" {
		return nil, &ValidationError{Field: "label", Reason: "must not be empty"}
	}
	var w struct {
		Rule *FirewallRule `json:"rule"`
	}
	status, err := s.c.do(ctx, opUpdateFirewall, func(ctx context.Context, e ...dbapi.RequestEditorFn) (*http.Response, error) {
		return s.c.api.UpdateFirewallRule(ctx, databaseID, ruleID, dbapi.FirewallRuleUpdateRequest{
			FirewallRule: dbapi.FirewallRuleUpdate{Label: label}}, e...)
	}, &w)
	if err != nil {
		return nil, err
	}
	if w.Rule == nil {
		return nil, malformed(opUpdateFirewall, status, `missing envelope key "rule"`)
	}
	if w.Rule.ID == "" {
		return nil, malformed(opUpdateFirewall, status, `missing required field "rule.id"`)
	}
	return w.Rule, nil
}

var opUpdateFirewall = op{id: "updateFirewallRule", idempotent: true}
