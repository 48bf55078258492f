package scalingodb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"
)

// transportError is the error of a call whose request failed before a
// whole answer arrived. A *BodyError gets the operation; one of a 4xx
// answer, whose status says that the server refused the request, is the
// *APIError of that status (its body lost). A *TransportError gets the
// operation, whether the request may have reached the server (in any
// attempt, see httpx.MayHaveReached), and its URL redacted; when it is the
// context's error but an answer's headers had come, it is that answer's
// *BodyError. Any other error has its URL redacted and is prefixed with
// the operation.
func transportError(o *op, st *httpx.CallState, err error) error {
	//nolint:errorlint // only the call's own, at the top (see below)
	if te, ok := err.(*TransportError); ok && (errors.Is(te.Err, context.Canceled) || errors.Is(te.Err, context.DeadlineExceeded)) {
		if cut := st.Body.Load(); cut != nil {
			// The context stopped the read of an answer whose headers
			// came: its status and request ID are known.
			be := *cut
			be.Err = te.Err
			err = &be
		}
	}
	var be *BodyError
	if errors.As(err, &be) {
		be.OperationID = o.id
		if be.StatusCode >= 400 && be.StatusCode <= 499 {
			return &APIError{
				StatusCode:  be.StatusCode,
				Message:     strings.ToLower(http.StatusText(be.StatusCode)) + " (answer cut)",
				RequestID:   be.RequestID,
				OperationID: o.id,
			}
		}
		return be
	}
	// Only the one httpx.RetryDoer.Do returned, this call's own: never one
	// nested in the (shared) error of a token source.
	if te, ok := err.(*TransportError); ok { //nolint:errorlint // see above
		te.OperationID = o.id
		te.Written = st.Applied.Load() || httpx.MayHaveReached(st, te.Err)
		te.Err = httpx.RedactError(te.Err)
		return te
	}
	return fmt.Errorf("scalingodb: %s: %w", o.id, httpx.RedactError(err))
}

// outcomeOf returns err, or an *OutcomeUnknownError wrapping it when o is
// sent once and err leaves open whether it took effect: a 5xx answer (but
// 501), an answer whose body was lost, or a transport error after the
// request may have reached the server (see httpx.MayHaveReached). The Check is
// generic; the methods name what to check (see withCheck).
func outcomeOf(o *op, st *httpx.CallState, err error) error {
	if o.retry || st == nil || err == nil {
		return err
	}
	ou := &OutcomeUnknownError{OperationID: o.id, Check: "whether " + o.method + " " + o.path + " took effect", Err: err}
	var (
		ae *APIError
		be *BodyError
		te *TransportError
	)
	switch {
	case errors.As(err, &ae):
		if ae.StatusCode < 500 || ae.StatusCode == http.StatusNotImplemented {
			return err
		}
		ou.StatusCode, ou.RequestID = ae.StatusCode, ae.RequestID
	case errors.As(err, &be):
		ou.StatusCode, ou.RequestID = be.StatusCode, be.RequestID
	case errors.Is(err, io.ErrUnexpectedEOF):
		// A body cut mid-way, as a transport of WithAPITransport (such as
		// package validate's) reports it: the request reached the server.
	case errors.As(err, new(*ResponseError)):
		return err // an answer that breaks the spec: it came whole (see withCheck)
	case errors.As(err, &te):
		if !te.Written {
			return err
		}
	case !httpx.MayHaveReached(st, err):
		return err
	}
	return ou
}

// withCheck is the last step of the error of a call sent once: it sets
// what to check on the *OutcomeUnknownError of err, if it holds one. A
// *ResponseError of a 2xx answer (the call took effect, but its answer
// cannot be used: the password of a new user, the ID of a backup) becomes
// an *OutcomeUnknownError wrapping it, which still matches
// ErrMalformedResponse.
func withCheck(err error, check string) error {
	var (
		ou *OutcomeUnknownError
		re *ResponseError
	)
	switch {
	case errors.As(err, &ou):
		ou.Check = check
	case errors.As(err, &re) && re.StatusCode >= 200 && re.StatusCode <= 299:
		return &OutcomeUnknownError{OperationID: re.OperationID, Check: check, StatusCode: re.StatusCode, RequestID: re.RequestID, Err: err}
	}
	return err
}
