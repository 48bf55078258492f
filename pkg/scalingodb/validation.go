package scalingodb

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// validatingTransport wraps base with the spec checks of pkg/conformance:
// a response that breaks the spec fails its round trip.
func validatingTransport(base http.RoundTripper) (http.RoundTripper, error) {
	v, err := conformance.New()
	if err != nil {
		return nil, fmt.Errorf("scalingodb: response validation: %w", err)
	}
	return v.Transport(base), nil
}

// isViolation reports whether err is a spec violation found by
// WithResponseValidation; a retry cannot fix it.
func isViolation(err error) bool {
	var ve *conformance.ViolationError
	return errors.As(err, &ve)
}

// violationError turns a spec violation into a *ResponseError whose
// message holds no part of the body (the violation, which may quote it, is
// kept for errors.As).
func violationError(o op, err error) error {
	var ve *conformance.ViolationError
	if !errors.As(err, &ve) {
		return nil
	}
	return &ResponseError{OperationID: o.id, Reason: fmt.Sprintf("the answer breaks the API description (%d violation(s))", len(ve.Violations)), Err: ve}
}
