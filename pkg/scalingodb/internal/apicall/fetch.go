package apicall

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"
)

// CheckValue returns a *ResponseError naming the required fields missing
// from v (see Config.Missing), or nil.
func (c *Caller) CheckValue(o *Op, status int, v any) error {
	if c.missing != nil {
		if m := c.missing(v); m != "" {
			return Malformed(o, status, "missing required field %s", m)
		}
	}
	return nil
}

// Fetch sends the request of operation o and decodes the answer into a
// new T: the value under the operation's envelope key in the table, or the
// whole body when it has none. A missing envelope key or a missing required
// field (see Config.Missing) is a *ResponseError; the status of the answer
// is returned too. A DELETE that Call says is done by an earlier attempt
// (status 404, no error) gives a zero T, unchecked.
func Fetch[T any](ctx context.Context, c *Caller, o *Op, r Request) (*T, int, error) {
	v, a, err := FetchAnswer[T](ctx, c, o, r)
	return v, a.Status, err
}

// FetchAnswer is Fetch that returns the request ID of the answer too, for
// the callers that check more of the value (see Answer.Tag).
func FetchAnswer[T any](ctx context.Context, c *Caller, o *Op, r Request) (*T, Answer, error) {
	if err := r.Check(o); err != nil {
		return nil, Answer{}, err
	}
	if o.Envelope == "" {
		v := new(T)
		a, err := c.Call(ctx, o, r.Send, v)
		if err != nil {
			return nil, a, err
		}
		if a.Status == http.StatusNotFound {
			return v, a, nil // deleted by an earlier attempt: nothing to decode
		}
		return v, a, a.Tag(c.CheckValue(o, a.Status, v))
	}
	w, got := envelope[T](o.Envelope)
	if w == nil {
		return nil, Answer{}, fmt.Errorf("scalingodb: %s: no decoder for the envelope %q", o.ID, o.Envelope)
	}
	a, err := c.Call(ctx, o, r.Send, w)
	if err != nil {
		return nil, a, err
	}
	if a.Status == http.StatusNotFound {
		return new(T), a, nil // deleted by an earlier attempt: nothing to decode
	}
	v := *got
	if v == nil {
		return nil, a, a.Tag(Malformed(o, a.Status, "missing envelope key %q", o.Envelope))
	}
	return v, a, a.Tag(c.CheckValue(o, a.Status, v))
}

// FetchOne is Fetch without the status.
func FetchOne[T any](ctx context.Context, c *Caller, o *Op, r Request) (*T, error) {
	v, _, err := Fetch[T](ctx, c, o, r)
	if err != nil {
		return nil, err
	}
	return v, nil
}

// FetchList is Fetch for a list of T: a null list or item is a
// *ResponseError, and every item's required fields are checked.
func FetchList[T any](ctx context.Context, c *Caller, o *Op, r Request) ([]*T, error) {
	p, status, err := Fetch[[]*T](ctx, c, o, r)
	if err != nil {
		return nil, err
	}
	if *p == nil {
		return nil, Malformed(o, status, "expected a JSON array")
	}
	for _, v := range *p {
		if v == nil {
			return nil, Malformed(o, status, "null item in the list")
		}
		if err := c.CheckValue(o, status, v); err != nil {
			return nil, err
		}
	}
	return *p, nil
}

// FetchRaw sends the request of operation o, asking for accept, and
// returns the body of a 2xx answer that is not JSON, read whole: at most
// limit bytes (a longer body is a *ResponseError), with the status.
func FetchRaw(ctx context.Context, c *Caller, o *Op, r Request, accept string, limit int64) ([]byte, int, error) {
	var body []byte
	var readErr error
	acceptEditor := func(_ context.Context, req *http.Request) error {
		req.Header.Set("Accept", accept)
		return nil
	}
	status, err := c.Do(ctx, o, func(ctx context.Context, e ...dbapi.RequestEditorFn) (*http.Response, error) {
		resp, err := r.Send(ctx, append(e, acceptEditor)...)
		if err != nil || resp.StatusCode < 200 || resp.StatusCode > 299 {
			return resp, err // Call turns an error answer into an *APIError
		}
		// Keep the success body here: Call only decodes JSON.
		body, readErr = io.ReadAll(io.LimitReader(resp.Body, limit+1))
		resp.Body.Close()
		resp.Body = http.NoBody
		return resp, nil
	}, nil)
	switch {
	case err != nil:
		return nil, status, err
	case readErr != nil && ctx.Err() != nil:
		return nil, status, &httpx.BodyError{OperationID: o.ID, StatusCode: status, Err: ctx.Err()}
	case readErr != nil:
		return nil, status, &httpx.ResponseError{StatusCode: status, OperationID: o.ID, Reason: "body cut short", Err: readErr}
	case int64(len(body)) > limit:
		return nil, status, Malformed(o, status, "the body is larger than %d bytes", limit)
	}
	return body, status, nil
}
