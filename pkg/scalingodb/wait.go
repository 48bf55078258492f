package scalingodb

import (
	"context"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/poll"
)

// WaitOption tunes the waits: Backups.Wait, CreateAndWait,
// WaitRestoration, RestoreAndWait and Operations.Wait. A wait polls with a
// growing interval (WithPollInterval) and reports each poll to the
// callback of WithPollCallback.
type WaitOption func(*waitConfig)

type waitConfig = poll.Config

// WithPollInterval sets the first and the longest interval between two
// polls (default 1s, growing by half each poll up to 15s). A max shorter
// than first is raised to first.
func WithPollInterval(first, max time.Duration) WaitOption {
	return func(c *waitConfig) { c.SetInterval(first, max) }
}

// PollEvent is what one poll of a wait saw: the resource waited for
// ("backup", "restoration" or "operation"), its ID, and its State and
// Value (a *Backup, a *BackupRestoration or an *Operation) or the Err of
// a poll that failed after the client's retries.
type PollEvent = poll.Event

// WithPollCallback calls fn after each poll of any wait, with what the
// poll saw, before the wait decides whether to go on, so that a program can
// show state changes. fn runs on the waiting goroutine and must return
// quickly.
func WithPollCallback(fn func(PollEvent)) WaitOption {
	return func(c *waitConfig) { c.OnPoll = fn }
}

// WaitError is a wait that stopped before what it waits for finished: its
// context was done, or its polls kept failing (a poll that fails with a
// 429, a 5xx or a transport error after the client's retries is made
// again, up to 3 in a row; any other failure stops the wait). The wait
// returns it with the resource as last seen (nil if no poll succeeded).
// What it waits for may still be running: wait again with its ID. It
// unwraps to the cause (errors.Is(err, context.DeadlineExceeded) holds
// after a timeout, errors.Is(err, ErrServer) after polls answered 5xx).
type WaitError = poll.Error

// waitFor polls get with the options opts (see poll.For and WaitError).
func waitFor[T any](ctx context.Context, resource, id string, last *T, opts []WaitOption,
	get func(context.Context) (*T, error), state func(*T) string, judge func(*T) (bool, error)) (*T, error) {
	cfg := poll.Defaults()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return poll.For(ctx, cfg, resource, id, last, get, state, judge)
}
