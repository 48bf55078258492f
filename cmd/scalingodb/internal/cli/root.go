// Package cli holds the commands of scalingodb, the command-line tool for
// the Scalingo Database API. Each command parses its arguments, calls
// pkg/scalingodb and prints the result; nothing here speaks HTTP or decodes
// the API's answers.
package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// Version is the version printed by `scalingodb version`, set at link time
// with -ldflags "-X github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/cli.Version=…".
var Version = "dev"

// Environment variables the tool reads; each is in rootLong (a test
// checks it).
const (
	envToken          = "DB_BEARER_TOKEN"
	envAPIToken       = "SCALINGO_API_TOKEN"
	envApp            = "SCALINGO_APP"
	envAddon          = "SCALINGO_ADDON"
	envRegion         = "SCALINGO_REGION"
	envAPIURL         = "DBAPI_BASE_URL"
	envRequestTimeout = "DBAPI_REQUEST_TIMEOUT"
	envDatabase       = "SCALINGO_DATABASE"
	envAuthURL        = "SCALINGO_AUTH_URL"
	envMainAPI        = "SCALINGO_API_URL"
	envNoColor        = "NO_COLOR"
)

// defaultRequestTimeout bounds each request when neither
// --request-timeout nor its variable is given.
const defaultRequestTimeout = 60 * time.Second

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

	token, tokenFile, apiURL, region, database, appName, addon string
	tokenStdin, quiet, noColor, verbose                        bool
	requestTimeout                                             time.Duration
	resolvedAddon                                              string // the addon ID --addon TYPE named

	client *scalingodb.Client

	// helpAsked is set by the help command; groupErr is a group run
	// without a known command (see newRoot).
	helpAsked bool
	groupErr  error
	// noColorFlag tells whether --no-color was given (see color).
	noColorFlag *pflag.Flag
}

