// Package cli builds and runs the command tree of scalingodb, the
// command-line tool for the Scalingo Database API: the root and its help,
// the exit code and error line of a run, and the commands on users, the
// database, its settings, logs and metrics. The backups commands are in
// package backups; what every command shares (the settings, the client,
// -o, status lines) in package run; errors and exit codes in package exit;
// rendering in package output. Each command parses its arguments, calls
// pkg/scalingodb and prints the result; nothing here speaks HTTP or decodes
// the API's answers.
package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/backups"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/exit"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/output"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/run"
)

// Version is the version printed by `scalingodb version`, set at link time
// with -ldflags "-X github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/cli.Version=…".
var Version = "dev"

// app is the state of a run that the commands share, and what the root
// command learns while it runs.
type app struct {
	*run.State

	// helpAsked is set by the help command; groupErr is a group run
	// without a known command (see newRoot).
	helpAsked bool
	groupErr  error
}

// IO is what a run of the tool reads and writes: the standard streams,
// whether each is a terminal, and the environment.
type IO = run.IO

// System returns the IO of the process: os.Stdin, os.Stdout, os.Stderr
// and os.Getenv.
func System() *IO { return run.System() }

const rootLong = `scalingodb manages one Scalingo database addon through the Database API:
its users, backups, settings, features, maintenance, firewall, logs and metrics.

Commands take the form "scalingodb NOUN VERB [ARGS]". Data goes to stdout
(a table, or -o json / -o name where a command prints resources); progress,
prompts and errors go to stderr (a prompt to the terminal the answer is
typed at when stderr is not one). Without a terminal, each status line on
stderr starts with an RFC 3339 timestamp.

Settings (a flag wins over its variable, which wins over the default):
  --database         SCALINGO_DATABASE      the database, that is the ID of
                                            the addon
  --token            DB_BEARER_TOKEN        a Database API bearer token; as a
                                            flag it shows in ps: prefer the
                                            variable,
  --token-stdin                             or the first line of stdin,
  --token-file FILE                         or of a file only its owner can read
  --app              SCALINGO_APP           instead of a bearer token, a
  --addon            SCALINGO_ADDON         Scalingo API token that the tool
                     SCALINGO_API_TOKEN     exchanges for the addon's token
                                            (--addon: an addon ID, or a type:
                                            postgresql, mysql, mongodb, redis,
                                            elasticsearch, opensearch or
                                            influxdb; default: the database)
                     SCALINGO_AUTH_URL      where it is exchanged
                                            (default https://auth.scalingo.com)
                     SCALINGO_API_URL       the main API that gives the addon
                                            token (default from the region)
  --region           SCALINGO_REGION        osc-fr1 (default) or osc-secnum-fr1
  --api-url          DBAPI_BASE_URL         another server, such as the mock
                                            (a --region flag wins over it;
                                            --region with --api-url: bad usage)
  --request-timeout  DBAPI_REQUEST_TIMEOUT  the longest a request may take (60s)
  --no-color         NO_COLOR               no colour in the output
                     HTTPS_PROXY, NO_PROXY  the proxy to reach the APIs through

Exit codes:
  0    success
  1    the API refused the request (a 4xx but those below) or failed (5xx),
       a backup or restore ended in error, a create's outcome is unknown
       (the message says what to run to find out), a list whose pages
       could not all be read (nothing is printed), or a local file could
       not be written
  2    bad usage: unknown command, argument or flag, missing setting,
       invalid input (such as a malformed token)
  3    not found: the database, user, backup... does not exist
  4    authentication failed: a wrong or expired token (401), a refused
       token exchange
  5    a --wait timed out, or its polls kept failing: the operation goes on
       (the message says how to wait again)
  6    the API could not be reached, or a request timed out: nothing is known
       to have started
  7    forbidden (403): a protected user, the token of another database
  130  interrupted (SIGINT, Ctrl-C)
  143  terminated (SIGTERM)`

