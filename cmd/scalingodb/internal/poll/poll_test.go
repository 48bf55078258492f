package poll

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/run"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// TestFlags_Start checks that a wait prints its known state at once, then
// each new state (a repeated one and a failed poll print nothing), and
// that --timeout bounds its context while 0 leaves it unbounded.
func TestFlags_Start(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		deadline bool
	}{
		{"no limit", nil, false},
		{"timeout", []string{"--timeout", "1h"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var w Flags
			cmd := &cobra.Command{Use: "wait"}
			w.Add(cmd)
			if err := cmd.ParseFlags(tc.args); err != nil {
				t.Fatal(err)
			}
			var errb bytes.Buffer
			s := &run.State{IO: &run.IO{Err: &errb, ErrTTY: true}}
			ctx, cancel, opts, log := w.Start(context.Background(), s, "backup b1", "scheduled")
			defer cancel()
			if _, ok := ctx.Deadline(); ok != tc.deadline {
				t.Errorf("deadline %t, want %t", ok, tc.deadline)
			}
			if len(opts) != 2 {
				t.Errorf("%d wait options, want the interval and the callback", len(opts))
			}
			log.poll(scalingodb.PollEvent{State: "scheduled"})
			log.poll(scalingodb.PollEvent{State: "running"})
			log.poll(scalingodb.PollEvent{State: "running"})
			log.poll(scalingodb.PollEvent{Err: context.DeadlineExceeded})
			log.End("done")
			lines := strings.Split(strings.TrimSuffix(errb.String(), "\n"), "\n")
			want := []string{"backup b1: scheduled", "backup b1: running after ", "backup b1: done after "}
			if len(lines) != len(want) {
				t.Fatalf("lines %q, want %d", lines, len(want))
			}
			for i, l := range lines {
				if !strings.HasPrefix(l, want[i]) {
					t.Errorf("line %d %q, want %q…", i, l, want[i])
				}
			}
		})
	}
}

// TestFlags_AddWait checks that --wait is off unless given, with its
// usage, and comes with the flags that tune the wait.
func TestFlags_AddWait(t *testing.T) {
	for args, want := range map[string]bool{"": false, "--wait": true, "--wait=false": false, "--wait --timeout 1h": true} {
		var w Flags
		cmd := &cobra.Command{Use: "create"}
		w.AddWait(cmd, "wait until it is done")
		if err := cmd.ParseFlags(strings.Fields(args)); err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		if w.Wait != want {
			t.Errorf("%q: Wait %t, want %t", args, w.Wait, want)
		}
		if got := cmd.Flags().Lookup("wait").Usage; got != "wait until it is done" {
			t.Errorf("--wait usage %q, want the one given", got)
		}
		if cmd.Flags().Lookup("timeout") == nil || cmd.Flags().Lookup("poll-interval") == nil {
			t.Error("AddWait did not declare --timeout and --poll-interval")
		}
	}
}
