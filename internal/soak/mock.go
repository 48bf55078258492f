package soak

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"syscall"
	"time"
)

// Mock is a scalingodb-mock process started by StartMock.
type Mock struct {
	// PID is the process's ID.
	PID int
	// BaseURL is the API's base URL it printed (http://127.0.0.1:PORT/api).
	BaseURL string
	// VarsURL is the /debug/vars URL it printed for -debug-addr, or "".
	VarsURL string

	cmd     *exec.Cmd
	drained chan struct{}
}

var (
	servingRE = regexp.MustCompile(`serving on (http://127\.0\.0\.1:[0-9]+/api)\b`)
	varsRE    = regexp.MustCompile(`debug vars on (http://127\.0\.0\.1:[0-9]+/debug/vars)\b`)
	// debugFlagRE matches -debug-addr among the mock's arguments, in any of the forms flag takes.
	debugFlagRE = regexp.MustCompile(`^--?debug-addr(=|$)`)
)

// startTimeout bounds the wait for the mock's start lines.
const startTimeout = 30 * time.Second

// StartMock starts the mock binary bin with args, which must include -addr 127.0.0.1:0 (or
// another port of 127.0.0.1) and, for the live heap, -debug-addr 127.0.0.1:0, and waits for the
// lines that give its URLs. Every line the mock prints after them goes to log. The caller must call
// Stop.
func StartMock(ctx context.Context, bin string, args []string, log io.Writer) (*Mock, error) {
	if log == nil {
		log = io.Discard
	}
	// The mock's stderr and its stdout lines reach log from two goroutines.
	log = &lockedWriter{w: log}
	cmd := exec.Command(bin, args...)
	cmd.Stderr = log
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	m := &Mock{PID: cmd.Process.Pid, cmd: cmd, drained: make(chan struct{})}
	lines := make(chan string)
	go func() {
		defer close(m.drained)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	// Once the URLs are known (or the start failed), the lines go on to log: forward must run
	// before Stop, which waits for the end of the output.
	forward := sync.OnceFunc(func() {
		go func() {
			for l := range lines {
				fmt.Fprintln(log, l)
			}
		}()
	})
	defer forward()
	wantVars := false
	for _, a := range args {
		if debugFlagRE.MatchString(a) {
			wantVars = true
		}
	}
	timeout := time.NewTimer(startTimeout)
	defer timeout.Stop()
	for m.BaseURL == "" || (wantVars && m.VarsURL == "") {
		select {
		case l, ok := <-lines:
			if !ok {
				<-m.drained
				err := cmd.Wait()
				return nil, fmt.Errorf("soak: %s exited before printing its URLs: %w", bin, err)
			}
			fmt.Fprintln(log, l)
			if s := servingRE.FindStringSubmatch(l); s != nil {
				m.BaseURL = s[1]
			}
			if s := varsRE.FindStringSubmatch(l); s != nil {
				m.VarsURL = s[1]
			}
		case <-timeout.C:
			forward()
			_ = m.Stop()
			return nil, fmt.Errorf("soak: %s printed no URL on 127.0.0.1 within %v", bin, startTimeout)
		case <-ctx.Done():
			forward()
			_ = m.Stop()
			return nil, ctx.Err()
		}
	}
	return m, nil
}

// stopTimeout is how long Stop waits after SIGTERM before it kills the process.
const stopTimeout = 15 * time.Second

// ErrKilled reports a mock that did not exit within 15 s of SIGTERM and was killed.
var ErrKilled = errors.New("soak: the mock did not stop on SIGTERM and was killed")

// Stop sends SIGTERM to the mock and waits for it to exit; it kills it after 15 s. It returns the
// process's exit error (nil for a clean exit).
func (m *Mock) Stop() error {
	if err := m.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	done := make(chan error, 1)
	go func() {
		<-m.drained // Wait closes the pipe: read it to the end first
		done <- m.cmd.Wait()
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(stopTimeout):
		_ = m.cmd.Process.Kill()
		<-done //nolint:errcheck // killed: its wait error says only that
		return ErrKilled
	}
}

// lockedWriter serialises the writes of several goroutines to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// Write writes p to w, one caller at a time.
func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
