package drift

import (
	"bytes"
	"io"
	"net/http"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// Transport wraps next so that d observes every answer that v routes to an operation:
// status, headers, and the body when it is JSON and at most 4 MiB, read and handed on unchanged
// (a body cut short keeps its error for the validator). Other bodies (archives) stream through
// untouched. Place it under the validating transport, so that answers the validator rejects
// (an undocumented status or media type) are observed too.
func Transport(v *conformance.Validator, d *Discovery, next http.RoundTripper) http.RoundTripper {
	return discoveryTransport{v: v, d: d, next: next}
}

type discoveryTransport struct {
	v    *conformance.Validator
	d    *Discovery
	next http.RoundTripper
}

func (t discoveryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil || t.d == nil {
		return resp, err
	}
	route, rerr := t.v.Route(req)
	if rerr != nil {
		return resp, nil
	}
	var body []byte
	if req.Method != http.MethodHead && isJSONMedia(mediaType(resp.Header.Get("Content-Type"))) && resp.Body != nil {
		data, rerr := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
		switch {
		case rerr != nil:
			resp.Body = readCloser{io.MultiReader(bytes.NewReader(data), failing{rerr}), resp.Body}
		case len(data) > maxBody:
			resp.Body = readCloser{io.MultiReader(bytes.NewReader(data), resp.Body), resp.Body}
			t.d.mu.Lock()
			t.d.unparsed++
			t.d.mu.Unlock()
		default:
			resp.Body = readCloser{bytes.NewReader(data), resp.Body}
			body = data
		}
	}
	t.d.Observe(route.Operation.ID, resp.StatusCode, resp.Header, body)
	return resp, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

type failing struct{ err error }

func (f failing) Read([]byte) (int, error) { return 0, f.err }
