package drift

import "net/http"

// roundTripFunc is a RoundTripper made of a function: the next transport a test controls.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
