// Package exit says how a run of scalingodb ends: the exit codes, one
// meaning each; the errors commands return to say what failed (bad usage,
// an operation, a wait, a create whose outcome is unknown); and Describe,
// which maps an error to its code and the one-line message printed.
package exit

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/env"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/output"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// Exit codes of the tool, one meaning each, documented in `scalingodb
// --help` and docs/cli.
const (
	// OK is success.
	OK = 0
	// API is a request the API refused (a 4xx other than 401, 403 and
	// 404) or failed (5xx), a backup or a restore that ended in error, a
	// create whose outcome is unknown (the message says what to check), a
	// list whose pages could not be followed to the end, or a local file
	// that could not be written (or read): in each case, trying again
	// blindly is not known to be safe.
	API = 1
	// Usage is bad usage: an unknown command, argument or flag, a
	// missing setting, an input refused before any request.
	Usage = 2
	// NotFound is a 404: the database, user or backup does not exist.
	NotFound = 3
	// Auth is a failed authentication: a wrong or expired token (401),
	// or a token exchange refused.
	Auth = 4
	// Timeout is a wait that timed out, or whose polls kept failing,
	// while the operation goes on: wait again with the command printed.
	Timeout = 5
	// Unreachable is an API that could not be reached or did not
	// answer within the request timeout: nothing is known to have started.
	Unreachable = 6
	// Forbidden is a 403: a protected user, the token of another
	// database.
	Forbidden = 7
	// Interrupted is a run cancelled by Ctrl-C (SIGINT).
	Interrupted = 130
	// Terminated is a run cancelled by SIGTERM.
	Terminated = 143
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
		return Terminated, "terminated"
	}
	return Interrupted, "interrupted"
}

// Describe maps err, returned by running cmd, to an exit code and a
// one-line, lower-case message that says what failed and what to do.
func Describe(ctx context.Context, cmd *cobra.Command, err error) (int, string) {
	var ue *UsageError
	if errors.As(err, &ue) {
		return Usage, ue.Msg
	}
	var ce *CommandError
	if errors.As(err, &ce) {
		return Usage, ce.Msg
	}
	var re *RunError
	if !errors.As(err, &re) {
		// cobra's own errors: unknown command, a required flag missing...
		path := "scalingodb"
		if cmd != nil {
			path = cmd.CommandPath()
		}
		return Usage, LowerFirst(err.Error()) + " (see '" + path + " --help')"
	}
	err = re.Err
	what := ""
	var oe *OpError
	if errors.As(err, &oe) {
		what = oe.what + ": "
		err = oe.err
	}
	code, msg := DescribeCause(ctx, err)
	if code == Usage {
		return code, msg
	}
	return code, what + msg
}