const rootLong = `scalingodb manages one Scalingo database addon through the Database API:
its users, backups, settings, features, maintenance, firewall, logs and metrics.

Commands take the form "scalingodb NOUN VERB [ARGS]". Data goes to stdout
(a table, or -o json / -o name where a command prints resources); progress,
prompts and errors go to stderr. Without a terminal, each status line on
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
       a backup or restore ended in error, or a create's outcome is unknown
       (the message says what to run to find out)
  2    bad usage: unknown command, argument or flag, missing setting,
       invalid input
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
		return usagef(cmd, "%v", err)
	})
	pf := root.PersistentFlags()
	pf.StringVar(&a.database, "database", "", "database to manage: the ID of the addon (env "+envDatabase+")")
	pf.StringVar(&a.token, "token", "", "Database API bearer token (env "+envToken+"); visible to other users in ps and /proc: prefer the variable, --token-stdin or --token-file")
	pf.BoolVar(&a.tokenStdin, "token-stdin", false, "read the Database API bearer token from the first line of stdin")
	pf.StringVar(&a.tokenFile, "token-file", "", "read the Database API bearer token from the first line of a file only its owner can read")
	pf.StringVar(&a.appName, "app", "", "application of the addon, with "+envAPIToken+" (env "+envApp+")")
	pf.StringVar(&a.addon, "addon", "", "addon ID, or its type with --app ("+strings.Join(addonTypes, ", ")+"), with "+envAPIToken+" (env "+envAddon+"; default: the database)")
	pf.StringVar(&a.region, "region", scalingodb.DefaultRegion, "region of the Database API (env "+envRegion+")")
	pf.StringVar(&a.apiURL, "api-url", "", "base URL of another Database API server, such as scalingodb-mock (env "+envAPIURL+")")
	pf.DurationVar(&a.requestTimeout, "request-timeout", defaultRequestTimeout, "the longest one request may take, positive (env "+envRequestTimeout+")")
	pf.BoolVarP(&a.quiet, "quiet", "q", false, "print no progress nor state changes on stderr")
	pf.BoolVarP(&a.verbose, "verbose", "v", false, "print what the settings resolve to, such as the addon ID of --app and --addon")
	pf.BoolVar(&a.noColor, "no-color", false, "print no colour (env "+envNoColor+")")
	a.noColorFlag = pf.Lookup("no-color")

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
	a := &app{io: io}
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
		return ExitOK
	}
	code, msg := describe(ctx, cmd, err)
	line := "scalingodb: " + sanitize(msg)
	if !io.ErrTTY {
		line = time.Now().Format(time.RFC3339) + " " + line // a log read later says when
	}
	fmt.Fprintln(io.Err, line)
	var ce *commandError
	if errors.As(err, &ce) {
		// The help of the group, to choose a command from: on stderr, as
		// stdout is for data.
		fmt.Fprint(io.Err, "\n"+ce.cmd.UsageString())
	}
	return code
}

// ranError marks an error returned by a command's RunE, as opposed to one
// cobra returns while parsing the command line (a usage error).
type ranError struct{ err error }

func (e *ranError) Error() string { return e.err.Error() }
func (e *ranError) Unwrap() error { return e.err }

// markRunErrors wraps the RunE of every command so that describe can tell
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
				return &ranError{err}
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
		return usagef(cmd, "%v", err)
	}
	for n := 0; n < len(args); n++ {
		if check(cmd, args[:n]) == nil {
			return usagef(cmd, "unexpected argument %q for %q", args[n], cmd.CommandPath())
		}
	}
	return usagef(cmd, "missing argument for %q: usage: %s", cmd.CommandPath(), strings.TrimSuffix(cmd.UseLine(), " [flags]"))
}

// commandError is a group given no command or an unknown one: bad usage,
// followed by the group's help.
type commandError struct {
	cmd *cobra.Command
	msg string
}

func (e *commandError) Error() string { return e.msg }

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
		return &commandError{cmd, fmt.Sprintf("missing command for %q: use one of %s", cmd.CommandPath(), strings.Join(names, ", "))}
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's default, set only on the root's own path
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += `; did you mean "` + strings.Join(s, `" or "`) + `"?`
	}
	return &commandError{cmd, msg}
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
						return usagef(c, "unexpected argument %q for %q", args[i], c.CommandPath())
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
			err = usagef(cmd, "invalid --%s %s: a duration must not be negative", f.Name, f.Value)
		}
	})
	return err
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

// color reports whether output may hold colour escapes: --no-color,
// given either way, wins over NO_COLOR (as no-color.org asks of
// command-line arguments).
func (a *app) color() bool {
	if a.noColorFlag != nil && a.noColorFlag.Changed {
		return !a.noColor
	}
	return !a.noColor && a.io.Getenv(envNoColor) == ""
}

// changed reports whether flag was given on the command line.
func changed(cmd *cobra.Command, flag string) bool {
	f := cmd.Flags().Lookup(flag)
	return f != nil && f.Changed
}

// userAgent is the User-Agent of every request of the tool.
func userAgent() string {
	return "scalingodb/" + Version + " (" + runtime.Version() + "; " + runtime.GOOS + "/" + runtime.GOARCH + ")"
}

// endpoint returns the API URL to use (or "") and the region: a flag wins
// over a variable, two flags are bad usage, and of two variables the
// API URL, the more precise, wins.
func (a *app) endpoint(cmd *cobra.Command) (apiURL, region string, err error) {
	switch byRegion, byURL := changed(cmd, "region"), changed(cmd, "api-url"); {
	case byRegion && byURL:
		return "", "", usagef(cmd, "--region and --api-url cannot be used together: give one")
	case byRegion:
		return "", a.region, nil
	case byURL:
		return a.apiURL, a.setting(cmd, "region", envRegion, a.region), nil
	}
	return a.io.Getenv(envAPIURL), a.setting(cmd, "region", envRegion, a.region), nil
}

// timeout returns the request timeout: the flag, else its variable, else
// the default; it must be positive.
func (a *app) timeout(cmd *cobra.Command) (time.Duration, error) {
	if changed(cmd, "request-timeout") {
		if a.requestTimeout <= 0 {
			return 0, usagef(cmd, "invalid --request-timeout %s: it must be positive, such as 30s", a.requestTimeout)
		}
		return a.requestTimeout, nil
	}
	v := a.io.Getenv(envRequestTimeout)
	if v == "" {
		return a.requestTimeout, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, &usageError{fmt.Sprintf("invalid %s %q: use a duration such as 30s or 2m", envRequestTimeout, v)}
	}
	if d <= 0 {
		return 0, &usageError{fmt.Sprintf("invalid %s %s: it must be positive, such as 30s", envRequestTimeout, v)}
	}
	return d, nil
}

// bearer returns the bearer token from --token, --token-stdin or
// --token-file (one at most), else from its variable, or "".
func (a *app) bearer(cmd *cobra.Command) (string, error) {
	n := 0
	for _, f := range []string{"token", "token-stdin", "token-file"} {
		if changed(cmd, f) {
			n++
		}
	}
	switch {
	case n > 1:
		return "", usagef(cmd, "give only one of --token, --token-stdin and --token-file")
	case a.tokenStdin:
		if changed(cmd, "password-stdin") {
			return "", usagef(cmd, "--token-stdin and --password-stdin both read stdin: give the token with %s or --token-file", envToken)
		}
		if a.io.InTTY {
			return "", usagef(cmd, "--token-stdin reads a pipe, not a terminal: pipe the token in, or use --token-file")
		}
		line, _ := bufio.NewReader(io.LimitReader(a.io.In, 64<<10)).ReadString('\n')
		if tok := strings.TrimSpace(line); tok != "" {
			return tok, nil
		}
		return "", usagef(cmd, "--token-stdin: no token on stdin")
	case a.tokenFile != "":
		return readTokenFile(a.tokenFile)
	}
	return a.setting(cmd, "token", envToken, a.token), nil
}

// readTokenFile reads the first line of a token file that only its owner
// can read, as ssh does with its keys.
func readTokenFile(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", &usageError{"cannot read --token-file " + name + ": " + lowerFirst(unwrapAll(err))}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", &usageError{"cannot read --token-file " + name + ": " + lowerFirst(unwrapAll(err))}
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return "", &usageError{fmt.Sprintf("--token-file %s can be read by others (mode %04o): run 'chmod 600 %s'", name, perm, name)}
	}
	line, err := bufio.NewReader(io.LimitReader(f, 64<<10)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", &usageError{"cannot read --token-file " + name + ": " + lowerFirst(unwrapAll(err))}
	}
	tok := strings.TrimSpace(line)
	if tok == "" {
		return "", &usageError{"--token-file " + name + " holds no token"}
	}
	return tok, nil
}

// addonTokens returns the token source that exchanges apiToken for the
// token of an addon of appName, with the tool's settings: the auth and
// main API URLs of the environment, the request timeout, the User-Agent.
func (a *app) addonTokens(apiToken, appName, addon, region string, timeout time.Duration) (*scalingodb.AddonTokenSource, error) {
	return scalingodb.NewAddonTokenSource(scalingodb.AddonTokenConfig{
		APIToken: scalingodb.NewSecret(apiToken), App: appName, AddonID: addon, Region: region,
		AuthURL: a.io.Getenv(envAuthURL), APIURL: a.io.Getenv(envMainAPI),
		HTTPClient: &http.Client{Timeout: timeout}, UserAgent: userAgent(),
	})
}

// clientFor builds the API client from the settings, once.
func (a *app) clientFor(cmd *cobra.Command) (*scalingodb.Client, error) {
	if a.client != nil {
		return a.client, nil
	}
	opts, region, timeout, err := a.baseOptions(cmd)
	if err != nil {
		return nil, err
	}
	token, err := a.bearer(cmd)
	if err != nil {
		return nil, err
	}
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
		ts, err := a.addonTokens(apiToken, appName, addon, region, timeout)
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

// baseOptions returns the client options every client of the tool
// shares (User-Agent, request timeout, server), with the region and the
// timeout they resolve to.
func (a *app) baseOptions(cmd *cobra.Command) ([]scalingodb.Option, string, time.Duration, error) {
	timeout, err := a.timeout(cmd)
	if err != nil {
		return nil, "", 0, err
	}
	opts := []scalingodb.Option{
		scalingodb.WithUserAgent(userAgent()),
		scalingodb.WithHTTPClient(&http.Client{Timeout: timeout}),
	}
	apiURL, region, err := a.endpoint(cmd)
	if err != nil {
		return nil, "", 0, err
	}
	if apiURL != "" {
		opts = append(opts, scalingodb.WithBaseURL(apiURL))
	} else {
		opts = append(opts, scalingodb.WithRegion(region))
	}
	return opts, region, timeout, nil
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

// status prints a line of progress on stderr unless --quiet; without a
// terminal (a log file, a CI job, cron), the line starts with an RFC 3339
// timestamp.
func (a *app) status(format string, args ...any) {
	if a.quiet {
		return
	}
	if !a.io.ErrTTY {
		format = time.Now().Format(time.RFC3339) + " " + format
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
