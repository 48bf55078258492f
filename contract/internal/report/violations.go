package report

import (
	"regexp"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// ViolationRecord is one contract violation as the reports show it, secrets redacted.
type ViolationRecord struct {
	Spec        string `json:"spec"` // the spec that met it
	OperationID string `json:"operation_id"`
	Method      string `json:"method"`
	Path        string `json:"path"`
	Status      int    `json:"status,omitempty"`
	Kind        string `json:"kind"`
	Pointer     string `json:"pointer,omitempty"`
	Expected    string `json:"expected"`
	Got         string `json:"got"`
	// Exchange is the request and the answer the violation was met on, when the suite's client
	// saw them (bounded, secrets redacted).
	Exchange *harness.Exchange `json:"exchange,omitempty"`
}

// Records turns the violations of e, met by spec on the exchange x (nil when unknown), into
// records with every secret that r knows or recognises redacted.
func Records(spec string, e *conformance.ViolationError, x *harness.Exchange, r *harness.Redactor) []ViolationRecord {
	x = redactExchange(x, r)
	out := make([]ViolationRecord, 0, len(e.Violations))
	for _, v := range e.Violations {
		out = append(out, ViolationRecord{
			Spec: r.Redact(spec), OperationID: v.OperationID, Method: v.Method, Path: r.Redact(v.Path),
			Status: v.Status, Kind: string(v.Kind), Pointer: r.Redact(v.Pointer),
			Expected: r.Redact(v.Expected), Got: r.Redact(v.Got), Exchange: x,
		})
	}
	return out
}

// secretFields match what an answer's body may hold that no report should: a JSON string
// under a name that says password, token or secret, and the password of a URL's userinfo
// (a connection string).
var secretFields = []*regexp.Regexp{
	regexp.MustCompile(`(?i)("[a-z_]*(?:password|token|secret)"\s*:\s*")(?:[^"\\]|\\.)*"`),
	regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@"]*:)[^@\s/"]+@`),
}

// redactExchange returns a copy of x with its URL, header values and bodies redacted by r, and
// the secret fields of its bodies replaced.
func redactExchange(x *harness.Exchange, r *harness.Redactor) *harness.Exchange {
	if x == nil {
		return nil
	}
	c := *x
	body := func(s string) string {
		s = r.Redact(s)
		s = secretFields[0].ReplaceAllString(s, "${1}"+harness.Redacted+`"`)
		return secretFields[1].ReplaceAllString(s, "${1}"+harness.Redacted+"@")
	}
	c.URL = r.Redact(c.URL)
	c.RequestBody, c.Body = body(c.RequestBody), body(c.Body)
	lines := func(in []harness.HeaderLine) []harness.HeaderLine {
		out := make([]harness.HeaderLine, len(in))
		for i, h := range in {
			out[i] = harness.HeaderLine{Name: h.Name, Value: body(h.Value)}
		}
		return out
	}
	c.RequestHeader, c.Header = lines(c.RequestHeader), lines(c.Header)
	return &c
}