// DescribeCause maps the cause of a failed run, past what the command
// tried, to an exit code and a message.
func DescribeCause(ctx context.Context, err error) (int, string) {
	var (
		ue  *UsageError
		ve  *scalingodb.InvalidInputError
		ae  *scalingodb.APIError
		re  *scalingodb.ResponseError
		bf  *scalingodb.BackupFailedError
		ace *scalingodb.ActionError
		we  *WaitTimeout
		ws  *WaitStopped
		ou  *scalingodb.OutcomeUnknownError
		ur  *url.Error
	)
	switch {
	case errors.As(err, &ue):
		return Usage, ue.Msg
	case errors.As(err, &ve):
		return Usage, "invalid " + ve.Field + ": " + ve.Reason
	case errors.As(err, &we):
		return Timeout, we.Error()
	case errors.As(err, &ws):
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			code, word := stopped(ctx)
			return code, word + "; " + ws.what + " goes on: " + ws.hint
		}
		if Transient(ws.err) {
			// The polls kept failing: what is waited for goes on.
			return Timeout, ws.Error()
		}
		code, msg := DescribeCause(ctx, ws.err)
		if code == NotFound {
			// Nothing goes on that the API knows of: a wrong ID, or
			// another database.
			return code, "cannot wait for " + ws.what + ": " + msg
		}
		return code, ws.Error()
	case errors.As(err, &ou):
		return describeOutcome(ctx, err, ou)
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		code, msg := stopped(ctx)
		return code, msg + interruptHint(err)
	case errors.As(err, &ur) && ur.Timeout():
		return Unreachable, "no answer from the API at " + Origin(ur.URL) + " within the request timeout (nothing is known to have started); check the network, or raise --request-timeout"
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		// Not the command's own deadline: the client's request timeout.
		return Unreachable, "no answer from the API within the request timeout (nothing is known to have started); check the network, or raise --request-timeout"
	case errors.Is(err, context.DeadlineExceeded):
		return Unreachable, "timed out (nothing is known to have started)"
	case errors.As(err, &ae) && (ae.OperationID == "token exchange" || ae.OperationID == "addon token") && (ae.StatusCode == 401 || ae.StatusCode == 403):
		what := "the token exchange refused " + env.APIToken
		if ae.OperationID == "addon token" {
			what = "the main API refused the addon token of --app and --addon"
		}
		return Auth, fmt.Sprintf("%s: %d %s; check %s", what, ae.StatusCode, LowerFirst(ae.Message), env.APIToken)
	case errors.As(err, &ae):
		return describeAPIError(ae)
	case errors.As(err, &bf):
		return API, fmt.Sprintf("backup %s ended in state %s: see 'scalingodb backups list' and try again", bf.Backup.ID, bf.Backup.Status)
	case errors.As(err, &ace):
		return API, "action " + ace.Action + " failed: " + LowerFirst(ace.Message)
	case errors.As(err, &re):
		msg := fmt.Sprintf("unexpected answer of the API to %s (status %d): %s", re.OperationID, re.StatusCode, re.Reason)
		if re.RequestID != "" {
			msg += " [request " + re.RequestID + "]"
		}
		return API, msg
	case errors.As(err, &ur):
		var ne net.Error
		if errors.As(err, &ne) {
			return Unreachable, "cannot reach the API at " + Origin(ur.URL) + ": " + LowerFirst(UnwrapAll(ur.Err)) + "; check --api-url or --region and the network"
		}
	}
	if errors.Is(err, scalingodb.ErrNotFound) {
		return NotFound, LowerFirst(strings.TrimPrefix(err.Error(), "scalingodb: "))
	}
	return API, LowerFirst(strings.TrimPrefix(err.Error(), "scalingodb: "))
}

// describeAPIError describes an answer of the API that is not a success.
func describeAPIError(e *scalingodb.APIError) (int, string) {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s", e.StatusCode, LowerFirst(e.Message))
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
	code, hint := API, ""
	switch {
	case e.StatusCode == 401:
		code, hint = Auth, "check the token: --token or "+env.Token+" (or "+env.APIToken+")"
	case e.StatusCode == 403:
		code = Forbidden
		if strings.EqualFold(e.Message, "forbidden") {
			hint = "the token does not grant this database: check --token and --database"
		}
	case e.StatusCode == 404:
		code, hint = NotFound, notFoundHint(e.Resource)
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
	return "no such " + strings.ReplaceAll(output.Sanitize(resource), "_", " ") + ": check the ID and --database"
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
	msg += " (" + CauseText(ou.Err) + ")"
	var oh *OutcomeHint
	if errors.As(err, &oh) {
		msg += ": " + oh.hint
	} else if ou.Check != "" {
		msg += ": check " + ou.Check
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		code, word := stopped(ctx)
		return code, word + "; " + msg
	}
	return API, msg
}

// Transient reports whether a failed poll could succeed if made again: a
// 429 or 5xx answer (but 501), a transport error, a request timeout; not
// an answer the server meant (a 4xx) nor one that breaks the spec.
func Transient(err error) bool {
	var ae *scalingodb.APIError
	if errors.As(err, &ae) {
		return ae.StatusCode == 429 || ae.StatusCode >= 500 && ae.StatusCode != 501
	}
	return !errors.As(err, new(*scalingodb.ResponseError)) && !errors.As(err, new(*scalingodb.InvalidInputError)) &&
		!errors.Is(err, context.Canceled)
}

// Origin returns the scheme and host of rawURL, without its path and
// query (which may hold a signed token).
func Origin(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return "the configured URL"
	}
	return u.Scheme + "://" + u.Host
}

// CauseText describes why a call failed, without advice: the status and
// request ID of an answer, or the innermost transport error.
func CauseText(err error) string {
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
		s := fmt.Sprintf("%d %s", ae.StatusCode, LowerFirst(ae.Message))
		if ae.RequestID != "" {
			s += " [request " + ae.RequestID + "]"
		}
		return s
	case errors.As(err, &be):
		s := fmt.Sprintf("answer %d cut: %s", be.StatusCode, UnwrapAll(be.Err))
		if be.RequestID != "" {
			s += " [request " + be.RequestID + "]"
		}
		return s
	}
	return LowerFirst(UnwrapAll(err))
}

