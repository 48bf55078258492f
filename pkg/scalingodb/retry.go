package scalingodb

import "github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"

// RetryPolicy says how idempotent requests are retried after a connection
// error, a 429 or a 5xx answer (see WithRetry). The zero value of a field
// takes its default.
type RetryPolicy = httpx.RetryPolicy
