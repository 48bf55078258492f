// Package loadgen drives an HTTP/1.1 server with a fixed number of closed-loop clients and reports
// the latency percentiles and throughput it saw, in the manner of wrk: each client owns one
// keep-alive connection and sends its next request as soon as it has read the previous answer.
//
// It exists for the mock's benchmarks, which run it in a process of their own so that the clients'
// work never pauses the server being measured. Requests are sent as prepared bytes and answers are
// read with a minimal parser (status line, Content-Length, body), so that the generator costs the
// machine far less than the server it measures.
package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Spec says what to measure.
type Spec struct {
	// Addr is the server's host:port.
	Addr string
	// Request is the raw HTTP/1.1 request sent on every round, headers and final CRLF included.
	// It must keep the connection open and ask for an answer with a Content-Length.
	Request string
	// Conns is the number of concurrent clients.
	Conns int
	// Warmup is how long the clients run before their latencies count.
	Warmup time.Duration
	// Duration is the length of the measured window that follows.
	Duration time.Duration
}

// Result summarises the requests that started inside the measured window.
type Result struct {
	Requests int           // requests that started in the window and completed
	Window   time.Duration // length of the window

	// Latency percentiles, from writing a request to reading the last byte of its answer.
	P50  time.Duration
	P90  time.Duration
	P99  time.Duration
	P999 time.Duration // the 99.9th
	Max  time.Duration
}

// Throughput is the number of requests per second over the window.
func (r Result) Throughput() float64 {
	if r.Window <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Window.Seconds()
}

// StatusError reports an answer whose status was not 200.
type StatusError struct {
	StatusLine string // the answer's status line, without its line ending
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("loadgen: answer %q, want 200", e.StatusLine)
}

// ErrNoContentLength reports an answer that has no Content-Length: the parser cannot find its end.
var ErrNoContentLength = errors.New("loadgen: answer without Content-Length")

// Run opens spec.Conns connections to spec.Addr and keeps one request in flight on each until the
// warm-up and the measured window have passed, or ctx is done. Any failure — a refused
// connection, an answer other than 200, a malformed answer — ends the run with an error.
func Run(ctx context.Context, spec Spec) (Result, error) {
	if spec.Conns < 1 || spec.Duration <= 0 || spec.Warmup < 0 {
		return Result{}, fmt.Errorf("loadgen: invalid spec: %d conns, %v warm-up, %v window", spec.Conns, spec.Warmup, spec.Duration)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	from, until := start.Add(spec.Warmup), start.Add(spec.Warmup+spec.Duration)
	lats := make([][]time.Duration, spec.Conns)
	errs := make([]error, spec.Conns)
	var wg sync.WaitGroup
	for i := range spec.Conns {
		wg.Go(func() {
			lats[i], errs[i] = client(ctx, spec.Addr, []byte(spec.Request), from, until)
			if errs[i] != nil {
				cancel() // one failure ends the run
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	all := slices.Concat(lats...)
	if len(all) == 0 {
		return Result{}, errors.New("loadgen: no request completed in the measured window")
	}
	slices.Sort(all)
	at := func(q float64) time.Duration { return all[min(len(all)-1, int(q*float64(len(all))))] }
	return Result{
		Requests: len(all), Window: spec.Duration,
		P50: at(0.50), P90: at(0.90), P99: at(0.99), P999: at(0.999), Max: all[len(all)-1],
	}, nil
}

// client runs one connection's closed loop and returns the latencies of the requests it started
// inside [from, until).
func client(ctx context.Context, addr string, req []byte, from, until time.Time) ([]time.Duration, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Now()) })
	defer stop()
	br := bufio.NewReaderSize(c, 32<<10)
	lats := make([]time.Duration, 0, 1<<12)
	for {
		t0 := time.Now()
		if !t0.Before(until) {
			return lats, nil
		}
		if _, err := c.Write(req); err != nil {
			return nil, err
		}
		if err := readResponse(br); err != nil {
			return nil, err
		}
		if !t0.Before(from) {
			lats = append(lats, time.Since(t0))
		}
	}
}

// readResponse reads one answer, which must be a 200 with a Content-Length, and discards its body.
func readResponse(br *bufio.Reader) error {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return err
	}
	status := bytes.TrimRight(line, "\r\n")
	if !bytes.HasPrefix(status, []byte("HTTP/1.1 200 ")) && !bytes.Equal(status, []byte("HTTP/1.1 200")) {
		return &StatusError{StatusLine: string(status)}
	}
	length := -1
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			return err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if ok && bytes.EqualFold(name, []byte("Content-Length")) {
			n, err := strconv.Atoi(string(bytes.TrimSpace(value)))
			if err != nil || n < 0 {
				return fmt.Errorf("loadgen: bad Content-Length %q", value)
			}
			length = n
		}
	}
	if length < 0 {
		return ErrNoContentLength
	}
	_, err = br.Discard(length)
	return err
}

// EnvSpec names the environment variable through which RunProcess hands a Spec, as JSON, to the
// process it starts.
const EnvSpec = "LOADGEN_SPEC"

// RunProcess runs spec in the process cmd describes and returns its Result. cmd must start a
// program that calls Child first thing (a test binary, from its TestMain); RunProcess adds EnvSpec
// to cmd.Env (the current environment when cmd.Env is nil) and reads the Result from its stdout.
func RunProcess(cmd *exec.Cmd, spec Spec) (Result, error) {
	raw, err := json.Marshal(spec)
	if err != nil {
		return Result{}, err
	}
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, EnvSpec+"="+string(raw))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return Result{}, fmt.Errorf("loadgen: %s: %w: %s", cmd.Path, err, bytes.TrimSpace(stderr.Bytes()))
	}
	var res Result
	if err := json.Unmarshal(out, &res); err != nil {
		return Result{}, fmt.Errorf("loadgen: output %q: %w", out, err)
	}
	return res, nil
}

// Child runs the Spec that RunProcess put in the environment, prints its Result as JSON on stdout
// and returns the process's exit code, with ok true. Without EnvSpec it does nothing and returns
// ok false: the program goes on as usual.
func Child() (code int, ok bool) {
	raw := os.Getenv(EnvSpec)
	if raw == "" {
		return 0, false
	}
	var spec Spec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen: spec:", err)
		return 2, true
	}
	res, err := Run(context.Background(), spec)
	if err == nil {
		err = json.NewEncoder(os.Stdout).Encode(res)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1, true
	}
	return 0, true
}
