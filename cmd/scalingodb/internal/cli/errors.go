package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// Exit codes of the tool, one meaning each, documented in `scalingodb
// --help` (rootLong) and docs/cli.md.
const (
	// ExitOK is success.
	ExitOK = 0
	// ExitAPI is a request the API refused (a 4xx other than 401, 403 and
	// 404) or failed (5xx), a backup or a restore that ended in error, or
	// a create whose outcome is unknown (the message says what to check):
	// in each case, trying again blindly is not known to be safe.
	ExitAPI = 1
	// ExitUsage is bad usage: an unknown command, argument or flag, a
	// missing setting, an input refused before any request.
	ExitUsage = 2
	// ExitNotFound is a 404: the database, user or backup does not exist.
	ExitNotFound = 3
	// ExitAuth is a failed authentication: a wrong or expired token (401),
	// or a token exchange refused.
	ExitAuth = 4
	// ExitTimeout is a wait that timed out, or whose polls kept failing,
	// while the operation goes on: wait again with the command printed.
	ExitTimeout = 5
	// ExitUnreachable is an API that could not be reached or did not
	// answer within the request timeout: nothing is known to have started.
	ExitUnreachable = 6
	// ExitForbidden is a 403: a protected user, the token of another
	// database.
	ExitForbidden = 7
	// ExitInterrupted is a run cancelled by Ctrl-C (SIGINT).
	ExitInterrupted = 130
	// ExitTerminated is a run cancelled by SIGTERM.
	ExitTerminated = 143
)

// ErrInterrupted and ErrTerminated are the causes (context.Cause) of the
// context of a run that a signal cancelled: SIGINT and SIGTERM.
var (
	ErrInterrupted = errors.New("interrupted")
	ErrTerminated  = errors.New("terminated")
)

// stopped returns the exit code and the word of a run whose context was
// cancelled: terminated by SIGTERM, else interrupted.
func stopped(ctx context.Context) (int, string) {
	if errors.Is(context.Cause(ctx), ErrTerminated) {
		return ExitTerminated, "terminated"
	}
	return ExitInterrupted, "interrupted"
}

// describe maps err, returned by running cmd, to an exit code and a
// one-line, lower-case message that says what failed and what to do.
func describe(ctx context.Context, cmd *cobra.Command, err error) (int, string) {
	var ue *usageError
	if errors.As(err, &ue) {
		return ExitUsage, ue.msg
	}
	var ce *commandError
	if errors.As(err, &ce) {
		return ExitUsage, ce.msg
	}
	var re *ranError
	if !errors.As(err, &re) {
		// cobra's own errors: unknown command, a required flag missing...
		path := "scalingodb"
		if cmd != nil {
			path = cmd.CommandPath()
		}
		return ExitUsage, lowerFirst(err.Error()) + " (see '" + path + " --help')"
	}
	err = re.err
	what := ""
	var oe *opError
	if errors.As(err, &oe) {
		what = oe.what + ": "
		err = oe.err
	}
	code, msg := describeCause(ctx, err)
	if code == ExitUsage {
		return code, msg
	}
	return code, what + msg
}

