// Package cli holds the commands of scalingodb, the command-line tool for
// the Scalingo Database API. Each command parses its arguments, calls
// pkg/scalingodb and prints the result; nothing here speaks HTTP or decodes
// the API's answers.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// Version is the version printed by `scalingodb version`, set at link time
// with -ldflags "-X github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/cli.Version=…".
var Version = "dev"

// Environment variables read by the global flags.
const (
	envToken    = "DB_BEARER_TOKEN"
	envAPIToken = "SCALINGO_API_TOKEN"
	envApp      = "SCALINGO_APP"
	envAddon    = "SCALINGO_ADDON"
	envRegion   = "SCALINGO_REGION"
	envAPIURL   = "DBAPI_BASE_URL"
	envDatabase = "SCALINGO_DATABASE"
	envAuthURL  = "SCALINGO_AUTH_URL"
	envMainAPI  = "SCALINGO_API_URL"
	envNoColor  = "NO_COLOR"
)

// IO is what a run of the tool reads and writes: the standard streams,
// whether each is a terminal, and the environment.
type IO struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// InTTY, OutTTY and ErrTTY say whether each stream is a terminal.
	InTTY, OutTTY, ErrTTY bool
	// Getenv reads an environment variable.
	Getenv func(string) string
	// ReadPassword reads one line from the terminal on stdin without echo.
	ReadPassword func() ([]byte, error)
}

