package harness

import (
	"net/http"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// BodilessCheck wraps next so that a 204 or 304 answer announcing a body (a Content-Length
// other than 0) fails with a *conformance.ViolationError of kind body, also passed to report
// (which may be nil).
//
// net/http drops the body of a 204 before any RoundTripper sees it, so a validator placed in a
// client's transport chain cannot see a body where none is documented; the framing header is
// all that is left to catch it (RFC 9110 §8.6 forbids Content-Length on a 204).
func BodilessCheck(v *conformance.Validator, next http.RoundTripper, report func(*conformance.ViolationError)) http.RoundTripper {
	return bodiless{v: v, next: next, report: report}
}

type bodiless struct {
	v      *conformance.Validator
	next   http.RoundTripper
	report func(*conformance.ViolationError)
}

func (b bodiless) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := b.next.RoundTrip(req)
	if err != nil || (resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusNotModified) {
		return resp, err
	}
	cl := resp.Header.Get("Content-Length")
	if cl == "" || cl == "0" {
		return resp, nil
	}
	vi := &conformance.Violation{
		Method: req.Method, Path: req.URL.Path, Status: resp.StatusCode, In: "response",
		Kind: conformance.KindBody, Pointer: "header Content-Length", Expected: "no body", Got: "Content-Length: " + cl,
	}
	if route, rerr := b.v.Route(req); rerr == nil {
		vi.OperationID = route.Operation.ID
	}
	ve := &conformance.ViolationError{Violations: []*conformance.Violation{vi}}
	if b.report != nil {
		b.report(ve)
	}
	_ = resp.Body.Close()
	return nil, ve
}
