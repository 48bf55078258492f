// Package firewall keeps the firewall rules of a database as the mock serves them: in creation
// order, indexed by ID and by the addresses they allow (so that a second rule for the same
// addresses is refused without a scan), each decoded and encoded once, with the list body encoded
// once per change.
package firewall

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/ordered"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/respond"
)

// Rules is the firewall rules of a database in creation order, indexed by ID and by what they
// allow (the key of Fields), each decoded and encoded once, when it is added.
type Rules struct {
	byID  ordered.Map[*ruleEntry]
	byKey map[string]int // rules allowing each key: the seed may repeat one
	list  *respond.List  // the listFirewallRules body, nil after a change
}

type ruleEntry struct {
	rule dbapi.FirewallRule
	key  string
	enc  []byte // rule, JSON-encoded as a list writes it
}

// ErrDuplicateRule is the error of Add for an ID that is taken.
var ErrDuplicateRule = errors.New("a rule with this ID exists already")

func newRuleEntry(r dbapi.FirewallRule) (id string, e *ruleEntry, err error) {
	id, key := Fields(r)
	enc, err := json.Marshal(r)
	if err != nil {
		return "", nil, err
	}
	return id, &ruleEntry{rule: r, key: key, enc: enc}, nil
}

// Add appends a rule; its ID must be new.
func (rs *Rules) Add(r dbapi.FirewallRule) error {
	id, e, err := newRuleEntry(r)
	if err != nil {
		return err
	}
	if !rs.byID.Add(id, e) {
		return fmt.Errorf("%w: %q", ErrDuplicateRule, id)
	}
	if rs.byKey == nil {
		rs.byKey = map[string]int{}
	}
	rs.byKey[e.key]++
	rs.list = nil
	return nil
}

// Taken tells whether a rule allows key already.
func (rs *Rules) Taken(key string) bool { return rs.byKey[key] > 0 }

// Get returns the rule id.
func (rs *Rules) Get(id string) (dbapi.FirewallRule, bool) {
	e, ok := rs.byID.Get(id)
	if !ok {
		return dbapi.FirewallRule{}, false
	}
	return e.rule, true
}

// Replace puts r in the place of the rule id, whose ID and key r keeps.
func (rs *Rules) Replace(id string, r dbapi.FirewallRule) error {
	_, e, err := newRuleEntry(r)
	if err != nil {
		return err
	}
	rs.byID.Set(id, e)
	rs.list = nil
	return nil
}

// Remove deletes the rule id; it returns false when there is none.
func (rs *Rules) Remove(id string) bool {
	e, ok := rs.byID.Get(id)
	if !ok {
		return false
	}
	rs.byID.Remove(id)
	if rs.byKey[e.key]--; rs.byKey[e.key] <= 0 {
		delete(rs.byKey, e.key)
	}
	rs.list = nil
	return true
}

// Body returns the listFirewallRules body, encoded on the first list after a change.
func (rs *Rules) Body() *respond.List {
	if rs.list == nil {
		rs.list = respond.EncodeList("rules", rs.byID.All(), func(e *ruleEntry) []byte { return e.enc })
	}
	return rs.list
}

// Fields reads a firewall rule of either kind: its ID, and a key that two rules allowing
// the same addresses share. It decodes the rule: Rules calls it once per rule, when it is added.
func Fields(r dbapi.FirewallRule) (id, key string) {
	v, _ := r.ValueByDiscriminator()
	switch v := v.(type) {
	case dbapi.CustomRangeFirewallRule:
		return v.ID, CustomKey(v.Cidr)
	case dbapi.ManagedRangeFirewallRule:
		return v.ID, ManagedKey(v.RangeID)
	}
	return "", ""
}

// CustomKey is the key of a custom_range rule allowing cidr, in its canonical form.
func CustomKey(cidr string) string { return "custom_range " + cidr }

// ManagedKey is the key of a managed_range rule allowing the range rangeID.
func ManagedKey(rangeID string) string { return "managed_range " + rangeID }
