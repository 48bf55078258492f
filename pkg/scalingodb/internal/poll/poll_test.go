package poll

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"
)

type item struct{ state string }

// TestFor plays polls that answer states or errors and checks what the
// wait returns: done, failed, given up after transient failures, or
// stopped at once by a failure that will not change.
func TestFor(t *testing.T) {
	errDown := &httpx.APIError{StatusCode: 503}
	errGone := &httpx.APIError{StatusCode: 404}
	errFailed := errors.New("failed")
	tests := []struct {
		name      string
		polls     []any // a state string or an error
		wantPolls int
		wantState string
		wantErr   error
		wantWait  bool // a *Error
	}{
		{"done", []any{"running", "done"}, 2, "done", nil, false},
		{"failed", []any{"running", "error"}, 2, "error", errFailed, false},
		{"transient failure then done", []any{errDown, "done"}, 2, "done", nil, false},
		{"transient failures give up", []any{"running", errDown, errDown, errDown}, 4, "running", errDown, true},
		{"lasting failure stops", []any{errGone}, 1, "", errGone, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			var events []Event
			cfg := Config{First: time.Millisecond, Max: time.Millisecond, OnPoll: func(e Event) { events = append(events, e) }}
			got, err := For(context.Background(), cfg, "backup", "b1", nil,
				func(context.Context) (*item, error) {
					p := tt.polls[n]
					n++
					if err, ok := p.(error); ok {
						return nil, err
					}
					return &item{p.(string)}, nil
				},
				func(i *item) string { return i.state },
				func(i *item) (bool, error) {
					if i.state == "error" {
						return false, errFailed
					}
					return i.state == "done", nil
				})
			if n != tt.wantPolls || len(events) != n {
				t.Errorf("%d polls, %d events, want %d", n, len(events), tt.wantPolls)
			}
			state := ""
			if got != nil {
				state = got.state
			}
			if state != tt.wantState || !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Errorf("got %q, %v; want %q, %v", state, err, tt.wantState, tt.wantErr)
			}
			var we *Error
			if errors.As(err, &we) != tt.wantWait || (we != nil && (we.ID != "b1" || we.LastState != tt.wantState)) {
				t.Errorf("error %#v, want a *Error: %t with the last state %q", err, tt.wantWait, tt.wantState)
			}
		})
	}
}

// TestFor_ContextDone stops a wait whose context is done, with the
// context's error behind an *Error.
func TestFor_ContextDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := For(ctx, Config{First: time.Hour, Max: time.Hour}, "operation", "o1", nil,
		func(context.Context) (*item, error) { return &item{"running"}, nil },
		func(i *item) string { return i.state },
		func(*item) (bool, error) { return false, nil })
	var we *Error
	if !errors.As(err, &we) || !errors.Is(err, context.Canceled) || we.LastState != "" {
		t.Errorf("got %v, want a *Error wrapping context.Canceled", err)
	}
}

func TestTransient(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{&httpx.APIError{StatusCode: 429}, true},
		{&httpx.APIError{StatusCode: 500}, true},
		{&httpx.APIError{StatusCode: 501}, false},
		{&httpx.APIError{StatusCode: 404}, false},
		{&httpx.ResponseError{}, false},
		{&httpx.InvalidInputError{}, false},
		{&httpx.TransportError{Err: errors.New("reset")}, true},
		{fmt.Errorf("wrapped: %w", &httpx.APIError{StatusCode: 502}), true},
	} {
		if got := transient(tt.err); got != tt.want {
			t.Errorf("transient(%v) = %t, want %t", tt.err, got, tt.want)
		}
	}
}
