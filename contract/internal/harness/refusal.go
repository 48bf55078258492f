package harness

import "net/http"

// Refusal is why a request is refused, in the words of the spec's shared responses: BadRequest
// ("The request is malformed (bad JSON, a missing or mistyped parameter)") and
// UnprocessableEntity ("The request is well formed but breaks a rule"). Every negative spec
// asks RefusalStatus which status its refusal must have, so the suite holds one rule.
type Refusal int

const (
	// Malformed: a body that is not JSON, or a parameter that is missing or does not parse as
	// its schema says (page=abc, since=many, a plan without its type).
	Malformed Refusal = iota
	// BreaksRule: a well-formed request whose values break a rule (a pattern, an enum, a bound,
	// an x- rule such as x-must-equal, a state the resource is not in).
	BreaksRule
)

// RefusalStatus returns the status an operation that documents the statuses for which
// documents reports true must refuse r with: 400 for Malformed, 422 for BreaksRule, or the other
// of the two when the operation documents only that one (the rule the mock and the conformance
// middleware apply). ok is false when the operation documents neither.
func RefusalStatus(r Refusal, documents func(status string) bool) (status int, ok bool) {
	want, alt := http.StatusBadRequest, http.StatusUnprocessableEntity
	if r == BreaksRule {
		want, alt = alt, want
	}
	switch {
	case documents(statusText(want)):
		return want, true
	case documents(statusText(alt)):
		return alt, true
	}
	return 0, false
}

func statusText(status int) string {
	if status == http.StatusBadRequest {
		return "400"
	}
	return "422"
}
