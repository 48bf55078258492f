package exit

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

func TestDescribe(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	live := context.Background()
	terminated, end := context.WithCancelCause(context.Background())
	end(ErrTerminated)
	ran := func(err error) error { return &RunError{Err: err} }
	for _, tc := range []struct {
		name string
		ctx  context.Context
		err  error
		code int
		msg  string
	}{
		{"cobra parse error", live, errors.New("Unknown command \"x\""), Usage, `unknown command "x" (see 'scalingodb --help')`},
		{"usage", live, ran(&UsageError{Msg: "no database given"}), Usage, "no database given"},
		{"local validation keeps no context", live, ran(Errf(&scalingodb.InvalidInputError{Field: "name", Reason: "too short"}, "cannot create user x")), Usage, "invalid name: too short"},
		{"not found", live, ran(Errf(&scalingodb.APIError{StatusCode: 404, Message: "Backup not found", RequestID: "r1"}, "cannot get backup b")), NotFound,
			"cannot get backup b: 404 backup not found [request r1]; check the ID and --database"},
		{"not found, a user as the API says", live, ran(Errf(&scalingodb.APIError{StatusCode: 404, Message: "not found", Resource: "database_user"}, "cannot delete user x")), NotFound,
			"cannot delete user x: 404 not found; no such user: 'scalingodb users list' shows them"},
		{"not found, the database", live, ran(Errf(&scalingodb.APIError{StatusCode: 404, Message: "not found", Resource: "database"}, "cannot list the users of d")), NotFound,
			"cannot list the users of d: 404 not found; no such database: check --database (or --app and --addon)"},
		{"not found, a kind the tool does not know, sanitized", live, ran(Errf(&scalingodb.APIError{StatusCode: 404, Message: "not found", Resource: "log\x1b[2J_drain"}, "cannot x")), NotFound,
			"cannot x: 404 not found; no such log[2J drain: check the ID and --database"},
		{"unauthorized", live, ran(&scalingodb.APIError{StatusCode: 401, Message: "unauthorized"}), Auth,
			"401 unauthorized; check the token: --token or DB_BEARER_TOKEN (or SCALINGO_API_TOKEN)"},
		{"forbidden", live, ran(&scalingodb.APIError{StatusCode: 403, Message: "forbidden"}), Forbidden,
			"403 forbidden; the token does not grant this database: check --token and --database"},
		{"field errors", live, ran(&scalingodb.APIError{StatusCode: 422, Message: "unprocessable entity", FieldErrors: map[string][]string{"name": {"has already been taken"}}}), API,
			"422 unprocessable entity (name: has already been taken)"},
		{"rate limited", live, ran(&scalingodb.APIError{StatusCode: 429, Message: "Retry later", RetryAfter: 30 * time.Second}), API,
			"429 retry later; too many requests: try again in 30s"},
		{"server", live, ran(&scalingodb.APIError{StatusCode: 503, Message: "service unavailable", RequestID: "r2"}), API,
			"503 service unavailable [request r2]; the API failed: try again later"},
		{"wait timeout", live, ran(Errf(&WaitTimeout{what: "backup b", last: "running", hint: "run 'x' to wait again"}, "backup of db")), Timeout,
			"backup of db: timed out waiting for backup b (last state: running); it goes on: run 'x' to wait again"},
		{"interrupted", cancelled, ran(Errf(fmt.Errorf("get: %w", context.Canceled), "cannot download backup b")), Interrupted,
			"cannot download backup b: interrupted"},
		{"backup failed", live, ran(&scalingodb.BackupFailedError{Backup: &scalingodb.Backup{ID: "b", Status: scalingodb.BackupError}}), API,
			"backup b ended in state error: see 'scalingodb backups list' and try again"},
		{"unreachable", live, ran(&url.Error{Op: "Get", URL: "http://127.0.0.1:9/api/databases/x?token=secret", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("Connection refused")}}), Unreachable,
			"cannot reach the API at http://127.0.0.1:9: connection refused; check --api-url or --region and the network"},
		{"request timed out", live, ran(Errf(&url.Error{Op: "Get", URL: "https://db-api.osc-fr1.scalingo.com/api/x", Err: timeoutErr{}}, "cannot list the users of db")), Unreachable,
			"cannot list the users of db: no answer from the API at https://db-api.osc-fr1.scalingo.com within the request timeout (nothing is known to have started); check the network, or raise --request-timeout"},
		{"token exchange refused", live, ran(fmt.Errorf("scalingodb: token: %w", &scalingodb.APIError{StatusCode: 403, OperationID: "token exchange", Message: "forbidden"})), Auth,
			"the token exchange refused SCALINGO_API_TOKEN: 403 forbidden; check SCALINGO_API_TOKEN"},
		{"terminated", terminated, ran(Errf(fmt.Errorf("get: %w", context.Canceled), "cannot download backup b")), Terminated,
			"cannot download backup b: terminated"},
		{"wait stopped by failing polls", live, ran(Errf(&WaitStopped{what: "backup b9", last: "running", hint: "run 'scalingodb backups wait b9' to wait again",
			err: &scalingodb.APIError{StatusCode: 500, Message: "oops", RequestID: "r3"}}, "backup of db")), Timeout,
			"backup of db: backup b9 (last state: running) goes on, but waiting for it failed: 500 oops [request r3]; run 'scalingodb backups wait b9' to wait again"},
		{"wait stopped by a 404 keeps its exit code, and does not say it goes on", live, ran(&WaitStopped{what: "backup b9", hint: "h", err: &scalingodb.APIError{StatusCode: 404, Message: "not found", Resource: "backup"}}), NotFound,
			"cannot wait for backup b9: 404 not found; no such backup: 'scalingodb backups list' shows them"},
		{"wait stopped by a 401 goes on", live, ran(&WaitStopped{what: "backup b9", last: "running", hint: "h", err: &scalingodb.APIError{StatusCode: 401, Message: "unauthorized"}}), Auth,
			"backup b9 (last state: running) goes on, but waiting for it failed: 401 unauthorized; h"},
		{"wait interrupted", cancelled, ran(&WaitStopped{what: "backup b9", hint: "run 'scalingodb backups wait b9' to wait again", err: context.Canceled}), Interrupted,
			"interrupted; backup b9 goes on: run 'scalingodb backups wait b9' to wait again"},
		{"outcome unknown, with the command's hint", live, ran(Errf(WithHint(&scalingodb.OutcomeUnknownError{OperationID: "createBackup", Check: "the backups",
			Err: &scalingodb.APIError{StatusCode: 502, Message: "bad gateway", RequestID: "r4"}}, "check with 'scalingodb backups list'"), "cannot create a backup of db")), API,
			"cannot create a backup of db: the request may have taken effect (502 bad gateway [request r4]): check with 'scalingodb backups list'"},
		{"outcome unknown, an unusable answer", live, ran(&scalingodb.OutcomeUnknownError{Check: "the user", StatusCode: 201,
			Err: &scalingodb.ResponseError{StatusCode: 201, OperationID: "createDatabaseUser", Reason: `missing required field "password"`}}), API,
			`the request took effect (status 201) but its answer was unusable (unexpected answer: missing required field "password"): check the user`},
		{"outcome unknown, interrupted", cancelled, ran(&scalingodb.OutcomeUnknownError{Check: "the user", Err: fmt.Errorf("post: %w", context.Canceled)}), Interrupted,
			"interrupted; the request may have taken effect (context canceled): check the user"},
		{"malformed answer", live, ran(&scalingodb.ResponseError{StatusCode: 200, OperationID: "getBackup", Reason: "invalid JSON"}), API,
			"unexpected answer of the API to getBackup (status 200): invalid JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, msg := Describe(tc.ctx, nil, tc.err)
			if code != tc.code || msg != tc.msg {
				t.Errorf("Describe = %d %q\nwant       %d %q", code, msg, tc.code, tc.msg)
			}
		})
	}
}

// timeoutErr is the error of an http.Client whose Timeout ran out.
type timeoutErr struct{}

func (timeoutErr) Error() string {
	return "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
}
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }
