// Package conformance checks HTTP traffic against the Database API description embedded in
// gen/dbapispec (openapi.yaml).
//
// A Validator is built once by New and is safe for concurrent use. It routes any request, whether
// sent to a real regional host or to http://127.0.0.1:PORT/api, or seen by a server with a path-only
// URL, to its operation, and it validates requests and responses strictly:
//
//   - an undocumented status fails (a "default" response never covers it; "5XX" covers 500-599);
//   - formats are checked: a date-time must be RFC 3339 with an offset or Z, an int64 must be a whole
//     number within int64, a uri must be absolute with a scheme and a host;
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
// Validation uses kin-openapi's schema validator with per-call options only (format validators,
// error details off): nothing global is changed. Everything that depends only on the spec (routes,
// parameters, responses per status, headers, media types) is computed once in New.
package conformance
