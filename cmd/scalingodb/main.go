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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first Ctrl-C the command winds down cleanly; a second
		// one ends the process at once.
		<-ctx.Done()
		stop()
	}()
	code := cli.Run(ctx, os.Args[1:], cli.System())
	stop()
	os.Exit(code)
}
