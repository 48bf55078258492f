package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors, matched with errors.Is against the errors the client
// returns. An *APIError matches the sentinel of its status class; an
// *InvalidInputError matches ErrInvalidInput; a *ResponseError matches
// ErrMalformedResponse.
var (
	// ErrBadRequest matches a 400 answer.
	ErrBadRequest = sentinel("bad request")
	// ErrUnauthorized matches a 401 answer: the token is missing, invalid or expired.
	ErrUnauthorized = sentinel("unauthorized")
	// ErrForbidden matches a 403 answer.
	ErrForbidden = sentinel("forbidden")
	// ErrNotFound matches a 404 answer.
	ErrNotFound = sentinel("not found")
	// ErrValidation matches a 422 answer: the server refused the input.
	ErrValidation = sentinel("validation failed")
	// ErrInvalidInput matches an input the client refused before sending
	// anything (see InvalidInputError): no request left the process.
	ErrInvalidInput = sentinel("invalid input")
	// ErrRateLimited matches a 429 answer.
	ErrRateLimited = sentinel("rate limited")
	// ErrServer matches a 5xx answer.
	ErrServer = sentinel("server error")
	// ErrMalformedResponse matches an answer whose body does not have the
	// documented shape: bad JSON, a wrong type, a missing envelope key or a
	// missing required field.
	ErrMalformedResponse = sentinel("malformed response")
)

// sentinel returns a sentinel error whose message is what after the
// package's prefix.
func sentinel(what string) error { return errors.New("scalingodb: " + what) }

// APIError is a non-2xx answer of the API. It is found with errors.As and
// matches the sentinel of its status with errors.Is (ErrNotFound for a 404,
// ErrServer for any 5xx, and so on).
type APIError struct {
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// Code is the machine-readable code of the error body, when the server gives one.
	Code string
	// Message is the human-readable message of the error body, or the HTTP
	// status text when the body has none.
	Message string
	// RequestID is the X-Request-Id header of the answer, to quote to support.
	RequestID string
	// FieldErrors holds the problems of each field of a 422 answer.
	FieldErrors map[string][]string
	// RetryAfter is the delay the server asked for in Retry-After (429, 503),
	// in seconds or as a date, capped at 24 hours; 0 when absent or unusable.
	RetryAfter time.Duration
	// OperationID is the operation of the spec that failed, such as "createBackup".
	OperationID string
	// Resource is the kind of resource a 404 answer says was not found
	// (the body's "resource", such as "database"), when it says.
	Resource string
	// Path is the path of a request answered 404, which holds its path
	// parameters (database, user, backup…), so that the error says what
	// was not found. It never holds a query string.
	Path string
}

// WritePrefix starts the message of the package's errors: "scalingodb: "
// and the operation, when known.
func WritePrefix(b *strings.Builder, operationID string) {
	b.WriteString("scalingodb: ")
	if operationID != "" {
		b.WriteString(operationID)
		b.WriteString(": ")
	}
}

// Message returns the message of an error of the package: the prefix
// WritePrefix writes, then format applied to args.
func Message(operationID, format string, args ...any) string {
	var b strings.Builder
	WritePrefix(&b, operationID)
	fmt.Fprintf(&b, format, args...)
	return b.String()
}

