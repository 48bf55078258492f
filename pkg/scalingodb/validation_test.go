package scalingodb

import (
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// testValidator is shared by the tests of this package.
var testValidator = sync.OnceValues(func() (*conformance.Validator, error) { return conformance.New() })

// withResponseValidation checks answers against the spec as package
// validate does (the tests of this package cannot import it: it imports
// this one). Package validate has the tests of the checks themselves.
func withResponseValidation() Option {
	return WithAPITransport(func(base http.RoundTripper) (http.RoundTripper, error) {
		v, err := testValidator()
		if err != nil {
			return nil, err
		}
		return violationTransport{v.Transport(base)}, nil
	})
}

type violationTransport struct{ next http.RoundTripper }

func (t violationTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	var ve *conformance.ViolationError
	if errors.As(err, &ve) {
		return nil, &ResponseError{Reason: fmt.Sprintf("the answer breaks the API description (%d violation(s))", len(ve.Violations)), Err: ve}
	}
	return resp, err
}
