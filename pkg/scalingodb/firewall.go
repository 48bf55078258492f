package scalingodb

import (
	"context"
	"encoding/json"
	"net/netip"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/apicall"
)

// FirewallService manages the network filtering rules of a publicly
// available database.
type FirewallService struct{ service }

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

// CreateFirewallRuleParams describes a new rule: a CIDR for
// FirewallCustomRange, a RangeID for FirewallManagedRange.
type CreateFirewallRuleParams struct {
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

func (r *FirewallRule) missing() string { return missingIf(r.ID == "", `"id" of a rule`) }

func (r *ManagedRange) missing() string { return missingIf(r.ID == "", `"id" of a range`) }

// List returns the firewall rules of a database.
//
// API: GET /databases/{database_id}/firewall_rules (listFirewallRules)
func (s *FirewallService) List(ctx context.Context, databaseID string) ([]*FirewallRule, error) {
	return apicall.FetchList[FirewallRule](ctx, s.c.caller, apicall.OpListFirewallRules, apicall.Call1(s.c.api.ListFirewallRules, databaseID))
}

// Create adds a rule. The CIDR of a custom range is checked locally first.
// It is sent again only after a 429; a lost answer is an error matching
// ErrOutcomeUnknown.
//
// API: POST /databases/{database_id}/firewall_rules (createFirewallRule)
func (s *FirewallService) Create(ctx context.Context, databaseID string, p *CreateFirewallRuleParams) (*FirewallRule, error) {
	if p == nil {
		return nil, &InvalidInputError{Field: "params", Reason: "must not be nil"}
	}
	switch p.Type {
	case FirewallCustomRange:
		if _, err := netip.ParsePrefix(p.CIDR); err != nil {
			return nil, &InvalidInputError{Field: "cidr", Reason: "must be a CIDR such as 203.0.113.0/24"}
		}
	case FirewallManagedRange:
		if p.RangeID == "" {
			return nil, &InvalidInputError{Field: "range_id", Reason: "is required for a managed range"}
		}
	default:
		return nil, &InvalidInputError{Field: "type", Reason: "must be managed_range or custom_range"}
	}
	body, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	rule, err := apicall.FetchOne[FirewallRule](ctx, s.c.caller, apicall.OpCreateFirewallRule, apicall.Body1(s.c.api.CreateFirewallRuleWithBody, databaseID, body))
	if err != nil {
		what := p.CIDR
		if p.Type == FirewallManagedRange {
			what = "managed range " + p.RangeID
		}
		return nil, apicall.WithCheck(err, "the firewall rules of database "+databaseID+" (Firewall.List) for a rule of "+what+", before adding it again")
	}
	return rule, nil
}

// Update changes the label of a rule; the range it allows cannot change.
// It sets a value, so it is retried. Its shape is known from the
// JavaScript client only.
//
// API: PATCH /databases/{database_id}/firewall_rules/{firewall_rule_id} (updateFirewallRule)
func (s *FirewallService) Update(ctx context.Context, databaseID, ruleID, label string) (*FirewallRule, error) {
	if label == "" {
		return nil, &InvalidInputError{Field: "label", Reason: "must not be empty"}
	}
	return apicall.FetchOne[FirewallRule](ctx, s.c.caller, apicall.OpUpdateFirewallRule, apicall.Call2P(s.c.api.UpdateFirewallRule, databaseID, ruleID, dbapi.FirewallRuleUpdateRequest{
		FirewallRule: dbapi.FirewallRuleUpdate{Label: label}}))
}

// Delete removes a rule. It is retried, and a 404 after an attempt that
// may have applied (a 5xx or a lost answer) means the rule is gone: Delete
// returns nil. A 404 on the first attempt is ErrNotFound.
//
// API: DELETE /databases/{database_id}/firewall_rules/{firewall_rule_id} (deleteFirewallRule)
func (s *FirewallService) Delete(ctx context.Context, databaseID, ruleID string) error {
	return s.c.caller.Send(ctx, apicall.OpDeleteFirewallRule, apicall.Call2(s.c.api.DeleteFirewallRule, databaseID, ruleID))
}

// ManagedRanges returns the address ranges maintained by Scalingo that a rule can allow.
//
// API: GET /firewall/managed_ranges (listFirewallManagedRanges)
func (s *FirewallService) ManagedRanges(ctx context.Context) ([]*ManagedRange, error) {
	return apicall.FetchList[ManagedRange](ctx, s.c.caller, apicall.OpListFirewallManagedRanges, apicall.Call0(s.c.api.ListFirewallManagedRanges))
}
