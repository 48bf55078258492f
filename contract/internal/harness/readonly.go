package harness

import (
	"fmt"
	"net/http"
)

// WriteRefusedError is returned by the read-only transport for any request but GET. The request
// never reaches the network.
type WriteRefusedError struct {
	Method string
	URL    string
}

// Error says which request was refused and how to allow it.
func (e *WriteRefusedError) Error() string {
	return fmt.Sprintf("read-only run: refused %s %s before dialing; set DBAPI_ALLOW_WRITES=1 to allow writes", e.Method, e.URL)
}

// ReadOnlyTransport wraps base (nil means http.DefaultTransport) so that only GET requests pass. Anything
// else fails with a *WriteRefusedError before base is called, so no connection is dialed and
// nothing is sent.
func ReadOnlyTransport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return readOnly{base: base}
}

type readOnly struct{ base http.RoundTripper }

func (t readOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodGet {
		return t.base.RoundTrip(req)
	}
	if req.Body != nil {
		_ = req.Body.Close() // a RoundTripper must close the body, even on error
	}
	u := *req.URL
	u.RawQuery = "" // a query may hold a pre-signed token
	return nil, &WriteRefusedError{Method: req.Method, URL: u.String()}
}
