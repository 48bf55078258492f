// Command scalingodb-mock serves the stateful mock of the Scalingo Database API.
//
//	go run ./cmd/scalingodb-mock -addr 127.0.0.1:8080
//
// It prints the base URL (ending in /api) and the bearer token to use. Flags inject faults (-latency, -error-rate, -rate-limit-rate, -reset-rate,
// -archive-change-rate) and contract mutations (-mutate name,name); -mutate list prints the
// catalogue. -database-token db=token (repeatable) adds a token valid for one database only, like
// the API's addon tokens: on another database it is answered 403. Each is printed at start, on a
// line of its own. -public-url URL makes the links of the answers (download_url, an upgrade's
// Location) start with URL, the API's base URL as clients reach it through a proxy or a TLS
// terminator, instead of the scheme and Host of each request; without it, a request whose Host names
// no reachable host:port gets no link (400 on an upgrade, 500 on an archive link). -h prints every
// flag. -debug-addr 127.0.0.1:0 serves the live heap at /debug/vars on a second listener (off by
// default), for the soak test (scripts/soak).
//
// On SIGTERM or SIGINT it stops accepting connections at once (so that a new run can bind the
// address: clients see refused connections until then), lets the requests in flight, downloads
// included, finish for up to -shutdown-timeout (30s), then exits 0; requests still running then are
// cut and it exits 1, saying how many. A second signal stops it at once. The IDs of what it creates
// are unique across runs; -signing-key KEY or -signing-key-file PATH keeps the download links it
// handed out valid on the next run (without it each run signs them with a random key).
//
// Request bodies over 1 MiB are answered 413. Time limits: -read-header-timeout (10s),
// -read-timeout for a request's body (30s), -write-timeout for each write of an answer (30s; a long
// download capped by -bandwidth goes on as long as the client reads), -idle-timeout for keep-alive
// connections (60s). Zero keeps a default.
//
// Unless GOGC is set, it collects garbage at GOGC=800, under a 512 MiB soft memory limit unless
// GOMEMLIMIT is set: fewer collections keep the tail latency down under load.
package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/mockserver"
)

// gcPercent is the garbage-collection target (GOGC) the command runs with when GOGC is not set (the
// latency benchmark of pkg/mockserver gives the same to both servers it compares). A mock's live heap
// is a few MiB, while net/http leaves about 2 KiB of garbage per request: at Go's default of 100, a
// busy mock collects dozens of times a second, and a collection is what most often puts a request in
// the slowest percent. At 800 it collects about 8 times less often, for some 8 MiB more memory.
const gcPercent = 800

// memoryLimit is the soft memory limit set with gcPercent when GOMEMLIMIT is not set: it makes the
// collector work harder, rather than let the heap grow 9-fold, should the mock's state ever grow
// large.
const memoryLimit = 512 << 20

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
		if os.Getenv("GOMEMLIMIT") == "" {
			debug.SetMemoryLimit(memoryLimit)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second signal gets the default action: the mock stops at once
	}()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "scalingodb-mock:", err)
		os.Exit(1)
	}
}

