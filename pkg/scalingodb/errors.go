package scalingodb

import (
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/download"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"
)

// Sentinel errors, matched with errors.Is against the errors the client
// returns. An *APIError matches the sentinel of its status class; an
// *InvalidInputError matches ErrInvalidInput; a *ResponseError matches
// ErrMalformedResponse. They are the same values in packages download and
// auth, whose errors match them too.
var (
	// ErrBadRequest matches a 400 answer.
	ErrBadRequest = httpx.ErrBadRequest
	// ErrUnauthorized matches a 401 answer: the token is missing, invalid or expired.
	ErrUnauthorized = httpx.ErrUnauthorized
	// ErrForbidden matches a 403 answer.
	ErrForbidden = httpx.ErrForbidden
	// ErrNotFound matches a 404 answer.
	ErrNotFound = httpx.ErrNotFound
	// ErrValidation matches a 422 answer: the server refused the input.
	ErrValidation = httpx.ErrValidation
	// ErrInvalidInput matches an input the client refused before sending
	// anything (see InvalidInputError): no request left the process.
	ErrInvalidInput = httpx.ErrInvalidInput
	// ErrRateLimited matches a 429 answer.
	ErrRateLimited = httpx.ErrRateLimited
	// ErrServer matches a 5xx answer.
	ErrServer = httpx.ErrServer
	// ErrMalformedResponse matches an answer whose body does not have the
	// documented shape: bad JSON, a wrong type, a missing envelope key or a
	// missing required field.
	ErrMalformedResponse = httpx.ErrMalformedResponse
	// ErrOutcomeUnknown matches an *OutcomeUnknownError: a request that is
	// never repeated reached the server, and its answer was lost or says
	// the server failed, so it may or may not have taken effect.
	ErrOutcomeUnknown = httpx.ErrOutcomeUnknown
	// ErrArchiveChanged matches an *ArchiveChangedError.
	ErrArchiveChanged = download.ErrArchiveChanged
	// ErrDownloadInProgress matches a *DownloadInProgressError.
	ErrDownloadInProgress = download.ErrInProgress
)

// The error types of the client. They are defined beside it, in the layer
// that the client, its downloader (package download) and its token sources
// (package auth) share, so that errors.As finds them whichever package
// returned them; see each type's documentation there.
type (
	// APIError is a non-2xx answer of the API, found with errors.As; it
	// matches the sentinel of its status with errors.Is (ErrNotFound for a
	// 404, ErrServer for any 5xx…). Its message never holds the body.
	APIError = httpx.APIError
	// ResponseError is an answer whose body does not have the documented
	// shape. It matches ErrMalformedResponse.
	ResponseError = httpx.ResponseError
	// InvalidInputError is an input the client refused before sending any
	// request. It matches ErrInvalidInput, never ErrValidation.
	InvalidInputError = httpx.InvalidInputError
	// TransportError is a call that failed in transit, before the whole
	// answer's headers arrived; Written tells whether the request may have
	// reached the server.
	TransportError = httpx.TransportError
	// BodyError is an answer whose status and headers arrived but whose
	// body could not be read.
	BodyError = httpx.BodyError
	// OutcomeUnknownError is a call that is never repeated and may have
	// taken effect although it failed. It matches ErrOutcomeUnknown and
	// unwraps to its cause.
	OutcomeUnknownError = httpx.OutcomeUnknownError
	// RedirectError is a redirect the client refused to follow: from https
	// to http, a body resent to another origin, or a change (any method
	// but GET and HEAD) answered elsewhere or turned into a GET. It is
	// never retried.
	RedirectError = httpx.RedirectError
	// ArchiveChangedError is a download that could not go on because the
	// archive changed under it and the destination could not be rewound.
	// It matches ErrArchiveChanged.
	ArchiveChangedError = download.ArchiveChangedError
	// DownloadInProgressError is a DownloadToFile refused because another
	// call is downloading to the same path. It matches
	// ErrDownloadInProgress.
	DownloadInProgressError = download.InProgressError
)

// errorBody is the union of the spec's Error and ValidationErrors schemas,
// as the client decodes it (the drift test compares it with the spec).
type errorBody = httpx.ErrorBody
