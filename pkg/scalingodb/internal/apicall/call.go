package apicall

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"
)

// Answer is what the client keeps of an answer once its body is decoded.
type Answer struct {
	// Status is the HTTP status of the answer.
	Status int
	// RequestID is its X-Request-Id header.
	RequestID string
}

// Tag sets the request ID of the answer on err, a *ResponseError built
// from it, and returns err.
func (a Answer) Tag(err error) error {
	var re *httpx.ResponseError
	if errors.As(err, &re) && re.RequestID == "" {
		re.RequestID = a.RequestID
	}
	return err
}

// Do is Call for the callers that need only the status of the answer.
func (c *Caller) Do(ctx context.Context, o *Op, send Sender, out any) (int, error) {
	a, err := c.Call(ctx, o, send, out)
	return a.Status, err
}

// Send returns nil when the request of operation o succeeds, discarding
// the body of the answer.
func (c *Caller) Send(ctx context.Context, o *Op, r Request) error {
	if err := r.Check(o); err != nil {
		return err
	}
	_, err := c.Do(ctx, o, r.Send, nil)
	return err
}

// Call sends a request through send, maps a non-2xx answer to *APIError,
// and decodes a 2xx JSON body into out (when out is not nil). It returns
// the status and request ID of the answer. A DELETE answered 404 after an
// earlier attempt that may have applied succeeds with status 404 and out
// untouched: the resource is gone, as asked.
func (c *Caller) Call(ctx context.Context, o *Op, send Sender, out any) (Answer, error) {
	if ctx == nil {
		return Answer{}, &httpx.InvalidInputError{Field: "context", Reason: "must not be nil"}
	}
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel() // the answer's body is read before Call returns
	}
	// Every call follows its attempts: whether its request may have
	// reached the server (TransportError.Written, the outcome of a call
	// sent once, a delete's 404 after a retry).
	ctx, st := httpx.WithCallState(ctx)
	if !o.Retry {
		ctx = httpx.NoRetry(ctx)
	}
	var start time.Time
	if c.Logger != nil {
		start = time.Now()
	}
	resp, err := send(ctx)
	if err != nil {
		if te := (*tokenError)(nil); errors.As(err, &te) {
			// The token source failed: nothing was sent.
			err = te.forCall(o)
			c.logError(o, err)
			return Answer{}, err
		}
		if verr := violationError(o, err); verr != nil {
			c.unauthorized(verr.StatusCode)
			return Answer{}, outcomeOf(o, st, verr)
		}
		err = transportError(o, st, err)
		c.logError(o, err)
		return Answer{}, outcomeOf(o, st, err)
	}
	defer resp.Body.Close()
	a := Answer{Status: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id")}
	if c.Logger != nil {
		c.Logger.Debug("scalingodb: request",
			"operation", o.ID,
			"method", resp.Request.Method,
			"path", resp.Request.URL.EscapedPath(),
			"status", resp.StatusCode,
			"request_id", a.RequestID,
			"duration", time.Since(start))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		if resp.StatusCode == http.StatusNotFound && o.Method == http.MethodDelete && st != nil && st.Applied.Load() {
			// An earlier attempt of this delete may have applied: the
			// resource is gone, as asked. Nothing is decoded into out;
			// the status (404, with no error) tells the caller.
			httpx.DrainBody(resp.Body)
			if c.Logger != nil {
				c.Logger.Debug("scalingodb: 404 on the retry of a delete that may have applied: deleted", "operation", o.ID, "request_id", a.RequestID)
			}
			return a, nil
		}
		apiErr := httpx.NewAPIError(o.ID, resp)
		c.unauthorized(apiErr.StatusCode)
		httpx.DrainBody(resp.Body)
		return a, outcomeOf(o, st, apiErr)
	}
	if out == nil {
		httpx.DrainBody(resp.Body)
		return a, nil
	}
	if err := httpx.DecodeBody(resp.Body, out); err != nil {
		return a, decodeError(ctx, o, st, a, err)
	}
	httpx.DrainBody(resp.Body)
	return a, nil
}

// unauthorized drops the token source's cached token after a 401, whether
// its body keeps the spec or not (a gateway's own page), so that the next
// call gets a new token.
func (c *Caller) unauthorized(status int) {
	if status != http.StatusUnauthorized {
		return
	}
	if inv, ok := c.tokens.(interface{ Invalidate() }); ok {
		inv.Invalidate()
	}
}

// logError logs the failure of a call that got no answer.
func (c *Caller) logError(o *Op, err error) {
	if c.Logger != nil {
		c.Logger.Error("scalingodb: request failed", "operation", o.ID, "error", err.Error())
	}
}

// decodeError is the error of a 2xx answer whose body did not decode:
// a *BodyError when the context stopped the read, else a *ResponseError.
func decodeError(ctx context.Context, o *Op, st *httpx.CallState, a Answer, err error) error {
	if ctx.Err() != nil {
		return outcomeOf(o, st, &httpx.BodyError{OperationID: o.ID, StatusCode: a.Status, RequestID: a.RequestID, Err: ctx.Err()})
	}
	var rerr *httpx.ResponseError
	if errors.As(err, &rerr) {
		rerr.StatusCode, rerr.OperationID, rerr.RequestID = a.Status, o.ID, a.RequestID
		return rerr
	}
	reason := "invalid JSON"
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		reason = "wrong type for " + te.Field
	} else if errors.Is(err, httpx.ErrEmptyBody) || errors.Is(err, io.EOF) {
		reason = "empty body"
	}
	return &httpx.ResponseError{StatusCode: a.Status, OperationID: o.ID, RequestID: a.RequestID, Reason: reason, Err: err}
}
