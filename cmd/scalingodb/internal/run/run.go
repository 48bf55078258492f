// Package run holds the state of one run of scalingodb that every command
// shares: its streams; the global settings, each resolved flag first, then
// its environment variable, then its default; the API client they give;
// and the conventions every command follows (status lines on stderr, -o,
// -y and its confirmation).
package run

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/env"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/exit"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/output"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
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
	// Prompt, when not nil, is where a question whose answer is read from
	// the terminal on stdin is shown: that terminal, when stderr is not
	// one (see PromptTo).
	Prompt io.Writer
	// Getenv reads an environment variable.
	Getenv func(string) string
	// ReadPassword reads one line from the terminal on stdin without echo,
	// until ctx ends (a signal): it then returns ctx's error at once.
	ReadPassword func(ctx context.Context) ([]byte, error)
}

// System returns the IO of the process: os.Stdin, os.Stdout, os.Stderr
// and os.Getenv.
func System() *IO {
	isTTY := func(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
	sys := &IO{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		InTTY: isTTY(os.Stdin), OutTTY: isTTY(os.Stdout), ErrTTY: isTTY(os.Stderr),
		Getenv:       os.Getenv,
		ReadPassword: func(ctx context.Context) ([]byte, error) { return readPassword(ctx, int(os.Stdin.Fd())) },
	}
	if sys.InTTY && !sys.ErrTTY {
		// Stderr goes elsewhere (a file, a pipe): a question asked there
		// would not be seen, and the command would seem to hang. The
		// controlling terminal is the one the user types at.
		if f, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
			sys.Prompt = f
		}
	}
	return sys
}

// PromptTo returns where to ask a question whose answer is read from the
// terminal on stdin: Prompt, else stderr when it is a terminal, else nil
// (no terminal would show it: ask nothing).
func (o *IO) PromptTo() io.Writer {
	switch {
	case o.Prompt != nil:
		return o.Prompt
	case o.ErrTTY:
		return o.Err
	}
	return nil
}

// readPassword reads a line from the terminal fd without echo, until ctx
// ends. term.ReadPassword puts the echo back only when its read returns:
// a process that exits at Ctrl-C before the next line would leave the
// terminal without echo, so the settings of before are put back here.
func readPassword(ctx context.Context, fd int) ([]byte, error) {
	before, err := term.GetState(fd)
	if err != nil {
		return nil, err
	}
	b, err := interruptible(ctx, func() ([]byte, error) { return term.ReadPassword(fd) })
	if ctx.Err() != nil {
		_ = term.Restore(fd, before)
	}
	return b, err
}

