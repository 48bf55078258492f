// Package poll waits for an asynchronous resource of the Database API (a
// backup, a restoration, an operation) to finish: it polls the resource
// with a growing interval, reports each poll, makes a transient failure
// again, and says why a wait stopped with an *Error that holds the
// resource's ID. It knows nothing of the resources themselves: the caller
// gives how to get one, its state, and whether it is done or failed.
package poll

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"
)

// Config tunes a wait.
type Config struct {
	// First and Max are the first and the longest interval between two
	// polls; the interval grows by half each poll.
	First, Max time.Duration
	// OnPoll, when not nil, is called after each poll.
	OnPoll func(Event)
}

// Defaults is the configuration of a wait without options: a first
// interval of 1s, growing to 15s at most.
func Defaults() Config { return Config{First: time.Second, Max: 15 * time.Second} }

// SetInterval sets the first interval (when positive) and the longest,
// which is raised to the first when shorter.
func (c *Config) SetInterval(first, longest time.Duration) {
	if first > 0 {
		c.First = first
	}
	c.Max = max(longest, c.First)
}

// Event is what one poll of a wait saw.
type Event struct {
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

// Error is a wait that stopped before what it waits for finished: its
// context was cancelled or timed out, or its polls kept failing. What it
// waits for may still be running: wait again with its ID. It unwraps to
// the cause, so errors.Is(err, context.DeadlineExceeded) holds after a
// timeout, and errors.Is(err, ErrServer) after polls answered 5xx.
type Error struct {
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
func (e *Error) Error() string {
	last := e.LastState
	if last == "" {
		last = "unknown"
	}
	return "scalingodb: waiting for " + e.Resource + " " + e.ID + " (last seen " + last + "): " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// maxFailures is the number of polls in a row that may fail with a
// transient error (see transient), each after the client's own retries,
// before a wait gives up with an *Error.
const maxFailures = 3

// For polls get, waiting a growing interval between two polls, until
// judge says that the value is done (it is returned) or failed (it is
// returned with judge's error). It returns the value as last seen (last,
// until a poll succeeds) with an *Error when ctx is done or polls keep
// failing. Every poll is reported to cfg.OnPoll.
func For[T any](ctx context.Context, cfg Config, resource, id string, last *T,
	get func(context.Context) (*T, error), state func(*T) string, judge func(*T) (bool, error)) (*T, error) {
	stop := func(cause error) (*T, error) {
		we := &Error{Resource: resource, ID: id, Err: cause}
		if last != nil {
			we.LastState = state(last)
		}
		return last, we
	}
	interval := cfg.First
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
			if cfg.OnPoll != nil {
				cfg.OnPoll(Event{Resource: resource, ID: id, Err: err})
			}
			if failures++; failures >= maxFailures || !transient(err) {
				return stop(err)
			}
		default:
			failures = 0
			last = v
			if cfg.OnPoll != nil {
				cfg.OnPoll(Event{Resource: resource, ID: id, State: state(v), Value: v})
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
		interval = min(interval+interval/2, cfg.Max)
	}
}

// transient reports whether a failed poll may succeed if made again: a
// 429 or 5xx (but 501) answer, or a transport error such as a cut
// connection. An answer the server meant (a 4xx), one that breaks the
// spec, or an input refused locally will not change.
func transient(err error) bool {
	var ae *httpx.APIError
	if errors.As(err, &ae) {
		return ae.StatusCode == http.StatusTooManyRequests || ae.StatusCode >= 500 && ae.StatusCode != http.StatusNotImplemented
	}
	return !errors.As(err, new(*httpx.ResponseError)) && !errors.As(err, new(*httpx.InvalidInputError))
}
