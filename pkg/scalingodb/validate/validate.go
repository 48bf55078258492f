// Package validate checks the answers of the Database API against its
// OpenAPI description (openapi.yaml, through pkg/conformance) for the
// client of package scalingodb:
//
//	client, err := scalingodb.New(scalingodb.WithToken(token), validate.Option())
//
// A call whose answer breaks the description fails with a
// *scalingodb.ResponseError (it matches scalingodb.ErrMalformedResponse)
// that wraps the *conformance.ViolationError; its message holds no part of
// the body. Validation does not change what is retried: a 429 or a 5xx that
// breaks the description (a gateway's HTML page) is retried as the client's
// policy retries that status, and the call fails with the violation only if
// the last attempt's answer still breaks it; any other violation is never
// retried. An answer cut short (the connection broke
// before its Content-Length, or before the last chunk of a chunked body) is
// no violation: it fails the attempt with a *conformance.TruncatedBodyError
// (it matches io.ErrUnexpectedEOF), which the client retries as it retries
// any cut answer, and the bytes that came are never the answer, even when
// they are valid JSON. Checks cost time on every call: they are meant for
// development and CI.
//
// It is a package of its own so that programs that do not validate do not
// link the spec engine (kin-openapi, a JSON-schema and YAML libraries) nor
// decode the spec at start-up.
package validate

import (
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// validator is built once per process: decoding the spec and building its
// router take milliseconds, and a Validator is safe for concurrent use.
var validator = sync.OnceValues(func() (*conformance.Validator, error) { return conformance.New() })

// Option returns the scalingodb.Option that checks every answer of the
// API (not the bytes of backup downloads) against the spec, through
// scalingodb.WithAPITransport. opts tune the checks, for instance
// conformance.ReportOnly with conformance.OnTransportViolation to log
// violations instead of failing calls.
func Option(opts ...conformance.TransportOption) scalingodb.Option {
	return scalingodb.WithAPITransport(func(base http.RoundTripper) (http.RoundTripper, error) {
		return Transport(base, opts...)
	})
}

// Transport wraps base (nil means http.DefaultTransport) so that every
// request must match an operation of the spec and every answer must keep
// it. A violation makes RoundTrip return a *scalingodb.ResponseError that
// wraps the *conformance.ViolationError (its OperationID is the spec's;
// the client replaces it with the one of its call). An answer cut short
// makes it return the *conformance.TruncatedBodyError as it is: a transport
// error, which the client's retry policy retries.
func Transport(base http.RoundTripper, opts ...conformance.TransportOption) (http.RoundTripper, error) {
	v, err := validator()
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	return transport{next: v.Transport(base, opts...)}, nil
}

type transport struct{ next http.RoundTripper }

// RoundTrip sends req through the validating transport and turns a spec
// violation into a *scalingodb.ResponseError.
func (t transport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	var ve *conformance.ViolationError
	if err == nil || !errors.As(err, &ve) {
		return resp, err
	}
	return nil, responseError(ve)
}

// responseError describes ve without quoting any value of the body.
func responseError(ve *conformance.ViolationError) *scalingodb.ResponseError {
	re := &scalingodb.ResponseError{
		Reason: fmt.Sprintf("the answer breaks the API description (%d violation(s))", len(ve.Violations)),
		Err:    ve,
	}
	if len(ve.Violations) > 0 {
		first := ve.Violations[0]
		re.StatusCode, re.OperationID = first.Status, first.OperationID
		if first.In == "request" {
			re.Reason = "the request breaks the API description (" + string(first.Kind) + ")"
		}
	}
	return re
}
