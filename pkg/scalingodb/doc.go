// Package scalingodb is a Go client for the Scalingo Database API: the API
// that manages one database addon (its settings, users, backups, features,
// maintenance, instances, metrics and logs).
//
//	client, err := scalingodb.New(
//		scalingodb.WithRegion("osc-fr1"),                    // or WithBaseURL("http://127.0.0.1:8080")
//		scalingodb.WithToken(os.Getenv("DB_BEARER_TOKEN")), // or WithTokenSource(addonTokens)
//	)
//	if err != nil { ... }
//	defer client.Close()
//	users, err := client.Users.List(ctx, "my-db-123")
//	backup, err := client.Backups.CreateAndWait(ctx, "my-db-123")
//	n, err := client.Backups.DownloadToFile(ctx, "my-db-123", backup.ID, "backup.tar.gz")
//
// Example runs the same calls against the mock of pkg/mockserver.
//
// A Client has one service per resource, with a method for every
// operation of the API; each method's documentation names its operation
// ("API: GET /databases/{database_id} (getDatabase)"). A non-2xx answer is
// an *APIError matched with errors.Is against ErrNotFound and the other
// sentinels; an answer without the documented shape is a *ResponseError;
// an input refused before sending is an *InvalidInputError; a call that
// failed in transit is a *TransportError; and a call sent once whose
// effect is unknown matches ErrOutcomeUnknown and says what to check.
// Idempotent requests are retried (see WithRetry); tokens, passwords and
// pre-signed URLs never appear in errors, logs or fmt output (see Secret).
//
// Package download (the resumable downloader behind Backups.Download),
// package auth (the token sources) and package validate (answers checked
// against the spec, see WithAPITransport) live beside this one. The
// behaviour in detail (errors, connections, retries, unknown outcomes,
// redirects, backups, secrets) is in docs/client.md of the repository.
package scalingodb