// interruptible returns what read returns, or the error of ctx as soon as
// it ends: a read from a terminal waits for a line, and a signal must stop
// the command at once, as it does everywhere else. (The read goes on in
// its goroutine until the process exits.)
func interruptible[T any](ctx context.Context, read func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := read()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// State is what the commands of one run share: the streams, the global
// flags, and the client they resolve to, built once when a command first
// needs it.
type State struct {
	// IO is the streams and the environment of the run.
	IO *IO
	// Version is the version of the tool, for the User-Agent and the
	// manifests of backups sync.
	Version string
	// Quiet (--quiet) prints no progress nor state change; Verbose
	// (--verbose) prints what the settings resolve to.
	Quiet, Verbose bool
	// Client is the API client once built (ClientFor); a test may set it.
	Client *scalingodb.Client

	token, tokenFile, apiURL, region, database, appName, addon string
	tokenStdin, noColor                                        bool
	requestTimeout                                             time.Duration
	resolvedAddon                                              string // the addon ID --addon TYPE named

	// noColorFlag tells whether --no-color was given (see Color).
	noColorFlag *pflag.Flag
}

// AddGlobalFlags declares the settings every command takes on fs (the
// root's persistent flags), bound to s.
func (s *State) AddGlobalFlags(pf *pflag.FlagSet) {
	pf.StringVar(&s.database, "database", "", "database to manage: the ID of the addon (env "+env.Database+")")
	pf.StringVar(&s.token, "token", "", "Database API bearer token (env "+env.Token+"); visible to other users in ps and /proc: prefer the variable, --token-stdin or --token-file")
	pf.BoolVar(&s.tokenStdin, "token-stdin", false, "read the Database API bearer token from the first line of stdin")
	pf.StringVar(&s.tokenFile, "token-file", "", "read the Database API bearer token from the first line of a file only its owner can read")
	pf.StringVar(&s.appName, "app", "", "application of the addon, with "+env.APIToken+" (env "+env.App+")")
	pf.StringVar(&s.addon, "addon", "", "addon ID, or its type with --app ("+strings.Join(AddonTypes, ", ")+"), with "+env.APIToken+" (env "+env.Addon+"; default: the database)")
	pf.StringVar(&s.region, "region", scalingodb.DefaultRegion, "region of the Database API (env "+env.Region+")")
	pf.StringVar(&s.apiURL, "api-url", "", "base URL of another Database API server, such as scalingodb-mock (env "+env.APIURL+")")
	pf.DurationVar(&s.requestTimeout, "request-timeout", defaultRequestTimeout, "the longest one request may take, positive (env "+env.RequestTimeout+")")
	pf.BoolVarP(&s.Quiet, "quiet", "q", false, "print no progress nor state changes on stderr")
	pf.BoolVarP(&s.Verbose, "verbose", "v", false, "print what the settings resolve to, such as the addon ID of --app and --addon")
	pf.BoolVar(&s.noColor, "no-color", false, "print no colour (env "+env.NoColor+")")
	s.noColorFlag = pf.Lookup("no-color")
}

// Setting returns the value of a flag when it was given, else of its
// environment variable, else the flag's default; without the spaces and
// line ends around it, which no token, ID or name holds (a secret read
// from a file often ends with a newline).
func (s *State) Setting(cmd *cobra.Command, flag, variable, value string) string {
	if f := cmd.Flags().Lookup(flag); f != nil && f.Changed {
		return strings.TrimSpace(value)
	}
	if v := strings.TrimSpace(s.IO.Getenv(variable)); v != "" {
		return v
	}
	return strings.TrimSpace(value)
}

// APIToken returns the Scalingo API token of SCALINGO_API_TOKEN, trimmed
// as Setting does, or "".
func (s *State) APIToken() string { return strings.TrimSpace(s.IO.Getenv(env.APIToken)) }

// DatabaseID returns the database to act on, or a usage error naming the
// flag and the variable.
func (s *State) DatabaseID(cmd *cobra.Command) (string, error) {
	if db, ok, err := s.addonDatabase(cmd); ok || err != nil {
		return db, err
	}
	db := s.Setting(cmd, "database", env.Database, s.database)
	if db == "" {
		return "", &exit.UsageError{Msg: "no database given: pass --database or set " + env.Database + " (the ID of the addon)"}
	}
	return db, nil
}

// Color reports whether output may hold colour escapes: --no-color,
// given either way, wins over NO_COLOR (as no-color.org asks of
// command-line arguments).
func (s *State) Color() bool {
	if s.noColorFlag != nil && s.noColorFlag.Changed {
		return !s.noColor
	}
	return !s.noColor && s.IO.Getenv(env.NoColor) == ""
}

// Changed reports whether flag was given on the command line.
func Changed(cmd *cobra.Command, flag string) bool {
	f := cmd.Flags().Lookup(flag)
	return f != nil && f.Changed
}

// UserAgent is the User-Agent of every request of the tool.
func (s *State) UserAgent() string {
	return "scalingodb/" + s.Version + " (" + runtime.Version() + "; " + runtime.GOOS + "/" + runtime.GOARCH + ")"
}

// endpoint returns the API URL to use (or "") and the region: a flag wins
// over a variable, two flags are bad usage, and of two variables the
// API URL, the more precise, wins.
func (s *State) endpoint(cmd *cobra.Command) (apiURL, region string, err error) {
	switch byRegion, byURL := Changed(cmd, "region"), Changed(cmd, "api-url"); {
	case byRegion && byURL:
		return "", "", exit.Usagef(cmd, "--region and --api-url cannot be used together: give one")
	case byRegion:
		return "", s.region, nil
	case byURL:
		return s.apiURL, s.Setting(cmd, "region", env.Region, s.region), nil
	}
	return s.IO.Getenv(env.APIURL), s.Setting(cmd, "region", env.Region, s.region), nil
}

// timeout returns the request timeout: the flag, else its variable, else
// the default; it must be positive.
func (s *State) timeout(cmd *cobra.Command) (time.Duration, error) {
	if Changed(cmd, "request-timeout") {
		if s.requestTimeout <= 0 {
			return 0, exit.Usagef(cmd, "invalid --request-timeout %s: it must be positive, such as 30s", s.requestTimeout)
		}
		return s.requestTimeout, nil
	}
	v := s.IO.Getenv(env.RequestTimeout)
	if v == "" {
		return s.requestTimeout, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, &exit.UsageError{Msg: fmt.Sprintf("invalid %s %q: use a duration such as 30s or 2m", env.RequestTimeout, v)}
	}
	if d <= 0 {
		return 0, &exit.UsageError{Msg: fmt.Sprintf("invalid %s %s: it must be positive, such as 30s", env.RequestTimeout, v)}
	}
	return d, nil
}

// Bearer returns the bearer token from --token, --token-stdin or
// --token-file (one at most), else from its variable, or "". A token with
// a space or a control character inside it is bad usage (see CheckToken).
func (s *State) Bearer(cmd *cobra.Command) (string, error) {
	tok, from, err := s.bearer(cmd)
	if err != nil {
		return "", err
	}
	return tok, CheckToken(tok, from)
}

// bearer returns the bearer token and the setting it comes from.
func (s *State) bearer(cmd *cobra.Command) (tok, from string, err error) {
	n := 0
	for _, f := range []string{"token", "token-stdin", "token-file"} {
		if Changed(cmd, f) {
			n++
		}
	}
	switch {
	case n > 1:
		return "", "", exit.Usagef(cmd, "give only one of --token, --token-stdin and --token-file")
	case s.tokenStdin:
		if Changed(cmd, "password-stdin") {
			return "", "", exit.Usagef(cmd, "--token-stdin and --password-stdin both read stdin: give the token with %s or --token-file", env.Token)
		}
		if s.IO.InTTY {
			return "", "", exit.Usagef(cmd, "--token-stdin reads a pipe, not a terminal: pipe the token in, or use --token-file")
		}
		line, _ := bufio.NewReader(io.LimitReader(s.IO.In, 64<<10)).ReadString('\n')
		if tok := strings.TrimSpace(line); tok != "" {
			return tok, "--token-stdin", nil
		}
		return "", "", exit.Usagef(cmd, "--token-stdin: no token on stdin")
	case s.tokenFile != "":
		tok, err := readTokenFile(s.tokenFile)
		return tok, "--token-file " + s.tokenFile, err
	}
	from = env.Token
	if Changed(cmd, "token") {
		from = "--token"
	}
	return s.Setting(cmd, "token", env.Token, s.token), from, nil
}

// CheckToken refuses a token (from names the setting it comes from) that
// no request can carry, or that cannot be whole: one with a space or a
// control character inside it (a pasted escape sequence, two lines
// joined). Sent, it fails in the transport, before any request, which
// would blame the network. The error does not print the token.
func CheckToken(tok, from string) error {
	for i, r := range tok {
		if r <= ' ' || r == 0x7f || r >= 0x80 && r <= 0x9f {
			return &exit.UsageError{Msg: fmt.Sprintf("the token of %s is malformed: it holds a space or a control character (at byte %d); give the token alone, on one line", from, i)}
		}
	}
	return nil
}

// readTokenFile reads the first line of a token file that only its owner
// can read, as ssh does with its keys.
func readTokenFile(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", &exit.UsageError{Msg: "cannot read --token-file " + name + ": " + exit.LowerFirst(exit.UnwrapAll(err))}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", &exit.UsageError{Msg: "cannot read --token-file " + name + ": " + exit.LowerFirst(exit.UnwrapAll(err))}
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return "", &exit.UsageError{Msg: fmt.Sprintf("--token-file %s can be read by others (mode %04o): run 'chmod 600 %s'", name, perm, name)}
	}
	line, err := bufio.NewReader(io.LimitReader(f, 64<<10)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", &exit.UsageError{Msg: "cannot read --token-file " + name + ": " + exit.LowerFirst(exit.UnwrapAll(err))}
	}
	tok := strings.TrimSpace(line)
	if tok == "" {
		return "", &exit.UsageError{Msg: "--token-file " + name + " holds no token"}
	}
	return tok, nil
}

