package harness

import (
	"strings"
	"testing"
)

func TestRefusalStatus(t *testing.T) {
	set := func(statuses ...string) func(string) bool {
		return func(s string) bool {
			for _, x := range statuses {
				if x == s {
					return true
				}
			}
			return false
		}
	}
	tests := []struct {
		name       string
		r          Refusal
		documented func(string) bool
		want       int
		ok         bool
	}{
		{"malformed, both documented", Malformed, set("400", "422"), 400, true},
		{"rule broken, both documented", BreaksRule, set("400", "422"), 422, true},
		{"malformed, only 422 documented", Malformed, set("422"), 422, true},
		{"rule broken, only 400 documented", BreaksRule, set("400"), 400, true},
		{"neither documented", Malformed, set("404"), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := RefusalStatus(tt.r, tt.documented)
			if got != tt.want || ok != tt.ok {
				t.Errorf("RefusalStatus = %d, %v; want %d, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// The rule is the spec's: its shared responses say what each status refuses. A change of their
// descriptions fails here until the rule follows.
func TestRefusalStatus_SpecWords(t *testing.T) {
	doc, _ := embedded(t)
	for name, words := range map[string][]string{
		"BadRequest":          {"malformed", "bad JSON", "missing or mistyped parameter"},
		"UnprocessableEntity": {"well formed but breaks a rule"},
	} {
		r := doc.Components.Responses[name]
		if r == nil || r.Value == nil || r.Value.Description == nil {
			t.Fatalf("the spec has no response %s", name)
		}
		for _, w := range words {
			if !strings.Contains(*r.Value.Description, w) {
				t.Errorf("%s's description %q no longer says %q", name, *r.Value.Description, w)
			}
		}
	}
}