// System returns the IO of the process: os.Stdin, os.Stdout, os.Stderr
// and os.Getenv.
func System() *IO {
	isTTY := func(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
	return &IO{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		InTTY: isTTY(os.Stdin), OutTTY: isTTY(os.Stdout), ErrTTY: isTTY(os.Stderr),
		Getenv:       os.Getenv,
		ReadPassword: func() ([]byte, error) { return term.ReadPassword(int(os.Stdin.Fd())) },
	}
}

// app holds the global flags and what the commands share.
type app struct {
	io *IO

	token, apiURL, region, database, appName, addon string
	quiet, noColor, verbose                         bool
	resolvedAddon                                   string // the addon ID --addon TYPE named

	client *scalingodb.Client
}

const rootLong = `scalingodb manages one Scalingo database addon through the Database API:
its users, backups, settings, features, maintenance, firewall, logs and metrics.

Commands take the form "scalingodb NOUN VERB [ARGS]". Data goes to stdout
(a table, or -o json / -o name where a command prints resources); progress,
prompts and errors go to stderr.

Settings (a flag wins over its environment variable):
  --database  SCALINGO_DATABASE  the database, that is the ID of the addon
  --token     DB_BEARER_TOKEN    a Database API bearer token, or else
              SCALINGO_API_TOKEN with --app (SCALINGO_APP) and --addon
              (SCALINGO_ADDON, default: the database): the tool exchanges the
              API token for the addon's token
  --region    SCALINGO_REGION    osc-fr1 (default) or osc-secnum-fr1
  --api-url   DBAPI_BASE_URL     another server, such as scalingodb-mock
  --no-color  NO_COLOR           no colour in the output

Exit codes:
  0    success
  1    the API refused the request or failed (or could not be reached)
  2    bad usage: unknown command or flag, missing setting, invalid input
  3    not found: the database, user, backup... does not exist
  4    authentication failed or access denied (401, 403)
  5    timed out while waiting (the operation goes on)
  130  interrupted (Ctrl-C)`

// commands are the top-level commands, by group, in the order of the help.
var commands = []struct {
	group, name string
	build       func(*app) *cobra.Command
}{
	{"data", "users", usersCmd},
	{"data", "backups", backupsCmd},
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

// topCommand returns the command args start with when it is a known
// top-level command, so that only its subtree is built: a run of
// `scalingodb version` then costs a tenth of the whole tree. Anything else
// (a flag first, help, completion requests) builds the whole tree.
func topCommand(args []string) string {
	if len(args) == 0 {
		return ""
	}
	for _, e := range commands {
		if e.name == args[0] && e.name != "completion" {
			return e.name
		}
	}
	return ""
}

// newRoot builds the command tree: the whole tree, or only the top-level
// command only (and the root) when it is not empty.
func newRoot(a *app, only string) *cobra.Command {
	root := &cobra.Command{
		Use:   "scalingodb",
		Short: "Manage a Scalingo database addon: users, backups, settings, logs",
		Long:  rootLong,
		Example: `  export SCALINGO_DATABASE=my-db-123 DB_BEARER_TOKEN=...
  scalingodb users list
  scalingodb backups create --wait
  scalingodb backups download --latest -O backups/`,
		SilenceErrors:     true,
		SilenceUsage:      true,
		DisableAutoGenTag: true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usagef(cmd, "%v", err)
	})
	pf := root.PersistentFlags()
	pf.StringVar(&a.database, "database", "", "database to manage: the ID of the addon (env "+envDatabase+")")
	pf.StringVar(&a.token, "token", "", "Database API bearer token (env "+envToken+")")
	pf.StringVar(&a.appName, "app", "", "application of the addon, with "+envAPIToken+" (env "+envApp+")")
	pf.StringVar(&a.addon, "addon", "", "addon ID, or its type with --app ("+strings.Join(addonTypes, ", ")+"), with "+envAPIToken+" (env "+envAddon+"; default: the database)")
	pf.StringVar(&a.region, "region", scalingodb.DefaultRegion, "region of the Database API (env "+envRegion+")")
	pf.StringVar(&a.apiURL, "api-url", "", "base URL of another Database API server, such as scalingodb-mock (env "+envAPIURL+")")
	pf.BoolVarP(&a.quiet, "quiet", "q", false, "print no progress nor state changes on stderr")
	pf.BoolVarP(&a.verbose, "verbose", "v", false, "print what the settings resolve to, such as the addon ID of --app and --addon")
	pf.BoolVar(&a.noColor, "no-color", false, "print no colour (env "+envNoColor+")")

	root.AddGroup(
		&cobra.Group{ID: "data", Title: "Users and backups:"},
		&cobra.Group{ID: "db", Title: "The database:"},
		&cobra.Group{ID: "tool", Title: "The tool:"},
	)
	for _, e := range commands {
		if only == "" || e.name == only {
			c := e.build(a)
			c.GroupID = e.group
			root.AddCommand(c)
		}
	}
	root.SetHelpCommandGroupID("tool")
	addVerbAliases(root)
	markRunErrors(root)
	return root
}

// Run runs the tool with args (without the program name) and returns the
// exit code. Errors are printed on one line on io.Err.
func Run(ctx context.Context, args []string, io *IO) int {
	a := &app{io: io}
	root := newRoot(a, topCommand(args))
	root.SetArgs(args)
	root.SetIn(io.In)
	root.SetOut(io.Out)
	root.SetErr(io.Err)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	code, msg := describe(ctx, cmd, err)
	fmt.Fprintln(io.Err, "scalingodb: "+sanitize(msg))
	return code
}

// ranError marks an error returned by a command's RunE, as opposed to one
// cobra returns while parsing the command line (a usage error).
type ranError struct{ err error }

func (e *ranError) Error() string { return e.err.Error() }
func (e *ranError) Unwrap() error { return e.err }

// markRunErrors wraps the RunE of every command so that describe can tell
// a failed run from bad usage, and makes positional-argument checks usage
// errors that name the command's help.
func markRunErrors(c *cobra.Command) {
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if err := run(cmd, args); err != nil {
				return &ranError{err}
			}
			return nil
		}
	}
	if check := c.Args; check != nil {
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return usagef(cmd, "%v", err)
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		markRunErrors(sub)
	}
}

// usageError is bad usage: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usagef returns a usage error that points to the command's help.
func usagef(cmd *cobra.Command, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if cmd != nil {
		msg += " (see '" + cmd.CommandPath() + " --help')"
	}
	return &usageError{msg: msg}
}

// setting returns the value of a flag when it was given, else of its
// environment variable, else the flag's default.
func (a *app) setting(cmd *cobra.Command, flag, env string, value string) string {
	if f := cmd.Flags().Lookup(flag); f != nil && f.Changed {
		return value
	}
	if v := a.io.Getenv(env); v != "" {
		return v
	}
	return value
}