// Error describes the failure without the body of the answer.
func (e *APIError) Error() string {
	var b strings.Builder
	WritePrefix(&b, e.OperationID)
	b.WriteString(strconv.Itoa(e.StatusCode))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Resource != "" {
		b.WriteString(" (resource ")
		b.WriteString(e.Resource)
		b.WriteString(")")
	}
	if e.Path != "" {
		b.WriteString(" at ")
		b.WriteString(e.Path)
	}
	if len(e.FieldErrors) > 0 {
		fields := make([]string, 0, len(e.FieldErrors))
		for f := range e.FieldErrors {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		b.WriteString(" (")
		for i, f := range fields {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(f)
			b.WriteString(": ")
			b.WriteString(strings.Join(e.FieldErrors[f], ", "))
		}
		b.WriteString(")")
	}
	b.WriteString(requestSuffix(e.RequestID))
	return b.String()
}

// requestSuffix returns " [request ID]", or "" when the ID is unknown.
func requestSuffix(id string) string {
	if id == "" {
		return ""
	}
	return " [request " + id + "]"
}

// statusSentinels are the sentinels an *APIError matches, each with the
// statuses it stands for (from first to last).
var statusSentinels = [...]struct {
	err         error
	first, last int
}{
	{ErrBadRequest, http.StatusBadRequest, http.StatusBadRequest},
	{ErrUnauthorized, http.StatusUnauthorized, http.StatusUnauthorized},
	{ErrForbidden, http.StatusForbidden, http.StatusForbidden},
	{ErrNotFound, http.StatusNotFound, http.StatusNotFound},
	{ErrValidation, http.StatusUnprocessableEntity, http.StatusUnprocessableEntity},
	{ErrRateLimited, http.StatusTooManyRequests, http.StatusTooManyRequests},
	{ErrServer, 500, 599},
}

// Is reports whether target is the sentinel of the error's status.
func (e *APIError) Is(target error) bool {
	for _, s := range statusSentinels {
		if target == s.err {
			return e.StatusCode >= s.first && e.StatusCode <= s.last
		}
	}
	return false
}

// ResponseError is an answer whose body does not have the documented shape.
// It matches ErrMalformedResponse. Its message never holds the body.
type ResponseError struct {
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// OperationID is the operation of the spec, such as "getDatabase".
	OperationID string
	// Reason says what is wrong, such as `missing envelope key "database"`.
	Reason string
	// RequestID is the X-Request-Id header of the answer, when the client
	// knows it (the answers of the calls that decode a value through the
	// operation table; not a violation found by a transport).
	RequestID string
	// Err is the underlying decoding error, if any.
	Err error
}

// Error describes what is wrong with the answer.
func (e *ResponseError) Error() string {
	return fmt.Sprintf("scalingodb: %s: malformed response (status %d): %s", e.OperationID, e.StatusCode, e.Reason) + requestSuffix(e.RequestID)
}

// Unwrap returns the underlying decoding error.
func (e *ResponseError) Unwrap() error { return e.Err }

// Is reports whether target is ErrMalformedResponse.
func (e *ResponseError) Is(target error) bool { return target == ErrMalformedResponse }

// InvalidInputError is an input the client refused before sending any
// request, because the API would reject it (a user name or password that
// breaks the rules, an empty or dot-segment identifier) or it makes no
// sense (a nil params, a negative page). It matches ErrInvalidInput, never
// ErrValidation, which is the server's 422: a caller can tell whether the
// request left the process.
type InvalidInputError struct {
	// Field names the input, such as "name", "password" or "database_id".
	Field string
	// Reason says which rule the input breaks; it never holds the input
	// when the input is a secret.
	Reason string
}

// Error describes the rule the input breaks.
func (e *InvalidInputError) Error() string {
	return "scalingodb: invalid " + e.Field + ": " + e.Reason
}

// Is reports whether target is ErrInvalidInput.
func (e *InvalidInputError) Is(target error) bool { return target == ErrInvalidInput }

// ErrorBody is the union of the spec's Error and ValidationErrors schemas.
type ErrorBody struct {
	Error    *string             `json:"error"`
	Code     string              `json:"code"`
	Resource string              `json:"resource"`
	Errors   map[string][]string `json:"errors"`
}

// MaxErrorBody bounds how much of an error answer is read.
const MaxErrorBody = 64 << 10

// NewAPIError builds the error of a non-2xx answer and closes nothing: the
// caller owns the body.
func NewAPIError(opID string, resp *http.Response) *APIError {
	e := &APIError{
		StatusCode:  resp.StatusCode,
		RequestID:   resp.Header.Get("X-Request-Id"),
		OperationID: opID,
		RetryAfter:  ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt == "application/json" || strings.HasSuffix(mt, "+json") {
		var body ErrorBody
		if err := json.NewDecoder(io.LimitReader(resp.Body, MaxErrorBody)).Decode(&body); err == nil {
			if body.Error != nil {
				e.Message = *body.Error
			}
			e.Code = body.Code
			if resp.StatusCode == http.StatusNotFound {
				e.Resource = body.Resource
			}
			if len(body.Errors) > 0 {
				e.FieldErrors = body.Errors
			}
		}
	}
	if e.Message == "" {
		e.Message = strings.ToLower(http.StatusText(resp.StatusCode))
	}
	if resp.StatusCode == http.StatusNotFound && resp.Request != nil && resp.Request.URL != nil {
		e.Path = resp.Request.URL.EscapedPath()
	}
	return e
}

// maxRetryAfter caps the delay a Retry-After header asks for, in either form.
const maxRetryAfter = 24 * time.Hour

// ParseRetryAfter reads a Retry-After header given in seconds or as an HTTP
// date, capped at 24 hours; a value it cannot use (garbage, negative, a past
// date) is 0. More seconds than an int64 holds is the cap, not garbage: the
// server asked for a long wait, and 0 would mean "retry now".
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		if s < 0 {
			return 0
		}
		return time.Duration(min(s, int64(maxRetryAfter/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return min(d, maxRetryAfter)
		}
	}
	return 0
}

// RedactURL returns u without its query, fragment and user information:
// a pre-signed token travels in the query.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.IndexAny(raw, "?#"); i >= 0 {
			return raw[:i] + "?[redacted]"
		}
		return "[unparseable URL]"
	}
	redacted := u.RawQuery != ""
	u.User = nil
	u.RawQuery = ""
	u.Fragment = ""
	u.RawFragment = ""
	s := u.String()
	if redacted {
		s += "?[redacted]"
	}
	return s
}