func describeCause(ctx context.Context, err error) (int, string) {
	var (
		ue  *usageError
		ve  *scalingodb.InvalidInputError
		ae  *scalingodb.APIError
		re  *scalingodb.ResponseError
		bf  *scalingodb.BackupFailedError
		ace *scalingodb.ActionError
		we  *waitTimeout
		ws  *waitStopped
		ou  *scalingodb.OutcomeUnknownError
		ur  *url.Error
	)
	switch {
	case errors.As(err, &ue):
		return ExitUsage, ue.msg
	case errors.As(err, &ve):
		return ExitUsage, "invalid " + ve.Field + ": " + ve.Reason
	case errors.As(err, &we):
		return ExitTimeout, we.Error()
	case errors.As(err, &ws):
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			code, word := stopped(ctx)
			return code, word + "; " + ws.what + " goes on: " + ws.hint
		}
		if transient(ws.err) {
			// The polls kept failing: what is waited for goes on.
			return ExitTimeout, ws.Error()
		}
		code, _ := describeCause(ctx, ws.err)
		return code, ws.Error()
	case errors.As(err, &ou):
		return describeOutcome(ctx, err, ou)
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		code, msg := stopped(ctx)
		return code, msg + interruptHint(err)
	case errors.As(err, &ur) && ur.Timeout():
		return ExitUnreachable, "no answer from the API at " + origin(ur.URL) + " within the request timeout (nothing is known to have started); check the network, or raise --request-timeout"
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		// Not the command's own deadline: the client's request timeout.
		return ExitUnreachable, "no answer from the API within the request timeout (nothing is known to have started); check the network, or raise --request-timeout"
	case errors.Is(err, context.DeadlineExceeded):
		return ExitUnreachable, "timed out (nothing is known to have started)"
	case errors.As(err, &ae) && (ae.OperationID == "token exchange" || ae.OperationID == "addon token") && (ae.StatusCode == 401 || ae.StatusCode == 403):
		what := "the token exchange refused " + envAPIToken
		if ae.OperationID == "addon token" {
			what = "the main API refused the addon token of --app and --addon"
		}
		return ExitAuth, fmt.Sprintf("%s: %d %s; check %s", what, ae.StatusCode, lowerFirst(ae.Message), envAPIToken)
	case errors.As(err, &ae):
		return describeAPIError(ae)
	case errors.As(err, &bf):
		return ExitAPI, fmt.Sprintf("backup %s ended in state %s: see 'scalingodb backups list' and try again", bf.Backup.ID, bf.Backup.Status)
	case errors.As(err, &ace):
		return ExitAPI, "action " + ace.Action + " failed: " + lowerFirst(ace.Message)
	case errors.As(err, &re):
		msg := fmt.Sprintf("unexpected answer of the API to %s (status %d): %s", re.OperationID, re.StatusCode, re.Reason)
		if re.RequestID != "" {
			msg += " [request " + re.RequestID + "]"
		}
		return ExitAPI, msg
	case errors.As(err, &ur):
		var ne net.Error
		if errors.As(err, &ne) {
			return ExitUnreachable, "cannot reach the API at " + origin(ur.URL) + ": " + lowerFirst(unwrapAll(ur.Err)) + "; check --api-url or --region and the network"
		}
	}
	if errors.Is(err, scalingodb.ErrNotFound) {
		return ExitNotFound, lowerFirst(strings.TrimPrefix(err.Error(), "scalingodb: "))
	}
	return ExitAPI, lowerFirst(strings.TrimPrefix(err.Error(), "scalingodb: "))
}

// describeAPIError describes an answer of the API that is not a success.
func describeAPIError(e *scalingodb.APIError) (int, string) {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s", e.StatusCode, lowerFirst(e.Message))
	if len(e.FieldErrors) > 0 {
		plain := *e
		plain.Message, plain.RequestID, plain.OperationID = "", "", ""
		// APIError.Error lists the field errors in a stable order: reuse it.
		s := plain.Error()
		if i := strings.Index(s, " ("); i >= 0 {
			b.WriteString(s[i:])
		}
	}
	if e.RequestID != "" {
		b.WriteString(" [request " + e.RequestID + "]")
	}
	code, hint := ExitAPI, ""
	switch {
	case e.StatusCode == 401:
		code, hint = ExitAuth, "check the token: --token or "+envToken+" (or "+envAPIToken+")"
	case e.StatusCode == 403:
		code = ExitForbidden
		if strings.EqualFold(e.Message, "forbidden") {
			hint = "the token does not grant this database: check --token and --database"
		}
	case e.StatusCode == 404:
		code, hint = ExitNotFound, notFoundHint(e.Resource)
	case e.StatusCode == 429:
		hint = "too many requests: try again later"
		if e.RetryAfter > 0 {
			hint = fmt.Sprintf("too many requests: try again in %s", e.RetryAfter)
		}
	case e.StatusCode >= 500:
		hint = "the API failed: try again later"
	}
	if hint != "" {
		b.WriteString("; " + hint)
	}
	return code, b.String()
}

// notFoundHint says what to check after a 404, from the kind of resource
// the API said it did not find (its "resource" field), in the tool's words.
func notFoundHint(resource string) string {
	switch resource {
	case "database", "addon":
		return "no such database: check --database (or --app and --addon)"
	case "database_user", "user":
		return "no such user: 'scalingodb users list' shows them"
	case "database_backup", "backup":
		return "no such backup: 'scalingodb backups list' shows them"
	case "firewall_rule":
		return "no such rule: 'scalingodb firewall list' shows them"
	case "":
		return "check the ID and --database"
	}
	return "no such " + strings.ReplaceAll(sanitize(resource), "_", " ") + ": check the ID and --database"
}

