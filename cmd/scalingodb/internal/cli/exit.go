package cli

import "github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/exit"

// ErrInterrupted and ErrTerminated are the causes (context.Cause) of the
// context of a run that a signal cancelled: SIGINT and SIGTERM. Package
// exit maps them, as every error, to the exit code of the run.
var (
	ErrInterrupted = exit.ErrInterrupted
	ErrTerminated  = exit.ErrTerminated
)
