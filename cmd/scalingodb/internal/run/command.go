package run

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/exit"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/output"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/progress"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// AddFormatFlag adds -o/--output (table, json, name) to a command that
// prints resources.
func AddFormatFlag(cmd *cobra.Command, format *string) {
	cmd.Flags().StringVarP(format, "output", "o", output.Table, "output format: table, json or name (IDs one per line)")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(output.Formats(), cobra.ShellCompDirectiveNoFileComp))
}

// CheckFormat refuses an unknown format before any request.
func CheckFormat(cmd *cobra.Command, format string) error {
	if output.Known(format) {
		return nil
	}
	return exit.Usagef(cmd, "unknown output format %q: use table, json or name", format)
}

// Print writes r to stdout in format: a table on a terminal fits its width,
// with a bold header when colour is allowed.
func (s *State) Print(format string, r output.Result) error {
	return output.Printer{Out: s.IO.Out, TTY: s.IO.OutTTY, Color: s.Color()}.Print(format, r)
}

// Stderr is where a transfer shows its progress: stderr, with the run's
// --quiet, colour and status lines.
func (s *State) Stderr() progress.Stderr {
	return progress.Stderr{W: s.IO.Err, TTY: s.IO.ErrTTY, Quiet: s.Quiet, Color: s.Color(), Status: s.Status}
}

// AddYesFlag declares -y/--yes, which answers yes to the confirmation of
// an irreversible command (see State.Confirm).
func AddYesFlag(cmd *cobra.Command, yes *bool) {
	cmd.Flags().BoolVarP(yes, "yes", "y", false, "do not ask for confirmation (needed when stdin is not a terminal)")
}

// Confirm asks before an irreversible operation: --yes, or "y" at a
// prompt when stdin is a terminal, asked on the terminal (IO.PromptTo);
// when none would show the question, it is not asked.
func (s *State) Confirm(cmd *cobra.Command, yes bool, question string) error {
	if yes {
		return nil
	}
	if !s.IO.InTTY {
		return exit.Usagef(cmd, "%s: pass --yes to confirm (stdin is not a terminal)", question)
	}
	ask := s.IO.PromptTo()
	if ask == nil {
		return exit.Usagef(cmd, "%s: pass --yes to confirm (no terminal to ask on: stderr is not one)", question)
	}
	fmt.Fprintf(ask, "%s [y/N] ", question)
	line, err := interruptible(cmd.Context(), func() (string, error) { return bufio.NewReader(s.IO.In).ReadString('\n') })
	if cmd.Context().Err() != nil {
		fmt.Fprintln(ask)
		return err
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return nil
	}
	return &exit.UsageError{Msg: "cancelled: nothing was changed"}
}

// Simple gives cmd, a command on the database with no positional
// argument unless its Args says otherwise, a RunE that prints the result
// of fn in the format of -o, which it adds.
func (s *State) Simple(cmd *cobra.Command, fn func(cmd *cobra.Command, c *scalingodb.Client, db string) (output.Result, error)) *cobra.Command {
	var format string
	if cmd.Args == nil {
		cmd.Args = cobra.NoArgs
	}
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		c, db, err := s.FormatTarget(cmd, format)
		if err != nil {
			return err
		}
		r, err := fn(cmd, c, db)
		if err != nil {
			return err
		}
		return s.Print(format, r)
	}
	AddFormatFlag(cmd, &format)
	return cmd
}

// Delete gives cmd, a command that deletes the thing of the database that
// its one argument names (what is its kind, such as "user"), a RunE that
// asks first (see Confirm), deletes it with del and says so; and adds -y.
func (s *State) Delete(cmd *cobra.Command, what string, del func(ctx context.Context, c *scalingodb.Client, db, id string) error) *cobra.Command {
	var yes bool
	cmd.Args = cobra.ExactArgs(1)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, db, err := s.Target(cmd)
		if err != nil {
			return err
		}
		if err := s.Confirm(cmd, yes, "delete "+what+" "+args[0]+" of "+db+"?"); err != nil {
			return err
		}
		if err := del(cmd.Context(), c, db, args[0]); err != nil {
			return exit.Errf(err, "cannot delete %s %s of %s", what, args[0], db)
		}
		s.Status("deleted %s %s of %s", what, args[0], db)
		return nil
	}
	AddYesFlag(cmd, &yes)
	return cmd
}

// CompleteFirst completes the first argument of a command with what list
// returns ("value\tdescription"), asking the API with the settings given
// so far; any failure completes nothing.
func (s *State) CompleteFirst(list func(ctx context.Context, c *scalingodb.Client, db string) ([]string, error)) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		c, db, err := s.Target(cmd)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx, cancel := context.WithTimeout(cmd.Context(), 5*time.Second)
		defer cancel()
		values, err := list(ctx, c, db)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

// SimpleClient gives cmd, a command that needs a client but no database
// (a resource named by its own ID), a RunE that prints the result of fn
// in the format of -o, which it adds.
func (s *State) SimpleClient(cmd *cobra.Command, fn func(cmd *cobra.Command, c *scalingodb.Client) (output.Result, error)) *cobra.Command {
	var format string
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		c, err := s.FormatClient(cmd, format)
		if err != nil {
			return err
		}
		r, err := fn(cmd, c)
		if err != nil {
			return err
		}
		return s.Print(format, r)
	}
	AddFormatFlag(cmd, &format)
	return cmd
}