// describeOutcome describes a call that may have taken effect: what is
// known, why, and what to check (the command's hint, or the library's).
func describeOutcome(ctx context.Context, err error, ou *scalingodb.OutcomeUnknownError) (int, string) {
	msg := "the request may have taken effect"
	if ou.StatusCode >= 200 && ou.StatusCode <= 299 {
		lost := "lost"
		if errors.As(ou.Err, new(*scalingodb.ResponseError)) {
			lost = "unusable"
		}
		msg = fmt.Sprintf("the request took effect (status %d) but its answer was %s", ou.StatusCode, lost)
	}
	msg += " (" + causeText(ou.Err) + ")"
	var oh *outcomeHint
	if errors.As(err, &oh) {
		msg += ": " + oh.hint
	} else if ou.Check != "" {
		msg += ": check " + ou.Check
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		code, word := stopped(ctx)
		return code, word + "; " + msg
	}
	return ExitAPI, msg
}

// transient reports whether a failed poll could succeed if made again: a
// 429 or 5xx answer (but 501), a transport error, a request timeout; not
// an answer the server meant (a 4xx) nor one that breaks the spec.
func transient(err error) bool {
	var ae *scalingodb.APIError
	if errors.As(err, &ae) {
		return ae.StatusCode == 429 || ae.StatusCode >= 500 && ae.StatusCode != 501
	}
	return !errors.As(err, new(*scalingodb.ResponseError)) && !errors.As(err, new(*scalingodb.InvalidInputError)) &&
		!errors.Is(err, context.Canceled)
}

// origin returns the scheme and host of rawURL, without its path and
// query (which may hold a signed token).
func origin(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return "the configured URL"
	}
	return u.Scheme + "://" + u.Host
}

// causeText describes why a call failed, without advice: the status and
// request ID of an answer, or the innermost transport error.
func causeText(err error) string {
	var (
		ae *scalingodb.APIError
		be *scalingodb.BodyError
		re *scalingodb.ResponseError
	)
	switch {
	case errors.As(err, &re):
		s := "unexpected answer: " + re.Reason
		if re.RequestID != "" {
			s += " [request " + re.RequestID + "]"
		}
		return s
	case errors.As(err, &ae):
		s := fmt.Sprintf("%d %s", ae.StatusCode, lowerFirst(ae.Message))
		if ae.RequestID != "" {
			s += " [request " + ae.RequestID + "]"
		}
		return s
	case errors.As(err, &be):
		s := fmt.Sprintf("answer %d cut: %s", be.StatusCode, unwrapAll(be.Err))
		if be.RequestID != "" {
			s += " [request " + be.RequestID + "]"
		}
		return s
	}
	return lowerFirst(unwrapAll(err))
}

// outcomeHint is the advice of a command for a call whose outcome is
// unknown: which command shows whether it took effect.
type outcomeHint struct {
	err  error
	hint string
}

func (e *outcomeHint) Error() string { return e.err.Error() }
func (e *outcomeHint) Unwrap() error { return e.err }

// withHint attaches hint to err when err matches ErrOutcomeUnknown.
func withHint(err error, hint string) error {
	if !errors.Is(err, scalingodb.ErrOutcomeUnknown) {
		return err
	}
	return &outcomeHint{err: err, hint: hint}
}

// waitStopped is a wait whose polls kept failing, or that was
// interrupted, while what it waits for goes on.
type waitStopped struct {
	what, last, hint string
	err              error
}

func (e *waitStopped) Error() string {
	msg := e.what
	if e.last != "" {
		msg += " (last state: " + e.last + ")"
	}
	return msg + " goes on, but waiting for it failed: " + causeText(e.err) + "; " + e.hint
}

func (e *waitStopped) Unwrap() error { return e.err }

// waitEnded maps the error of a wait for what (such as "backup b9") to
// the error of the command: a *waitTimeout when --timeout ran out (ctx is
// the command's, not the wait's), a *waitStopped when the wait stopped
// while what goes on, else err itself. known is the state seen before the
// wait, if any, for when no poll succeeded.
func waitEnded(ctx context.Context, err error, what, known, hint string) error {
	var we *scalingodb.WaitError
	if !errors.As(err, &we) {
		return err
	}
	last := we.LastState
	if last == "" {
		last = known
	}
	if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		return &waitTimeout{what: what, last: last, hint: hint}
	}
	return &waitStopped{what: what, last: last, hint: hint, err: we.Err}
}

// unwrapAll returns the message of the innermost error.
func unwrapAll(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

// waitTimeout is a wait that ran out of time while the operation goes on.
type waitTimeout struct {
	what, last, hint string
}

func (e *waitTimeout) Error() string {
	msg := "timed out waiting for " + e.what
	if e.last != "" {
		msg += " (last state: " + e.last + ")"
	}
	return msg + "; it goes on: " + e.hint
}