// commands are the top-level commands, by group, in the order of the help.
var commands = []struct {
	group, name string
	build       func(*app) *cobra.Command
}{
	{"data", "users", usersCmd},
	{"data", "backups", func(a *app) *cobra.Command { return backups.Command(a.State) }},
	{"db", "database", databaseCmd},
	{"db", "features", featuresCmd},
	{"db", "actions", actionsCmd},
	{"db", "maintenance", maintenanceCmd},
	{"db", "firewall", firewallCmd},
	{"db", "logs", logsCmd},
	{"db", "pitr", pitrCmd},
	{"db", "instances", instancesCmd},
	{"db", "metrics", metricsCmd},
	{"db", "health", healthCmd},
	{"db", "type-version", typeVersionCmd},
	{"db", "operations", operationsCmd},
	{"db", "ping", pingCmd},
	{"db", "lag", lagCmd},
	{"db", "series", seriesCmd},
	{"db", "plan", plansCmd},
	{"db", "types", typesCmd},
	{"db", "ca-certificate", caCertificateCmd},
	{"tool", "version", versionCmd},
	{"tool", "completion", completionCmd},
}

// newRoot builds the whole command tree. Nothing in it does work that can
// wait for a command to run (the client, the regular expressions are made
// when first needed): the whole tree costs a run well under the 1 ms that
// issue #24 allows (BenchmarkCLIStartup's version-ms against a run of the
// partial tree, which earlier versions built).
func newRoot(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "scalingodb",
		Short: "Manage a Scalingo database addon: users, backups, settings, logs",
		Long:  rootLong,
		Example: `  export SCALINGO_DATABASE=my-db-123 DB_BEARER_TOKEN=...
  scalingodb users list
  scalingodb backups create --wait
  scalingodb backups download --latest -O backups/
  SCALINGO_API_TOKEN=tk-us-... scalingodb --app my-app --addon postgresql users list`,
		SilenceErrors:     true,
		SilenceUsage:      true,
		DisableAutoGenTag: true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return exit.Usagef(cmd, "%v", err)
	})
	a.AddGlobalFlags(root.PersistentFlags())

	root.AddGroup(
		&cobra.Group{ID: "data", Title: "Users and backups:"},
		&cobra.Group{ID: "db", Title: "The database:"},
		&cobra.Group{ID: "tool", Title: "The tool:"},
	)
	for _, e := range commands {
		c := e.build(a)
		c.GroupID = e.group
		root.AddCommand(c)
	}
	// cobra answers a group run without a command, or with an unknown
	// one, with its help on stdout and success: make that bad usage,
	// unless the help was asked for.
	root.Args = cobra.ArbitraryArgs // else cobra refuses an unknown word of the root alone
	defaultHelp := root.HelpFunc()
	root.SetHelpFunc(func(c *cobra.Command, args []string) {
		if asked, _ := c.Flags().GetBool("help"); !asked && !a.helpAsked && c.HasSubCommands() {
			a.groupErr = groupError(c, c.Flags().Args())
			return
		}
		defaultHelp(c, args)
	})
	root.SetHelpCommand(helpCmd(a))
	root.SetHelpCommandGroupID("tool")
	addVerbAliases(root)
	markRunErrors(root)
	return root
}

// Run runs the tool with args (without the program name) and returns the
// exit code. Errors are printed on one line on io.Err.
func Run(ctx context.Context, args []string, io *IO) int {
	a := &app{State: &run.State{IO: io, Version: Version}}
	root := newRoot(a)
	root.SetArgs(args)
	root.SetIn(io.In)
	root.SetOut(io.Out)
	root.SetErr(io.Err)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil && a.groupErr != nil {
		err = a.groupErr
	}
	if err == nil {
		return exit.OK
	}
	code, msg := exit.Describe(ctx, cmd, err)
	line := "scalingodb: " + output.Sanitize(msg)
	if !io.ErrTTY {
		line = time.Now().Format(time.RFC3339) + " " + line // a log read later says when
	}
	fmt.Fprintln(io.Err, line)
	var ce *exit.CommandError
	if errors.As(err, &ce) {
		// The help of the group, to choose a command from: on stderr, as
		// stdout is for data.
		fmt.Fprint(io.Err, "\n"+ce.Cmd.UsageString())
	}
	return code
}

