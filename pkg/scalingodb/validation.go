package scalingodb

import "net/http"

// WithAPITransport wraps the transport of API calls with wrap, which gets
// the transport of the client (the one of WithHTTPClient, or the one New
// makes) and returns the one to use. It is the hook of
// response validation (package
// github.com/scalingodb/dbapi-go/pkg/scalingodb/validate), of recorders and
// of fault injectors. Backup downloads, which go to pre-signed URLs, do not
// go through it. Several wrappers nest in the order given: the first wraps
// the network transport, the last sees each request first.
//
// A *ResponseError returned by the wrapped transport, such as a spec
// violation found by package validate, fails the call at once (it is never
// retried), with its OperationID set to the operation of the call. An error
// returned by wrap makes New fail.
func WithAPITransport(wrap func(base http.RoundTripper) (http.RoundTripper, error)) Option {
	return func(c *config) error {
		if wrap == nil {
			return &InvalidInputError{Field: "API transport", Reason: "must not be nil"}
		}
		c.apiTransport = append(c.apiTransport, wrap)
		return nil
	}
}
