// Package poll follows a long operation for the commands of scalingodb
// that wait (backups, restorations, operations): the --timeout and
// --poll-interval flags, and the log of each change of state on stderr
// with the time waited.
package poll

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/output"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/run"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// maxPollInterval is the longest interval between two polls.
const maxPollInterval = 15 * time.Second

// Flags tune a wait.
type Flags struct {
	// Wait is --wait, of a command that waits only when asked (AddWait).
	Wait bool

	timeout  time.Duration
	interval time.Duration
}

// Add declares --timeout and --poll-interval on cmd, a command that
// always waits.
func (w *Flags) Add(cmd *cobra.Command) {
	cmd.Flags().DurationVar(&w.timeout, "timeout", 0, "give up waiting after this long (exit code 5; 0: no limit)")
	cmd.Flags().DurationVar(&w.interval, "poll-interval", time.Second, "first interval between two polls (it grows up to 15s)")
}

// AddWait declares --wait (into Wait, with usage saying what it waits
// for), --timeout and --poll-interval on cmd, a command that starts
// something and waits for it only when asked.
func (w *Flags) AddWait(cmd *cobra.Command, usage string) {
	cmd.Flags().BoolVar(&w.Wait, "wait", false, usage)
	w.Add(cmd)
}

// Start starts a wait for what (such as "backup 5bd…"), whose state
// before the wait is known (or ""), printed at once: it returns the
// context bounded by --timeout, to cancel when the wait is over, the
// options of the client's Wait (the intervals, and a callback that logs
// each new state), and the log, whose End prints the final state.
func (w *Flags) Start(ctx context.Context, s *run.State, what, known string) (context.Context, context.CancelFunc, []scalingodb.WaitOption, *Log) {
	wctx, cancel := context.WithCancel(ctx)
	if w.timeout > 0 {
		wctx, cancel = context.WithTimeout(ctx, w.timeout)
	}
	log := &Log{s: s, what: what, last: known, start: time.Now()}
	if known != "" {
		s.Status("%s: %s", what, known)
	}
	opts := []scalingodb.WaitOption{scalingodb.WithPollInterval(w.interval, maxPollInterval), scalingodb.WithPollCallback(log.poll)}
	return wctx, cancel, opts, log
}

// Log prints, on stderr, each change of state of what a wait follows,
// with the time since the wait began.
type Log struct {
	s     *run.State
	what  string
	last  string
	start time.Time
}

// poll is the wait's poll callback.
func (l *Log) poll(e scalingodb.PollEvent) {
	if e.Err == nil && e.State != "" {
		l.End(e.State)
	}
}

// End prints the state the wait ended on, when it is new.
func (l *Log) End(state string) {
	if state != l.last {
		l.last = state
		l.s.Status("%s: %s after %s", l.what, state, output.DurationText(time.Since(l.start)))
	}
}
