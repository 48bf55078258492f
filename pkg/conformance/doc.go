// Package conformance checks HTTP traffic against the Database API description embedded in
// gen/dbapispec (openapi.yaml).
//
// A Validator is built once by New and is safe for concurrent use. It routes any request, whether
// sent to a real regional host or to http://127.0.0.1:PORT/api, or seen by a server with a path-only
// URL, to its operation, and it validates requests and responses strictly:
//
//   - an undocumented status fails (a "default" response never covers it; "5XX" covers 500-599);
//   - a body it accepts decodes faithfully into the generated Go types with encoding/json: an
//     integer is written without fraction or exponent and fits its Go type (int64, or int without
//     a format), a date-time is strict RFC 3339 as time.Time reads it, with an offset or Z, strings
//     are valid UTF-8 without lone surrogate escapes, and no key is repeated or differs from a
//     declared property only by case (internal/schemacheck; FuzzDecodesFaithfully proves it);
//   - a uri must be absolute with a scheme and a host, and a single-value header has one line;
//   - a body where none is documented fails, and so does an empty body where one is documented;
//   - content types are checked ("application/json; charset=utf-8" is application/json);
//   - required response headers must be present and every documented header must match its schema.
//
// Each broken rule is a *Violation that reads in a few lines (operation, method and path, status,
// JSON pointer, what was expected and what came), and every function reports them in a
// *ViolationError, found with errors.As.
//
// Validator.Transport validates every response that crosses an http.Client; Validator.Middleware
// validates the requests and responses of a server handler. A server can also route with the spec
// itself: Validator.Match finds a request's operation and records its path values as http.ServeMux
// does, and Validator.OperationMiddleware validates one operation's traffic without routing again.
// A Coverage records which (operation, status) pairs were seen, and its Report is written as JSON or
// as a table.
//
// Bodies are judged first by a checker compiled from each schema in New: it gives kin-openapi's
// verdict (with this package's formats) without building errors, and delegates to kin-openapi any
// keyword it does not implement. Most traffic is valid and stops there; only a body the checker
// refuses is validated again by kin-openapi, to build the violations it reports, so the fast path
// never changes a verdict (checker_test.go compares both on valid and broken documents).
//
// Every body read is capped (DefaultMaxBodyBytes, WithMaxBodyBytes), counted in decompressed bytes;
// over the cap, the Transport's error wraps *http.MaxBytesError and the Middleware answers 413.
// A body cut short (fewer bytes than its Content-Length, or a chunked body cut before its last
// chunk) is a broken connection, never a body to judge: every function reports it as a
// *TruncatedBodyError (errors.Is io.ErrUnexpectedEOF, as net/http's own error), not as a violation;
// the Middleware answers such a request 400 and never calls its handler.
//
// Validation uses kin-openapi's schema validator with per-call options only (format validators,
// error details off): nothing global is changed. Everything that depends only on the spec (routes,
// parameters, responses per status, headers, media types, body checkers) is computed once in New.
package conformance
