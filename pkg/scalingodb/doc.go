// Package scalingodb is a Go client for the Scalingo Database API: the API
// that manages one database addon (its settings, users, backups, features,
// maintenance, instances, metrics and logs).
//
// # Quick start
//
//	client, err := scalingodb.New(
//		scalingodb.WithRegion("osc-fr1"),                    // or WithBaseURL("http://127.0.0.1:8080")
//		scalingodb.WithToken(os.Getenv("DB_BEARER_TOKEN")), // or WithTokenSource(addonTokens)
//	)
//	if err != nil { ... }
//	users, err := client.Users.List(ctx, "my-db-123")
//	backup, err := client.Backups.CreateAndWait(ctx, "my-db-123")
//	n, err := client.Backups.DownloadToFile(ctx, "my-db-123", backup.ID, "backup.tar.gz")
//
// Example runs the same calls against the mock of pkg/mockserver.
//
// # Shape
//
// A Client exposes one service per resource (Databases, Features, Actions,
// PITR, Users, Backups, Maintenance, Instances, Metrics, Logs,
// TypeVersions, Firewall, Operations, Types, Plans), with a method for
// every operation of the API (Databases.Update sends both PATCH and PUT);
// each method's documentation names its operation ("API: GET /databases/{database_id}
// (getDatabase)"). Results are plain Go types: time.Time, typed string
// enums such as BackupStatus, and pointers only where null means something.
//
// # Errors
//
// A non-2xx answer is an *APIError (status, code, message, request ID,
// field errors, Retry-After), matched with errors.Is against ErrNotFound,
// ErrRateLimited and the other sentinels. An answer without the documented
// shape (bad JSON, a missing envelope key or required field) is a
// *ResponseError that matches ErrMalformedResponse: the client never
// returns zero values in its place. Inputs the API would refuse (a user
// name or password breaking the rules, an empty or "." / ".." identifier)
// are an *InvalidInputError, returned before any request is sent: it
// matches ErrInvalidInput, while ErrValidation matches the server's 422
// only, so a caller can tell whether the request left the process. A call
// that failed in transit (connection refused or cut, TLS, a timeout or a
// cancellation before the answer's headers, a response that is not HTTP)
// is a *TransportError that names the operation, says whether the request
// was written, and unwraps to the cause. Every error of a call is one of
// the package's types.
//
// # Connections
//
// Without WithHTTPClient, a Client makes its own transports, whose idle
// pools keep up to 256 connections to the API host (and as many to the
// download host), so that goroutines sharing a Client reuse their
// connections instead of opening one per call. Close releases the idle
// connections; the Client stays usable. See New.
//
// # Retries
//
// Idempotent requests (GET, PUT, DELETE, the PATCH of settings, passwords
// and labels, and the ping) are retried by go-retryablehttp on connection
// errors, 429 and 5xx as its DefaultRetryPolicy classifies them, with
// exponential backoff and jitter, honouring Retry-After and the context.
// Requests that may have taken effect even when their answer is lost
// (creating a backup, a user or a firewall rule, resetting a password,
// running an action, upgrading, restoring, enabling a feature) are sent
// again only after a 429, which says that the server did nothing; nor is
// an answer over the 32 MiB cap retried (an error wrapping
// *http.MaxBytesError). An unusable Retry-After (invalid, negative, zero,
// past) leaves the normal backoff. See WithRetry.
//
// # Unknown outcomes
//
// When such a request reached the server and its answer was lost (the
// connection cut, the answer cut mid-body, a timeout or a cancellation
// after the request was written) or is a 5xx, the error matches
// ErrOutcomeUnknown: an *OutcomeUnknownError says what to check (the
// user, the backups, the restoration…) before trying again, and unwraps
// to the cause (a *TransportError, a *BodyError, an *APIError…). A request
// that was never written (connection refused) is a *TransportError alone,
// with Written false: nothing happened. A DELETE answered 404 after
// an earlier attempt of the same call may have applied succeeds: the
// resource is gone, as asked. An answer whose body was cut carries its
// request ID in a *BodyError.
//
// # Redirects
//
// The bearer token goes only to the exact origin (scheme, host, port) of
// the base URL: a redirect elsewhere drops it, and a redirect from https
// to http is refused with a *RedirectError.
//
// # Backups
//
// Wait and CreateAndWait poll until a backup is done; on timeout,
// cancellation or polls that keep failing they return the backup as last
// seen with a *WaitError that holds its ID (so are WaitRestoration,
// RestoreAndWait and Operations.Wait, and every wait reports each poll to
// WithPollCallback). DownloadToFile writes
// a partial file next to the destination and renames it only when the
// archive is whole and synced, and a later call resumes it; Download
// streams to any io.Writer; DownloadAt fills an io.WriterAt over parallel
// ranges. No download writes more than the backup's size, and a resume
// never splices two versions of an archive (If-Range, ErrArchiveChanged).
//
// # Packages
//
// This package holds the services over the generated client, their
// options, errors and waits. Two jobs live beside it, and can be used
// alone: package download fetches a file from a link and its size
// (Backups.Download, DownloadAt and DownloadToFile are its functions
// behind a backup's link), and package auth supplies tokens
// (StaticToken, AddonTokenSource, ListAddons). Their names are also
// reachable here, as aliases, and their errors are this package's: errors.As
// and errors.Is work the same whichever package returned them.
//
// # Checking answers against the spec
//
// Package github.com/scalingodb/dbapi-go/pkg/scalingodb/validate checks
// every answer against the OpenAPI description: pass validate.Option() to
// New. It lives apart so that a program that does not validate does not
// link the spec engine; WithAPITransport is the hook it uses.
//
// # Secrets
//
// Tokens, passwords and the token of a pre-signed URL never appear in
// errors, logs, JSON or fmt output under any verb, flag or width, %p and
// bad verbs included. Passwords and tokens are Secret values (NewSecret
// makes one, Reveal gives the real value, Equal compares two); pre-signed
// URLs are SignedURL values (URL gives the real value). Both keep the
// value behind an unexported pointer, so that the paths where fmt calls
// no method print an address, never the value. The Client, its services
// and the token sources print a description without their tokens. Backup
// downloads go to the pre-signed URL without the bearer token.
package scalingodb
