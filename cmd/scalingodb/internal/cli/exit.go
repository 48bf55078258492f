package cli

import "github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/exit"

// Exit codes of the tool, one meaning each; package exit documents them
// and maps each error to its code.
const (
	ExitOK          = exit.OK
	ExitAPI         = exit.API
	ExitUsage       = exit.Usage
	ExitNotFound    = exit.NotFound
	ExitAuth        = exit.Auth
	ExitTimeout     = exit.Timeout
	ExitUnreachable = exit.Unreachable
	ExitForbidden   = exit.Forbidden
	ExitInterrupted = exit.Interrupted
	ExitTerminated  = exit.Terminated
)

// ErrInterrupted and ErrTerminated are the causes (context.Cause) of the
// context of a run that a signal cancelled: SIGINT and SIGTERM.
var (
	ErrInterrupted = exit.ErrInterrupted
	ErrTerminated  = exit.ErrTerminated
)