// addonTokens returns the token source that exchanges apiToken for the
// token of an addon of appName, with the tool's settings: the auth and
// main API URLs of the environment, the request timeout, the User-Agent.
func (s *State) addonTokens(apiToken, appName, addon, region string, timeout time.Duration) (*scalingodb.AddonTokenSource, error) {
	return scalingodb.NewAddonTokenSource(scalingodb.AddonTokenConfig{
		APIToken: scalingodb.NewSecret(apiToken), App: appName, AddonID: addon, Region: region,
		AuthURL: s.IO.Getenv(env.AuthURL), APIURL: s.IO.Getenv(env.MainAPI),
		HTTPClient: &http.Client{Timeout: timeout}, UserAgent: s.UserAgent(),
	})
}

// Clients builds the API clients of a run from its settings: the options
// every client shares and the credentials. With a bearer token, one
// client serves every database; with SCALINGO_API_TOKEN, each addon has
// its client, which exchanges it for the addon's token.
type Clients struct {
	s            *State
	opts         []scalingodb.Option
	region       string
	timeout      time.Duration
	bearer       string
	apiToken     string
	bearerClient *scalingodb.Client
}

// Clients resolves the settings the clients of the run share (see
// baseOptions) and the credentials (see Bearer).
func (s *State) Clients(cmd *cobra.Command) (*Clients, error) {
	opts, region, timeout, err := s.baseOptions(cmd)
	if err != nil {
		return nil, err
	}
	bearer, err := s.Bearer(cmd)
	if err != nil {
		return nil, err
	}
	apiToken := s.APIToken()
	if err := CheckToken(apiToken, env.APIToken); err != nil {
		return nil, err
	}
	return &Clients{s: s, opts: opts, region: region, timeout: timeout, bearer: bearer, apiToken: apiToken}, nil
}

