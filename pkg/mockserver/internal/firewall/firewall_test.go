package firewall

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// rule builds a firewall rule of one kind with its generated From method (which sets its type).
func rule[T any](t *testing.T, from func(*dbapi.FirewallRule, T) error, v T) dbapi.FirewallRule {
	t.Helper()
	var r dbapi.FirewallRule
	if err := from(&r, v); err != nil {
		t.Fatal(err)
	}
	return r
}

func custom(t *testing.T, id, cidr string) dbapi.FirewallRule {
	return rule(t, (*dbapi.FirewallRule).FromCustomRangeFirewallRule, dbapi.CustomRangeFirewallRule{ID: id, Cidr: cidr})
}

func managed(t *testing.T, id, rangeID string) dbapi.FirewallRule {
	return rule(t, (*dbapi.FirewallRule).FromManagedRangeFirewallRule, dbapi.ManagedRangeFirewallRule{ID: id, RangeID: rangeID})
}

// TestRules: each change keeps the keys taken and the list body right: a key allowed by two rules
// (a seed may repeat one) stays taken until both are gone, an ID is refused twice, and the body is
// the list encoded from scratch, in creation order.
func TestRules(t *testing.T) {
	var rs Rules
	a, b, c := custom(t, "a", "10.0.0.0/8"), custom(t, "b", "10.0.0.0/8"), managed(t, "c", "eu")
	for _, r := range []dbapi.FirewallRule{a, b, c} {
		if err := rs.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := rs.Add(managed(t, "a", "us")); !errors.Is(err, ErrDuplicateRule) {
		t.Errorf("a second rule a: %v, want ErrDuplicateRule", err)
	}
	relabelled := custom(t, "c", "10.0.0.0/8")
	steps := []struct {
		name   string
		change func() bool
		taken  map[string]bool
		list   []dbapi.FirewallRule
	}{
		{"as added", func() bool { return true }, map[string]bool{CustomKey("10.0.0.0/8"): true, ManagedKey("eu"): true, ManagedKey("us"): false}, []dbapi.FirewallRule{a, b, c}},
		{"one of two rules of a key removed", func() bool { return rs.Remove("a") }, map[string]bool{CustomKey("10.0.0.0/8"): true}, []dbapi.FirewallRule{b, c}},
		{"an unknown ID removed", func() bool { return !rs.Remove("zz") }, map[string]bool{CustomKey("10.0.0.0/8"): true}, []dbapi.FirewallRule{b, c}},
		{"replaced in place", func() bool { return rs.Replace("c", relabelled) == nil }, map[string]bool{ManagedKey("eu"): true}, []dbapi.FirewallRule{b, relabelled}},
		{"the other rule of the key removed", func() bool { return rs.Remove("b") }, map[string]bool{CustomKey("10.0.0.0/8"): false}, []dbapi.FirewallRule{relabelled}},
	}
	for _, st := range steps {
		if !st.change() {
			t.Fatalf("%s: the change failed", st.name)
		}
		for key, want := range st.taken {
			if rs.Taken(key) != want {
				t.Errorf("%s: Taken(%q) = %v, want %v", st.name, key, !want, want)
			}
		}
		var want bytes.Buffer
		if err := json.NewEncoder(&want).Encode(map[string]any{"rules": st.list}); err != nil {
			t.Fatal(err)
		}
		if got := rs.Body().Raw; !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%s: body %s, want %s", st.name, got, want.Bytes())
		}
	}
	if _, ok := rs.Get("c"); !ok {
		t.Error("Get(c) found nothing")
	}
	if _, ok := rs.Get("a"); ok {
		t.Error("Get(a) found a removed rule")
	}
}