// databaseID returns the database to act on, or a usage error naming the
// flag and the variable.
func (a *app) databaseID(cmd *cobra.Command) (string, error) {
	if db, ok, err := a.addonDatabase(cmd); ok || err != nil {
		return db, err
	}
	db := a.setting(cmd, "database", envDatabase, a.database)
	if db == "" {
		return "", &usageError{"no database given: pass --database or set " + envDatabase + " (the ID of the addon)"}
	}
	return db, nil
}

// color reports whether output may hold colour escapes.
func (a *app) color() bool {
	return !a.noColor && a.io.Getenv(envNoColor) == ""
}

// clientFor builds the API client from the settings, once.
func (a *app) clientFor(cmd *cobra.Command) (*scalingodb.Client, error) {
	if a.client != nil {
		return a.client, nil
	}
	opts := []scalingodb.Option{scalingodb.WithUserAgent("scalingodb-cli/" + Version)}
	region := a.setting(cmd, "region", envRegion, a.region)
	if u := a.setting(cmd, "api-url", envAPIURL, a.apiURL); u != "" {
		opts = append(opts, scalingodb.WithBaseURL(u))
	} else {
		opts = append(opts, scalingodb.WithRegion(region))
	}
	token := a.setting(cmd, "token", envToken, a.token)
	apiToken := a.io.Getenv(envAPIToken)
	switch {
	case token != "":
		opts = append(opts, scalingodb.WithToken(token))
	case apiToken != "":
		appName := a.setting(cmd, "app", envApp, a.appName)
		if appName == "" {
			return nil, &usageError{"no application given for " + envAPIToken + ": pass --app or set " + envApp}
		}
		addon, err := a.addonID(cmd)
		if err != nil {
			return nil, err
		}
		if addon == "" {
			addon = a.setting(cmd, "database", envDatabase, a.database)
		}
		if addon == "" {
			return nil, &usageError{"no addon given for " + envAPIToken + ": pass --addon or --database, or set " + envAddon}
		}
		ts, err := scalingodb.NewAddonTokenSource(scalingodb.AddonTokenConfig{
			APIToken: scalingodb.NewSecret(apiToken), App: appName, AddonID: addon, Region: region,
			AuthURL: a.io.Getenv(envAuthURL), APIURL: a.io.Getenv(envMainAPI),
		})
		if err != nil {
			return nil, err
		}
		opts = append(opts, scalingodb.WithTokenSource(ts))
	default:
		return nil, &usageError{"no credentials: pass --token or set " + envToken + ", or set " + envAPIToken + " with --app"}
	}
	c, err := scalingodb.New(opts...)
	if err != nil {
		return nil, err
	}
	a.client = c
	return c, nil
}

// formatTarget checks the output format, then resolves the client and the database, so that a
// bad -o fails before any setting is read or any request is sent.
func (a *app) formatTarget(cmd *cobra.Command, format string) (*scalingodb.Client, string, error) {
	if err := checkFormat(cmd, format); err != nil {
		return nil, "", err
	}
	return a.target(cmd)
}

// formatClient checks the -o format, then builds the client: the prologue of
// the commands on resources not under a database (a backup by its ID).
func (a *app) formatClient(cmd *cobra.Command, format string) (*scalingodb.Client, error) {
	if err := checkFormat(cmd, format); err != nil {
		return nil, err
	}
	return a.clientFor(cmd)
}

// target returns the client and the database for a command that acts on a database.
func (a *app) target(cmd *cobra.Command) (*scalingodb.Client, string, error) {
	db, err := a.databaseID(cmd)
	if err != nil {
		return nil, "", err
	}
	c, err := a.clientFor(cmd)
	if err != nil {
		return nil, "", err
	}
	return c, db, nil
}

// status prints a line of progress on stderr unless --quiet.
func (a *app) status(format string, args ...any) {
	if a.quiet {
		return
	}
	fmt.Fprintln(a.io.Err, sanitize(fmt.Sprintf(format, args...)))
}

// errf wraps err with what failed, for describe.
func errf(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	var ue *usageError
	if errors.As(err, &ue) {
		return err
	}
	return &opError{what: fmt.Sprintf(format, args...), err: err}
}

// opError is a failed operation: what the command tried, and why it failed.
type opError struct {
	what string
	err  error
}

func (e *opError) Error() string { return e.what + ": " + e.err.Error() }
func (e *opError) Unwrap() error { return e.err }

// lowerFirst puts the first letter of s in lower case.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