// run parses args, serves until ctx is done, then shuts down gracefully: it returns a
// *shutdownError when requests in flight had to be cut.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("scalingodb-mock", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	token := fs.String("token", mockserver.DefaultToken, "bearer token the mock accepts")
	seed := fs.Bool("seed", true, "load the demo data set (database my-db-123, my-es-123, my-mysql-123)")
	latency := fs.Duration("latency", 0, "latency added to every request")
	errorRate := fs.Float64("error-rate", 0, "share of requests answered 5xx (0 to 1)")
	rateLimitRate := fs.Float64("rate-limit-rate", 0, "share of requests answered 429 (0 to 1)")
	retryAfter := fs.Int("retry-after", 1, "Retry-After seconds of the injected 429 answers")
	resetRate := fs.Float64("reset-rate", 0, "share of requests whose connection is cut mid-body (0 to 1)")
	archiveChangeRate := fs.Float64("archive-change-rate", 0, "share of archive downloads after which the archive's bytes and ETag change (0 to 1)")
	faultSeed := fs.Int64("fault-seed", 1, "seed of the fault sequence")
	mutate := fs.String("mutate", "", "comma-separated contract mutations to apply ('list' prints them)")
	scheduled := fs.Duration("backup-scheduled", 2*time.Second, "how long a new backup stays scheduled")
	running := fs.Duration("backup-running", 5*time.Second, "how long a backup then stays running")
	opPending := fs.Duration("operation-pending", time.Second, "how long an upgrade, restore or backup restoration stays pending")
	opRunning := fs.Duration("operation-running", 3*time.Second, "how long it then stays running before it finishes")
	bandwidth := fs.Int64("bandwidth", 0, "cap of each download, in bytes per second (0: none)")
	readHeaderTimeout := fs.Duration("read-header-timeout", 10*time.Second, "time allowed to read a request's header")
	readTimeout := fs.Duration("read-timeout", 30*time.Second, "time allowed to read a request's body (a slower body is cut)")
	writeTimeout := fs.Duration("write-timeout", 30*time.Second, "time allowed for each write of an answer (not the whole answer: long downloads go on)")
	idleTimeout := fs.Duration("idle-timeout", 60*time.Second, "time a keep-alive connection may wait for its next request")
	publicURL := fs.String("public-url", "", "`URL` the links of the answers (download_url, an upgrade's Location) start with, for clients that reach the mock through a proxy: the API's base URL there, /api included if the proxy keeps it (default: the scheme and Host of each request)")
	debugAddr := fs.String("debug-addr", "", "`address` of a second listener serving the live heap, goroutines and memstats at /debug/vars, as JSON (default: none)")
	now := fs.String("now", "", "RFC 3339 `instant` the mock's clock starts at, then runs on (default: the real time)")
	shutdownTimeout := fs.Duration("shutdown-timeout", 30*time.Second, "on SIGTERM or SIGINT, how long the requests in flight (downloads included) may take to finish: the mock stops accepting connections at once, so that a new run can bind the address (clients see refused connections until it does), exits 0 once they are done, or cuts those still running after this time and exits 1 (a second signal stops it at once)")
	signingKey := fs.String("signing-key", "", "`key` that signs the download links, in hex or else the string itself, so that the links stay valid on the next run given the same key (default: a random key per run)")
	signingKeyFile := fs.String("signing-key-file", "", "`file` holding the key of -signing-key (blanks around it ignored), to keep it off the command line")
	var scoped databaseTokens
	fs.Var(&scoped, "database-token", "`db=token`: a bearer token valid for database db only (repeatable)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil // -h asked for the usage, which Parse printed: not a failure
		}
		return err
	}
	if *shutdownTimeout <= 0 {
		return fmt.Errorf("-shutdown-timeout %s: must be positive", *shutdownTimeout)
	}
	key, err := signingKeyOf(fs, *signingKey, *signingKeyFile)
	if err != nil {
		return err
	}
	if *mutate == "list" {
		for _, m := range mockserver.Mutations() {
			fmt.Fprintf(stdout, "%-38s %-28s %s\n", m.Name, m.OperationID, m.Description)
		}
		return nil
	}

	ra := *retryAfter
	if ra == 0 {
		ra = -1 // Faults: a negative RetryAfter sends "Retry-After: 0"
	}
	opts := []mockserver.Option{
		mockserver.WithToken(*token),
		mockserver.WithBackupTimings(*scheduled, *running),
		mockserver.WithOperationTimings(*opPending, *opRunning),
		mockserver.WithBandwidthLimit(*bandwidth),
		mockserver.WithFaults(mockserver.Faults{
			Latency: *latency, ErrorRate: *errorRate, RateLimitRate: *rateLimitRate,
			RetryAfter: ra, ResetRate: *resetRate, ArchiveChangeRate: *archiveChangeRate, Seed: *faultSeed,
		}),
		mockserver.WithTimeouts(mockserver.Timeouts{
			ReadHeader: *readHeaderTimeout, Read: *readTimeout, Write: *writeTimeout, Idle: *idleTimeout,
		}),
	}
	if *seed {
		opts = append(opts, mockserver.WithSeed(mockserver.DemoSeed()))
	}
	if *now != "" {
		start, err := time.Parse(time.RFC3339, *now)
		if err != nil {
			return fmt.Errorf("-now: %w", err)
		}
		opts = append(opts, mockserver.WithClock(shiftedClock(time.Until(start))))
	}
	for _, st := range scoped {
		opts = append(opts, mockserver.WithDatabaseToken(st.database, st.token))
	}
	if *mutate != "" {
		opts = append(opts, mockserver.WithMutations(strings.Split(*mutate, ",")...))
	}
	if *publicURL != "" {
		opts = append(opts, mockserver.WithPublicURL(*publicURL))
	}
	if key != nil {
		opts = append(opts, mockserver.WithSigningKey(key))
	}
	srv, err := mockserver.New(opts...)
	if err != nil {
		if pe, ok := errors.AsType[*mockserver.PublicURLError](err); ok {
			return fmt.Errorf("-public-url %q: %s", pe.URL, pe.Reason)
		}
		return err
	}

	var debugLine string
	if *debugAddr != "" {
		da, stopDebug, err := startDebug(*debugAddr)
		if err != nil {
			return fmt.Errorf("-debug-addr: %w", err)
		}
		defer stopDebug()
		debugLine = fmt.Sprintf("scalingodb-mock: debug vars on http://%s%s\n", da, debugVarsPath)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := srv.HTTPServer()
	flight := &inFlight{active: map[net.Conn]bool{}}
	hs.ConnState = flight.track
	line := fmt.Sprintf("scalingodb-mock: serving on http://%s/api  token: %s", ln.Addr(), *token)
	if *seed {
		line += "  database: my-db-123"
	}
	fmt.Fprintln(stdout, line)
	if *publicURL != "" {
		fmt.Fprintf(stdout, "scalingodb-mock: links (download_url, Location) start with %s\n", strings.TrimRight(*publicURL, "/"))
	}
	if debugLine != "" {
		fmt.Fprint(stdout, debugLine) // not an empty write: on a pipe, it waits for a reader
	}
	for _, st := range scoped {
		fmt.Fprintf(stdout, "scalingodb-mock: token for database %s only: %s\n", st.database, st.token)
	}

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintf(stdout, "scalingodb-mock: stopping: no new connections; waiting up to %s for %s in flight\n",
		*shutdownTimeout, requests(flight.count()))
	shutdownCtx, cancel := context.WithTimeout(context.Background(), *shutdownTimeout)
	defer cancel()
	if hs.Shutdown(shutdownCtx) != nil { // the time is up
		cut := flight.count()
		_ = hs.Close()
		<-errc //nolint:errcheck // the serve loop's end: the cut requests are the error
		if cut > 0 {
			return &shutdownError{Timeout: *shutdownTimeout, Cut: cut}
		}
		// Only connections on which no request had begun were left: closing them cuts nothing.
	} else if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(stdout, "scalingodb-mock: stopped")
	return nil
}