// HasBearer reports whether a bearer token was given: For needs no
// application nor addon then.
func (k *Clients) HasBearer() bool { return k.bearer != "" }

// HasAPIToken reports whether SCALINGO_API_TOKEN is set, for For to
// exchange when no bearer token was given.
func (k *Clients) HasAPIToken() bool { return k.apiToken != "" }

// For returns the client of addon, of the application appName: the
// client of the bearer token (the same for every addon), or else one that
// exchanges SCALINGO_API_TOKEN for the addon's token.
func (k *Clients) For(appName, addon string) (*scalingodb.Client, error) {
	if k.bearer != "" {
		if k.bearerClient == nil {
			c, err := scalingodb.New(append(slices.Clone(k.opts), scalingodb.WithToken(k.bearer))...)
			if err != nil {
				return nil, err
			}
			k.bearerClient = c
		}
		return k.bearerClient, nil
	}
	ts, err := k.s.addonTokens(k.apiToken, appName, addon, k.region, k.timeout)
	if err != nil {
		return nil, err
	}
	return scalingodb.New(append(slices.Clone(k.opts), scalingodb.WithTokenSource(ts))...)
}

// ClientFor builds the API client from the settings, once.
func (s *State) ClientFor(cmd *cobra.Command) (*scalingodb.Client, error) {
	if s.Client != nil {
		return s.Client, nil
	}
	clients, err := s.Clients(cmd)
	if err != nil {
		return nil, err
	}
	var appName, addon string
	switch {
	case clients.HasBearer():
	case clients.HasAPIToken():
		appName = s.Setting(cmd, "app", env.App, s.appName)
		if appName == "" {
			return nil, &exit.UsageError{Msg: "no application given for " + env.APIToken + ": pass --app or set " + env.App}
		}
		if addon, err = s.addonID(cmd); err != nil {
			return nil, err
		}
		if addon == "" {
			addon = s.Setting(cmd, "database", env.Database, s.database)
		}
		if addon == "" {
			return nil, &exit.UsageError{Msg: "no addon given for " + env.APIToken + ": pass --addon or --database, or set " + env.Addon}
		}
	default:
		return nil, &exit.UsageError{Msg: "no credentials: pass --token or set " + env.Token + ", or set " + env.APIToken + " with --app"}
	}
	c, err := clients.For(appName, addon)
	if err != nil {
		return nil, err
	}
	s.Client = c
	return c, nil
}

// baseOptions returns the client options every client of the tool
// shares (User-Agent, request timeout, server), with the region and the
// timeout they resolve to.
func (s *State) baseOptions(cmd *cobra.Command) ([]scalingodb.Option, string, time.Duration, error) {
	timeout, err := s.timeout(cmd)
	if err != nil {
		return nil, "", 0, err
	}
	opts := []scalingodb.Option{
		scalingodb.WithUserAgent(s.UserAgent()),
		scalingodb.WithHTTPClient(&http.Client{Timeout: timeout}),
	}
	apiURL, region, err := s.endpoint(cmd)
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

// FormatTarget checks the output format, then resolves the client and the database, so that a
// bad -o fails before any setting is read or any request is sent.
func (s *State) FormatTarget(cmd *cobra.Command, format string) (*scalingodb.Client, string, error) {
	if err := CheckFormat(cmd, format); err != nil {
		return nil, "", err
	}
	return s.Target(cmd)
}

// FormatClient checks the -o format, then builds the client: the prologue of
// the commands on resources not under a database (a backup by its ID).
func (s *State) FormatClient(cmd *cobra.Command, format string) (*scalingodb.Client, error) {
	if err := CheckFormat(cmd, format); err != nil {
		return nil, err
	}
	return s.ClientFor(cmd)
}

// Target returns the client and the database for a command that acts on a database.
func (s *State) Target(cmd *cobra.Command) (*scalingodb.Client, string, error) {
	db, err := s.DatabaseID(cmd)
	if err != nil {
		return nil, "", err
	}
	c, err := s.ClientFor(cmd)
	if err != nil {
		return nil, "", err
	}
	return c, db, nil
}

// Status prints a line of progress on stderr unless --quiet; without a
// terminal (a log file, a CI job, cron), the line starts with an RFC 3339
// timestamp.
func (s *State) Status(format string, args ...any) {
	if s.Quiet {
		return
	}
	if !s.IO.ErrTTY {
		format = time.Now().Format(time.RFC3339) + " " + format
	}
	fmt.Fprintln(s.IO.Err, output.Sanitize(fmt.Sprintf(format, args...)))
}
