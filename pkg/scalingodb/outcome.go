package scalingodb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// ErrOutcomeUnknown matches an *OutcomeUnknownError: a request that is
// never repeated (a create, a reset, a restore…) reached the server, and
// its answer was lost or says the server failed, so it may or may not have
// taken effect. Check before trying again: the error says what to check.
var ErrOutcomeUnknown = errors.New("scalingodb: outcome unknown")

// OutcomeUnknownError is a call that may have taken effect although it
// failed: its request was written to the server (or handed to a transport
// that does not say whether it was) and then the connection was cut, the
// answer was cut in the middle, the call timed out or was cancelled, or the
// server answered a 5xx (but 501), which does not say that nothing
// happened, or a 2xx whose body cannot be used (it took effect, and what
// it returned is lost). Only the calls that are never retried (the creates, password
// resets, actions, upgrades and restores) return it; a retried call can
// simply be made again.
//
// It matches ErrOutcomeUnknown, and unwraps to the cause, so that
// errors.Is(err, context.DeadlineExceeded), errors.Is(err, ErrServer) or
// errors.As(err, &apiErr) still hold; a failure in transit is a
// *TransportError inside it, so errors.As finds both. A request that was
// never written (connection refused, an unknown host, a TLS handshake that
// failed) is not one: nothing happened, and the error is the
// *TransportError alone, with Written false.
type OutcomeUnknownError struct {
	// OperationID is the operation of the spec, such as "createDatabaseUser".
	OperationID string
	// Check says what to look at to learn the outcome, such as
	// `whether user "reporting" exists on database my-db-123 (Users.List)`.
	Check string
	// StatusCode is the status of the answer when its headers arrived
	// (a 2xx whose body was cut means the request took effect but its
	// result is lost), or 0 when no answer arrived.
	StatusCode int
	// RequestID is the X-Request-Id of the answer, when its headers arrived.
	RequestID string
	// Err is the cause: a *TransportError (which holds the context's
	// error when the call timed out or was cancelled), a *BodyError, an
	// *APIError, or a *ResponseError.
	Err error
}

// Error says that the call may have taken effect, what to check, and why.
func (e *OutcomeUnknownError) Error() string {
	var b strings.Builder
	writePrefix(&b, e.OperationID)
	if e.StatusCode >= 200 && e.StatusCode <= 299 {
		b.WriteString("the request took effect (status ")
		b.WriteString(strconv.Itoa(e.StatusCode))
		b.WriteString(") but its answer was lost or unusable")
	} else {
		b.WriteString("the request may have taken effect")
	}
	if e.Check != "" {
		b.WriteString("; check ")
		b.WriteString(e.Check)
	}
	if e.RequestID != "" && (e.Err == nil || !strings.Contains(e.Err.Error(), e.RequestID)) {
		b.WriteString(" [request ")
		b.WriteString(e.RequestID)
		b.WriteString("]")
	}
	if e.Err != nil {
		b.WriteString(": ")
		cause := strings.TrimPrefix(e.Err.Error(), "scalingodb: ")
		if e.OperationID != "" {
			cause = strings.TrimPrefix(cause, e.OperationID+": ")
		}
		b.WriteString(cause)
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// Is reports whether target is ErrOutcomeUnknown.
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// BodyError is an answer whose status and headers arrived but whose body
// could not be read: the connection was cut in the middle of it (Err wraps
// io.ErrUnexpectedEOF or a network error), or it is over the size cap (Err
// wraps *http.MaxBytesError). It carries the answer's request ID.
type BodyError struct {
	// OperationID is the operation of the spec, such as "listBackups".
	OperationID string
	// StatusCode is the status of the answer.
	StatusCode int
	// RequestID is the X-Request-Id header of the answer, to quote to support.
	RequestID string
	// Err is the error of the read.
	Err error
}

// Error names the answer, its request ID and the read error.
func (e *BodyError) Error() string {
	var b strings.Builder
	writePrefix(&b, e.OperationID)
	b.WriteString("reading the body of a ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	b.WriteString(" answer")
	if e.RequestID != "" {
		b.WriteString(" [request ")
		b.WriteString(e.RequestID)
		b.WriteString("]")
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the error of the read.
func (e *BodyError) Unwrap() error { return e.Err }

// newBodyError wraps the error of reading the body of resp.
func newBodyError(resp *http.Response, err error) *BodyError {
	return &BodyError{StatusCode: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id"), Err: err}
}

// transportError is the error of a call whose request failed before a
// whole answer arrived. A *BodyError gets the operation; one of a 4xx
// answer, whose status says that the server refused the request, is the
// *APIError of that status (its body lost). A *TransportError gets the
// operation, whether the request may have reached the server (in any
// attempt, see mayHaveReached), and its URL redacted; when it is the
// context's error but an answer's headers had come, it is that answer's
// *BodyError. Any other error has its URL redacted and is prefixed with
// the operation.
func transportError(o *op, st *callState, err error) error {
	//nolint:errorlint // only the call's own, at the top (see below)
	if te, ok := err.(*TransportError); ok && (errors.Is(te.Err, context.Canceled) || errors.Is(te.Err, context.DeadlineExceeded)) {
		if cut := st.body.Load(); cut != nil {
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
	// Only the one retryDoer.Do returned, this call's own: never one
	// nested in the (shared) error of a token source.
	if te, ok := err.(*TransportError); ok { //nolint:errorlint // see above
		te.OperationID = o.id
		te.Written = st.applied.Load() || mayHaveReached(st, te.Err)
		te.Err = redactError(te.Err)
		return te
	}
	return fmt.Errorf("scalingodb: %s: %w", o.id, redactError(err))
}

// outcomeOf returns err, or an *OutcomeUnknownError wrapping it when o is
// sent once and err leaves open whether it took effect: a 5xx answer (but
// 501), an answer whose body was lost, or a transport error after the
// request may have reached the server (see mayHaveReached). The Check is
// generic; the methods name what to check (see withCheck).
func outcomeOf(o *op, st *callState, err error) error {
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
	case !mayHaveReached(st, err):
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