// markRunErrors wraps the RunE of every command so that exit.Describe can tell
// a failed run from bad usage (and refuses negative durations first), and
// makes positional-argument checks usage errors that say which word is
// unexpected or what is missing. (A group, which cobra does not run, is
// refused in the help function: see newRoot.)
func markRunErrors(c *cobra.Command) {
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if err := checkDurations(cmd); err != nil {
				return err
			}
			if err := run(cmd, args); err != nil {
				return &exit.RunError{Err: err}
			}
			return nil
		}
	}
	check := c.Args
	if check == nil && !c.HasSubCommands() {
		// cobra lets a command without Args take any word: none is asked for.
		check = cobra.NoArgs
	}
	if check != nil {
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return argsError(cmd, args, check, err)
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		markRunErrors(sub)
	}
}

// argsError rewrites the error of a positional-argument check in words:
// the first unexpected word, or what is missing.
func argsError(cmd *cobra.Command, args []string, check cobra.PositionalArgs, err error) error {
	// cobra's counting checks (NoArgs says "unknown command"); any other
	// check says what is wrong in its own words.
	msg := err.Error()
	if !strings.HasPrefix(msg, "unknown command") && !strings.HasPrefix(msg, "accepts ") && !strings.HasPrefix(msg, "requires at least") {
		return exit.Usagef(cmd, "%v", err)
	}
	for n := 0; n < len(args); n++ {
		if check(cmd, args[:n]) == nil {
			return exit.Usagef(cmd, "unexpected argument %q for %q", args[n], cmd.CommandPath())
		}
	}
	return exit.Usagef(cmd, "missing argument for %q: usage: %s", cmd.CommandPath(), strings.TrimSuffix(cmd.UseLine(), " [flags]"))
}

// groupError is the error of a group run with args: no command, or an
// unknown one (with cobra's suggestions).
func groupError(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		var names []string
		for _, sub := range cmd.Commands() {
			if sub.IsAvailableCommand() {
				names = append(names, sub.Name())
			}
		}
		return &exit.CommandError{Cmd: cmd, Msg: fmt.Sprintf("missing command for %q: use one of %s", cmd.CommandPath(), strings.Join(names, ", "))}
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's default, set only on the root's own path
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += `; did you mean "` + strings.Join(s, `" or "`) + `"?`
	}
	return &exit.CommandError{Cmd: cmd, Msg: msg}
}

// helpCmd replaces cobra's help command, which prints the root's help on
// stdout and succeeds for an unknown topic.
func helpCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:     "help [command]",
		Short:   "Help about any command",
		Long:    "Help prints the help of any command, like its --help flag.",
		Example: `  scalingodb help backups download`,
		Args:    cobra.ArbitraryArgs,
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			cmd, _, err := c.Root().Find(args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []cobra.Completion
			for _, sub := range cmd.Commands() {
				if sub.IsAvailableCommand() && strings.HasPrefix(sub.Name(), toComplete) {
					out = append(out, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			cmd := c.Root()
			for i, word := range args {
				sub := findSub(cmd, word)
				if sub == nil {
					if !cmd.HasSubCommands() {
						return exit.Usagef(c, "unexpected argument %q for %q", args[i], c.CommandPath())
					}
					return groupError(cmd, args[i:])
				}
				cmd = sub
			}
			cmd.InitDefaultHelpFlag()
			a.helpAsked = true
			return cmd.Help()
		},
	}
}

// findSub returns the command of c named or aliased name, or nil.
func findSub(c *cobra.Command, name string) *cobra.Command {
	for _, sub := range c.Commands() {
		if sub.Name() == name || sub.HasAlias(name) {
			return sub
		}
	}
	return nil
}

// checkDurations refuses a negative duration given to any flag of cmd
// (--request-timeout, which must be positive, is checked with the client).
func checkDurations(cmd *cobra.Command) error {
	var err error
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if err != nil || f.Value.Type() != "duration" || f.Name == "request-timeout" {
			return
		}
		if d, e := time.ParseDuration(f.Value.String()); e == nil && d < 0 {
			err = exit.Usagef(cmd, "invalid --%s %s: a duration must not be negative", f.Name, f.Value)
		}
	})
	return err
}
