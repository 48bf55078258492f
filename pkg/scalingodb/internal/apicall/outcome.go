package apicall

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
// whole answer arrived. A *httpx.BodyError gets the operation; one of a 4xx
// answer, whose status says that the server refused the request, is the
// *httpx.APIError of that status (its body lost). A *httpx.TransportError gets the
// operation, whether the request may have reached the server (in any
// attempt, see httpx.MayHaveReached), and its URL redacted; when it is the
// context's error but an answer's headers had come, it is that answer's
// *httpx.BodyError. Any other error has its URL redacted and is prefixed with
// the operation.
func transportError(o *Op, st *httpx.CallState, err error) error {
	//nolint:errorlint // only the call's own, at the top (see below)
	if te, ok := err.(*httpx.TransportError); ok && (errors.Is(te.Err, context.Canceled) || errors.Is(te.Err, context.DeadlineExceeded)) {
		if cut := st.Body.Load(); cut != nil {
			// The context stopped the read of an answer whose headers
			// came: its status and request ID are known.
			be := *cut
			be.Err = te.Err
			err = &be
		}
	}
	var be *httpx.BodyError
	if errors.As(err, &be) {
		be.OperationID = o.ID
		if be.StatusCode >= 400 && be.StatusCode <= 499 {
			return &httpx.APIError{
				StatusCode:  be.StatusCode,
				Message:     strings.ToLower(http.StatusText(be.StatusCode)) + " (answer cut)",
				RequestID:   be.RequestID,
				OperationID: o.ID,
			}
		}
		return be
	}
	// Only the one httpx.RetryDoer.Do returned, this call's own: never one
	// nested in the (shared) error of a token source.
	if te, ok := err.(*httpx.TransportError); ok { //nolint:errorlint // see above
		te.OperationID = o.ID
		te.Written = st.Applied.Load() || httpx.MayHaveReached(st, te.Err)
		te.Err = httpx.RedactError(te.Err)
		return te
	}
	return fmt.Errorf("scalingodb: %s: %w", o.ID, httpx.RedactError(err))
}

// outcomeOf returns err, or an *httpx.OutcomeUnknownError wrapping it when o is
// sent once and err leaves open whether it took effect: a 5xx answer (but
// 501), an answer whose body was lost, or a transport error after the
// request may have reached the server (see httpx.MayHaveReached). The Check is
// generic; the methods name what to check (see WithCheck).
func outcomeOf(o *Op, st *httpx.CallState, err error) error {
	if o.Retry || st == nil || err == nil {
		return err
	}
	ou := &httpx.OutcomeUnknownError{OperationID: o.ID, Check: "whether " + o.Method + " " + o.Path + " took effect", Err: err}
	var (
		ae *httpx.APIError
		be *httpx.BodyError
		te *httpx.TransportError
		re *httpx.ResponseError
	)
	switch {
	case errors.As(err, &ae):
		if ae.StatusCode < 500 || ae.StatusCode == http.StatusNotImplemented {
			return err
		}
		ou.StatusCode, ou.RequestID = ae.StatusCode, ae.RequestID
	case errors.As(err, &re) && re.StatusCode >= 500 && re.StatusCode != http.StatusNotImplemented:
		// A 5xx that breaks the spec (a gateway's HTML page, found by a
		// transport of WithAPITransport) leaves the outcome as open as
		// any 5xx: the server may have acted before it failed.
		ou.StatusCode, ou.RequestID = re.StatusCode, re.RequestID
	case errors.As(err, &be):
		ou.StatusCode, ou.RequestID = be.StatusCode, be.RequestID
	case errors.Is(err, io.ErrUnexpectedEOF):
		// A body cut mid-way, as a transport of WithAPITransport (such as
		// package validate's) reports it: the request reached the server.
	case re != nil:
		return err // another answer that breaks the spec: it came whole (a 2xx: see WithCheck)
	case errors.As(err, &te):
		if !te.Written {
			return err
		}
	case !httpx.MayHaveReached(st, err):
		return err
	}
	return ou
}

// WithCheck is the last step of the error of a call sent once: it sets
// what to check on the *httpx.OutcomeUnknownError of err, if it holds one. A
// *httpx.ResponseError of a 2xx answer (the call took effect, but its answer
// cannot be used: the password of a new user, the ID of a backup) becomes
// an *httpx.OutcomeUnknownError wrapping it, which still matches
// ErrMalformedResponse.
func WithCheck(err error, check string) error {
	var (
		ou *httpx.OutcomeUnknownError
		re *httpx.ResponseError
	)
	switch {
	case errors.As(err, &ou):
		ou.Check = check
	case errors.As(err, &re) && re.StatusCode >= 200 && re.StatusCode <= 299:
		return &httpx.OutcomeUnknownError{OperationID: re.OperationID, Check: check, StatusCode: re.StatusCode, RequestID: re.RequestID, Err: err}
	}
	return err
}

// violationError returns the *ResponseError of a wrapper of the API
// transport (Config.Wrap), on a copy with the operation of the call, or
// nil when err holds none.
func violationError(o *Op, err error) *httpx.ResponseError {
	var re *httpx.ResponseError
	if !errors.As(err, &re) {
		return nil
	}
	out := *re
	out.OperationID = o.ID
	return &out
}