// OutcomeHint is the advice of a command for a call whose outcome is
// unknown: which command shows whether it took effect.
type OutcomeHint struct {
	err  error
	hint string
}

func (e *OutcomeHint) Error() string { return e.err.Error() }

// Unwrap returns the error of the call.
func (e *OutcomeHint) Unwrap() error { return e.err }

// WithHint attaches hint to err when err matches ErrOutcomeUnknown.
func WithHint(err error, hint string) error {
	if !errors.Is(err, scalingodb.ErrOutcomeUnknown) {
		return err
	}
	return &OutcomeHint{err: err, hint: hint}
}

// WaitStopped is a wait whose polls kept failing, or that was
// interrupted, while what it waits for goes on.
type WaitStopped struct {
	what, last, hint string
	err              error
}

func (e *WaitStopped) Error() string {
	msg := e.what
	if e.last != "" {
		msg += " (last state: " + e.last + ")"
	}
	return msg + " goes on, but waiting for it failed: " + CauseText(e.err) + "; " + e.hint
}

// Unwrap returns why the wait stopped.
func (e *WaitStopped) Unwrap() error { return e.err }

// WaitEnded maps the error of a wait for what (such as "backup b9") to
// the error of the command: a *WaitTimeout when --timeout ran out (ctx is
// the command's, not the wait's), a *WaitStopped when the wait stopped
// while what goes on, else err itself. known is the state seen before the
// wait, if any, for when no poll succeeded.
func WaitEnded(ctx context.Context, err error, what, known, hint string) error {
	var we *scalingodb.WaitError
	if !errors.As(err, &we) {
		return err
	}
	last := we.LastState
	if last == "" {
		last = known
	}
	if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		return &WaitTimeout{what: what, last: last, hint: hint}
	}
	return &WaitStopped{what: what, last: last, hint: hint, err: we.Err}
}

// UnwrapAll returns the message of the innermost error.
func UnwrapAll(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

// WaitTimeout is a wait that ran out of time while the operation goes on.
type WaitTimeout struct {
	what, last, hint string
}

func (e *WaitTimeout) Error() string {
	msg := "timed out waiting for " + e.what
	if e.last != "" {
		msg += " (last state: " + e.last + ")"
	}
	return msg + "; it goes on: " + e.hint
}

// RunError marks an error returned by a command's RunE, as opposed to one
// cobra returns while parsing the command line (a usage error).
type RunError struct{ Err error }

func (e *RunError) Error() string { return e.Err.Error() }

// Unwrap returns the error of the command.
func (e *RunError) Unwrap() error { return e.Err }

// CommandError is a group given no command or an unknown one: bad usage,
// followed by the group's help.
type CommandError struct {
	// Cmd is the group, whose help follows the message.
	Cmd *cobra.Command
	// Msg says what is missing or unknown.
	Msg string
}

func (e *CommandError) Error() string { return e.Msg }

// UsageError is bad usage: exit code 2.
type UsageError struct {
	// Msg says what is wrong and what to do.
	Msg string
}

func (e *UsageError) Error() string { return e.Msg }

// Usagef returns a usage error that points to the command's help.
func Usagef(cmd *cobra.Command, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if cmd != nil {
		msg += " (see '" + cmd.CommandPath() + " --help')"
	}
	return &UsageError{Msg: msg}
}

// Errf wraps err with what failed, for Describe.
func Errf(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	var ue *UsageError
	if errors.As(err, &ue) {
		return err
	}
	return &OpError{what: fmt.Sprintf(format, args...), err: err}
}

// OpError is a failed operation: what the command tried, and why it failed.
type OpError struct {
	what string
	err  error
}

func (e *OpError) Error() string { return e.what + ": " + e.err.Error() }

// Unwrap returns why the operation failed.
func (e *OpError) Unwrap() error { return e.err }

// ResumeHint is a failed download whose partial file the next run resumes:
// what to run. Describe adds it to "interrupted".
type ResumeHint struct {
	// Err is why the command failed.
	Err error
	// Hint is what to run to resume.
	Hint string
}

func (e *ResumeHint) Error() string { return e.Err.Error() }

// Unwrap returns why the command failed.
func (e *ResumeHint) Unwrap() error { return e.Err }

// interruptHint returns "; " and the command that resumes what err
// interrupted, or "".
func interruptHint(err error) string {
	var h *ResumeHint
	if errors.As(err, &h) {
		return "; " + h.Hint
	}
	return ""
}

// LowerFirst puts the first letter of s in lower case.
func LowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
