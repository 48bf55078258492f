package scalingodb

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/netip"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// FirewallService manages the network filtering rules of a publicly
// available database.
type FirewallService service

// FirewallRuleType says whether a rule allows a Scalingo-managed range or a custom CIDR.
type FirewallRuleType string

// Firewall rule types.
const (
	FirewallManagedRange FirewallRuleType = "managed_range"
	FirewallCustomRange  FirewallRuleType = "custom_range"
)

// FirewallRule is a range of addresses allowed to reach a database.
type FirewallRule struct {
	ID   string           `json:"id"`
	Type FirewallRuleType `json:"type"`
	// CIDR is set for a custom range.
	CIDR  string `json:"cidr,omitempty"`
	Label string `json:"label,omitempty"`
	// RangeID is set for a managed range.
	RangeID    string     `json:"range_id,omitempty"`
	DatabaseID string     `json:"database_id,omitempty"`
	CreatedAt  *time.Time `json:"created_at,omitempty"`
	UpdatedAt  *time.Time `json:"updated_at,omitempty"`
}

// FirewallRuleParams describes a new rule: a CIDR for FirewallCustomRange,
// a RangeID for FirewallManagedRange.
type FirewallRuleParams struct {
	Type    FirewallRuleType `json:"type"`
	CIDR    string           `json:"cidr,omitempty"`
	Label   string           `json:"label,omitempty"`
	RangeID string           `json:"range_id,omitempty"`
}

// ManagedRange is an address range maintained by Scalingo.
type ManagedRange struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

var (
	opListFirewall    = op{id: "listFirewallRules", idempotent: true}
	opCreateFirewall  = op{id: "createFirewallRule"}
	opDeleteFirewall  = op{id: "deleteFirewallRule", idempotent: true}
	opListManagedRngs = op{id: "listFirewallManagedRanges", idempotent: true}
)

// List returns the firewall rules of a database.
//
// API: GET /databases/{database_id}/firewall_rules (listFirewallRules)
func (s *FirewallService) List(ctx context.Context, databaseID string) ([]*FirewallRule, error) {
	if err := pathID("database_id", databaseID); err != nil {
		return nil, err
	}
	var w struct {
		Rules *[]*FirewallRule `json:"rules"`
	}
	status, err := s.c.do(ctx, opListFirewall, func(ctx context.Context, e ...dbapi.RequestEditorFn) (*http.Response, error) {
		return s.c.api.ListFirewallRules(ctx, databaseID, e...)
	}, &w)
	if err != nil {
		return nil, err
	}
	if w.Rules == nil {
		return nil, malformed(opListFirewall, status, `missing envelope key "rules"`)
	}
	for _, r := range *w.Rules {
		if r == nil || r.ID == "" {
			return nil, malformed(opListFirewall, status, `rule without "id"`)
		}
	}
	return *w.Rules, nil
}

// Create adds a rule. The CIDR of a custom range is checked locally first.
// It is never retried.
//
// API: POST /databases/{database_id}/firewall_rules (createFirewallRule)
func (s *FirewallService) Create(ctx context.Context, databaseID string, p *FirewallRuleParams) (*FirewallRule, error) {
	if err := pathID("database_id", databaseID); err != nil {
		return nil, err
	}
	if p == nil {
		return nil, &ValidationError{Field: "params", Reason: "must not be nil"}
	}
	switch p.Type {
	case FirewallCustomRange:
		if _, err := netip.ParsePrefix(p.CIDR); err != nil {
			return nil, &ValidationError{Field: "cidr", Reason: "must be a CIDR such as 203.0.113.0/24"}
		}
	case FirewallManagedRange:
		if p.RangeID == "" {
			return nil, &ValidationError{Field: "range_id", Reason: "is required for a managed range"}
		}
	default:
		return nil, &ValidationError{Field: "type", Reason: "must be managed_range or custom_range"}
	}
	body, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	var w struct {
		Rule *FirewallRule `json:"rule"`
	}
	status, err := s.c.do(ctx, opCreateFirewall, func(ctx context.Context, e ...dbapi.RequestEditorFn) (*http.Response, error) {
		return s.c.api.CreateFirewallRuleWithBody(ctx, databaseID, jsonContentType, bytes.NewReader(body), e...)
	}, &w)
	if err != nil {
		return nil, err
	}
	if w.Rule == nil {
		return nil, malformed(opCreateFirewall, status, `missing envelope key "rule"`)
	}
	if w.Rule.ID == "" {
		return nil, malformed(opCreateFirewall, status, `missing required field "rule.id"`)
	}
	return w.Rule, nil
}

// Delete removes a rule. It is retried like every DELETE: when a lost
// answer hid a delete that took effect, the retry answers ErrNotFound.
//
// API: DELETE /databases/{database_id}/firewall_rules/{firewall_rule_id} (deleteFirewallRule)
func (s *FirewallService) Delete(ctx context.Context, databaseID, ruleID string) error {
	if err := pathID("database_id", databaseID); err != nil {
		return err
	}
	if err := pathID("firewall_rule_id", ruleID); err != nil {
		return err
	}
	_, err := s.c.do(ctx, opDeleteFirewall, func(ctx context.Context, e ...dbapi.RequestEditorFn) (*http.Response, error) {
		return s.c.api.DeleteFirewallRule(ctx, databaseID, ruleID, e...)
	}, nil)
	return err
}

// ManagedRanges returns the address ranges maintained by Scalingo that a rule can allow.
//
// API: GET /firewall/managed_ranges (listFirewallManagedRanges)
func (s *FirewallService) ManagedRanges(ctx context.Context) ([]*ManagedRange, error) {
	var w struct {
		Ranges *[]*ManagedRange `json:"ranges"`
	}
	status, err := s.c.do(ctx, opListManagedRngs, func(ctx context.Context, e ...dbapi.RequestEditorFn) (*http.Response, error) {
		return s.c.api.ListFirewallManagedRanges(ctx, e...)
	}, &w)
	if err != nil {
		return nil, err
	}
	if w.Ranges == nil {
		return nil, malformed(opListManagedRngs, status, `missing envelope key "ranges"`)
	}
	for _, r := range *w.Ranges {
		if r == nil || r.ID == "" {
			return nil, malformed(opListManagedRngs, status, `range without "id"`)
		}
	}
	return *w.Ranges, nil
}
