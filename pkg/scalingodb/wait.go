package scalingodb

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// WaitOption tunes the waits: Backups.Wait, CreateAndWait,
// WaitRestoration, RestoreAndWait and Operations.Wait.
type WaitOption func(*waitConfig)

type waitConfig struct {
	first, max time.Duration
	onPoll     func(PollEvent)
}

// WithPollInterval sets the first and the longest interval between two
// polls (default 1s, growing by half each poll up to 15s). A max shorter
// than first is raised to first.
func WithPollInterval(first, max time.Duration) WaitOption {
	return func(c *waitConfig) {
		if first > 0 {
			c.first = first
		}
		if max >= c.first {
			c.max = max
		} else {
			c.max = c.first
		}
	}
}

// PollEvent is what one poll of a wait saw.
type PollEvent struct {
	// Resource is what is waited for: "backup", "restoration" or "operation".
	Resource string
	// ID is the ID of what is waited for.
	ID string
	// State is its state as this poll saw it, such as "running"; "" when
	// the poll failed.
	State string
	// Value is what the poll returned: a *Backup, a *BackupRestoration or
	// an *Operation; nil when the poll failed. The callback must not keep
	// it past the call if it changes it.
	Value any
	// Err is the error of a poll that failed after the client's retries,
	// or nil.
	Err error
}

// WithPollCallback calls fn after each poll of any wait, with what the
// poll saw, before the wait decides whether to go on, so that a program can
// show state changes. fn runs on the waiting goroutine and must return
// quickly.
func WithPollCallback(fn func(PollEvent)) WaitOption {
	return func(c *waitConfig) { c.onPoll = fn }
}

// WaitError is a wait that stopped before what it waits for finished: its
// context was cancelled or timed out, or its polls kept failing. What it
// waits for may still be running: wait again with its ID. It unwraps to
// the cause, so errors.Is(err, context.DeadlineExceeded) holds after a
// timeout, and errors.Is(err, ErrServer) after polls answered 5xx.
type WaitError struct {
	// Resource is what was waited for: "backup", "restoration" or "operation".
	Resource string
	// ID is the ID of what was waited for.
	ID string
	// LastState is the state the last successful poll saw ("" when no
	// poll succeeded).
	LastState string
	// Err is the cause: the context's error, or the error of the last poll.
	Err error
}

// Error names what was waited for, its last state and why the wait stopped.
func (e *WaitError) Error() string {
	last := e.LastState
	if last == "" {
		last = "unknown"
	}
	return "scalingodb: waiting for " + e.Resource + " " + e.ID + " (last seen " + last + "): " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *WaitError) Unwrap() error { return e.Err }

// maxPollFailures is the number of polls in a row that may fail with a
// transient error (see transientPollError), each after the client's own
// retries, before a wait gives up with a *WaitError.
const maxPollFailures = 3

// waitFor polls get, waiting a growing interval between two polls (see
// WithPollInterval), until judge says that the value is done (it is
// returned) or failed (it is returned with judge's error). It returns the
// value as last seen (last, until a poll succeeds) with a *WaitError when
// ctx is done or polls keep failing. Every poll is reported to the
// callback of WithPollCallback.
func waitFor[T any](ctx context.Context, resource, id string, last *T, opts []WaitOption,
	get func(context.Context) (*T, error), state func(*T) string, judge func(*T) (bool, error)) (*T, error) {
	cfg := waitConfig{first: time.Second, max: 15 * time.Second}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	stop := func(cause error) (*T, error) {
		we := &WaitError{Resource: resource, ID: id, Err: cause}
		if last != nil {
			we.LastState = state(last)
		}
		return last, we
	}
	interval := cfg.first
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	failures := 0
	for {
		if err := ctx.Err(); err != nil {
			return stop(err)
		}
		v, err := get(ctx)
		switch {
		case err != nil:
			if ctxErr := ctx.Err(); ctxErr != nil {
				return stop(ctxErr) // the poll was cut short by ctx: not a failure
			}
			if cfg.onPoll != nil {
				cfg.onPoll(PollEvent{Resource: resource, ID: id, Err: err})
			}
			if failures++; failures >= maxPollFailures || !transientPollError(err) {
				return stop(err)
			}
		default:
			failures = 0
			last = v
			if cfg.onPoll != nil {
				cfg.onPoll(PollEvent{Resource: resource, ID: id, State: state(v), Value: v})
			}
			if done, err := judge(v); err != nil || done {
				return v, err
			}
		}
		timer.Reset(interval)
		select {
		case <-ctx.Done():
			return stop(ctx.Err())
		case <-timer.C:
		}
		interval = min(interval+interval/2, cfg.max)
	}
}

// transientPollError reports whether a failed poll may succeed if made
// again: a 429 or 5xx (but 501) answer, or a transport error such as a
// cut connection. An answer the server meant (a 4xx), one that breaks the
// spec, or an input refused locally will not change.
func transientPollError(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.StatusCode == http.StatusTooManyRequests || ae.StatusCode >= 500 && ae.StatusCode != http.StatusNotImplemented
	}
	return !errors.As(err, new(*ResponseError)) && !errors.As(err, new(*InvalidInputError))
}
