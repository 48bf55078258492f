// Command scalingodb manages a Scalingo database addon from the command
// line: its users, backups, settings, features, maintenance, firewall, logs
// and metrics, through the Database API and pkg/scalingodb.
//
//	scalingodb users list --database my-db-123
//	scalingodb backups create --wait
//	scalingodb backups download --latest -O backups/
//
// `scalingodb --help` lists the commands, the settings and the exit codes;
// docs/cli holds the reference of every command.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/cli"
)

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal the command winds down cleanly, and exits
		// 130 (SIGINT) or 143 (SIGTERM); a second one ends the process at once.
		sig, ok := <-signals
		if !ok {
			return
		}
		signal.Stop(signals)
		if sig == syscall.SIGTERM {
			cancel(cli.ErrTerminated)
		} else {
			cancel(cli.ErrInterrupted)
		}
	}()
	code := cli.Run(ctx, os.Args[1:], cli.System())
	signal.Stop(signals)
	cancel(nil)
	os.Exit(code)
}