// RedactError rewrites the URL of a *url.Error (which net/http puts in its
// message) so that no query string reaches an error message.
func RedactError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: RedactURL(ue.URL), Err: ue.Err}
	}
	return err
}

// TransportError is a call that failed in transit, before the whole
// answer's headers arrived: the connection was refused or cut, the TLS
// handshake failed, the answer was not HTTP, a redirect was refused or
// looped, or the call timed out or was cancelled while it waited. (An
// answer whose body was cut is a *BodyError; a 4xx whose body was cut, an
// *APIError.) Written tells whether the request may have reached the
// server. A backup download that fails in transit once its resumes are
// spent (an archive cut every time included), or that its context stops,
// is one too, with OperationID "downloadBackup". So is a call whose token
// source failed with no error of the package's types (a custom source's,
// or the context's while the call waited for a token), with Written
// false; an AddonTokenSource whose own request fails in transit returns
// one naming that request ("token exchange" or "addon token").
//
// For a call that is never repeated (a create, a reset, an action…) and
// whose request may have reached the server, the error is an
// *OutcomeUnknownError wrapping the *TransportError: errors.As finds both,
// and errors.Is(err, ErrOutcomeUnknown) holds. A TransportError alone does
// not match ErrOutcomeUnknown: its call changes nothing, had nothing
// written, or is one that can be made again (see WithRetry).
type TransportError struct {
	// OperationID is the operation of the spec, such as "listBackups".
	OperationID string
	// Written reports whether the request may have reached the server in
	// one of the call's attempts: its headers were written to a
	// connection, or it went through a transport of WithAPITransport that
	// does not say (net/http's trace hooks did not fire). A request
	// refused at dial time, by the TLS handshake, or cancelled before a
	// connection, was not written.
	Written bool
	// Err is the cause, such as a *url.Error, a *net.OpError, a
	// *RedirectError or the context's error. URLs in it have no query
	// string.
	Err error
}

// Error names the operation and the cause.
func (e *TransportError) Error() string {
	cause := "transport failure"
	if e.Err != nil {
		cause = e.Err.Error()
	}
	return Message(e.OperationID, "%s", cause)
}

// Unwrap returns the cause.
func (e *TransportError) Unwrap() error { return e.Err }

// ErrOutcomeUnknown matches an *OutcomeUnknownError: a request that is
// never repeated (a create, a reset, a restore…) reached the server, and
// its answer was lost or says the server failed, so it may or may not have
// taken effect. Check before trying again: the error says what to check.
var ErrOutcomeUnknown = sentinel("outcome unknown")

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
	WritePrefix(&b, e.OperationID)
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
	if e.Err == nil || !strings.Contains(e.Err.Error(), e.RequestID) {
		b.WriteString(requestSuffix(e.RequestID))
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
	msg := Message(e.OperationID, "reading the body of a %d answer%s", e.StatusCode, requestSuffix(e.RequestID))
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the error of the read.
func (e *BodyError) Unwrap() error { return e.Err }

// NewBodyError wraps the error of reading the body of resp.
func NewBodyError(resp *http.Response, err error) *BodyError {
	return &BodyError{StatusCode: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id"), Err: err}
}