// shutdownError tells that requests were still in flight when -shutdown-timeout ran out, and were
// cut.
type shutdownError struct {
	Timeout time.Duration // the -shutdown-timeout that ran out
	Cut     int           // how many requests were cut
}

func (e *shutdownError) Error() string {
	return fmt.Sprintf("-shutdown-timeout %s ran out with %s still in flight: they were cut", e.Timeout, requests(e.Cut))
}

// requests says "1 request" or "n requests".
func requests(n int) string {
	if n == 1 {
		return "1 request"
	}
	return fmt.Sprintf("%d requests", n)
}

// inFlight counts the requests under way: the connections net/http marks active (one request at a
// time on an HTTP/1.1 connection, from its first byte to the end of its answer). Its track method is
// the http.Server's ConnState hook.
type inFlight struct {
	mu     sync.Mutex
	active map[net.Conn]bool
}

func (f *inFlight) track(c net.Conn, state http.ConnState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if state == http.StateActive {
		f.active[c] = true
	} else {
		delete(f.active, c)
	}
}

func (f *inFlight) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.active)
}

// maxKeyFile bounds what -signing-key-file reads.
const maxKeyFile = 4096

// signingKeyOf returns the key of -signing-key or -signing-key-file (at most one of them), nil when
// neither is given. No error repeats the key.
func signingKeyOf(fs *flag.FlagSet, key, file string) ([]byte, error) {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case set["signing-key"] && set["signing-key-file"]:
		return nil, errors.New("-signing-key and -signing-key-file: give one, not both")
	case set["signing-key"]:
		k := parseKey(key)
		if k == nil {
			return nil, errors.New("-signing-key: empty key")
		}
		return k, nil
	case set["signing-key-file"]:
		f, err := os.Open(file)
		if err != nil {
			return nil, fmt.Errorf("-signing-key-file: %w", err)
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
		if err != nil {
			return nil, fmt.Errorf("-signing-key-file: %w", err)
		}
		if len(data) > maxKeyFile {
			return nil, fmt.Errorf("-signing-key-file %s: larger than %d bytes, not a key", file, maxKeyFile)
		}
		k := parseKey(string(data))
		if k == nil {
			return nil, fmt.Errorf("-signing-key-file %s: empty key", file)
		}
		return k, nil
	}
	return nil, nil
}

// parseKey reads a signing key: hex digits (an even number of them) give the bytes they spell,
// anything else is the key itself. Blanks around it are ignored; nil means empty.
func parseKey(s string) []byte {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if k, err := hex.DecodeString(s); err == nil {
		return k
	}
	return []byte(s)
}

// databaseTokens collects the repeatable -database-token flag.
type databaseTokens []databaseToken

type databaseToken struct{ database, token string }

// String lists the tokens as the flag takes them.
func (d *databaseTokens) String() string {
	parts := make([]string, len(*d))
	for i, st := range *d {
		parts[i] = st.database + "=" + st.token
	}
	return strings.Join(parts, ",")
}

// Set adds one db=token pair.
func (d *databaseTokens) Set(v string) error {
	db, token, ok := strings.Cut(v, "=")
	db, token = strings.TrimSpace(db), strings.TrimSpace(token)
	if !ok || db == "" || token == "" {
		return fmt.Errorf("%q is not db=token", v)
	}
	*d = append(*d, databaseToken{database: db, token: token})
	return nil
}

// shiftedClock is the real clock moved by a fixed offset: time runs, from another instant (the one
// the spec's examples are told at, for tools that send them).
type shiftedClock time.Duration

// Now returns the real time plus the offset.
func (c shiftedClock) Now() time.Time { return time.Now().Add(time.Duration(c)) }
