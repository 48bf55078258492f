package main

import (
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// onTerminal runs cmd with a pseudo-terminal as stdin, stdout and stderr,
// types each of input when the output holds its prompt, and returns
// everything the terminal showed.
func onTerminal(t *testing.T, cmd *exec.Cmd, input ...[2]string) (string, error) {
	t.Helper()
	return onTerminalSized(t, 120, cmd, input...)
}

// onTerminalSized is onTerminal on a terminal of cols columns.
func onTerminalSized(t *testing.T, cols uint16, cmd *exec.Cmd, input ...[2]string) (string, error) {
	t.Helper()
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: cols})
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	var out lockedBuffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = io.Copy(&out, tty) // ends with EIO once the process exits
	}()
	seen := 0
	for _, in := range input {
		deadline := time.Now().Add(10 * time.Second)
		for {
			text := out.String()
			if i := strings.Index(text[seen:], in[0]); i >= 0 {
				seen += i + len(in[0])
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no prompt %q in %q", in[0], text)
			}
			time.Sleep(10 * time.Millisecond)
		}
		// The tool prints a prompt, then turns echo off: typing at once
		// could beat it, as no one types, and the text would be echoed.
		time.Sleep(200 * time.Millisecond)
		if _, err := io.WriteString(tty, in[1]+"\r"); err != nil {
			t.Fatal(err)
		}
	}
	err = cmd.Wait()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the terminal output did not end")
	}
	return out.String(), err
}

// lockedBuffer is a bytes.Buffer safe for one writer and one reader.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestPasswordPrompt_NoEcho types a password at the prompt of users update:
// it is asked twice on the terminal, never echoed, and set.
func TestPasswordPrompt_NoEcho(t *testing.T) {
	mock := startMock(t, 1<<20)
	const secret = "typed-secret-password-0123456789"
	out, err := onTerminal(t, runCLI(t, mock.base, "users", "update", "reporting"),
		[2]string{"Password: ", secret}, [2]string{"Password again: ", secret})
	if err != nil {
		t.Fatalf("users update: %v: %q", err, out)
	}
	if strings.Contains(out, secret) {
		t.Errorf("the password was echoed: %q", out)
	}
	if !strings.Contains(out, "reporting  false      updated") {
		t.Errorf("no confirmation in %q", out)
	}

	// Two different answers: nothing is sent, exit code 2.
	out, err = onTerminal(t, runCLI(t, mock.base, "users", "update", "reporting"),
		[2]string{"Password: ", secret}, [2]string{"Password again: ", secret + "x"})
	if exitCode(err) != 2 || !strings.Contains(out, "the two passwords differ") {
		t.Errorf("different answers: %v: %q", err, out)
	}
}

// TestColor_Terminal checks that a table on a terminal has a bold header,
// unless NO_COLOR or --no-color says otherwise.
func TestColor_Terminal(t *testing.T) {
	mock := startMock(t, 1<<20)
	for _, tc := range []struct {
		name  string
		env   []string
		args  []string
		color bool
	}{
		{"default", nil, nil, true},
		{"NO_COLOR", []string{"NO_COLOR=1"}, nil, false},
		{"--no-color", nil, []string{"--no-color"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := runCLI(t, mock.base, append([]string{"users", "list"}, tc.args...)...)
			cmd.Env = append(cmd.Env, tc.env...)
			out, err := onTerminal(t, cmd)
			if err != nil {
				t.Fatalf("users list: %v: %q", err, out)
			}
			if got := strings.Contains(out, "\x1b[1mNAME"); got != tc.color {
				t.Errorf("bold header: %t, want %t: %q", got, tc.color, out)
			}
			if !tc.color && strings.Contains(out, "\x1b") {
				t.Errorf("an escape sequence without colour: %q", out)
			}
		})
	}
}

// TestPasswordPrompt_CreateEmpty leaves the prompt of users create empty:
// the API generates the password, printed once.
func TestPasswordPrompt_CreateEmpty(t *testing.T) {
	mock := startMock(t, 1<<20)
	out, err := onTerminal(t, runCLI(t, mock.base, "users", "create", "ptyuser1", "--no-color"),
		[2]string{"Password (empty: the API generates one): ", ""})
	if err != nil {
		t.Fatalf("users create: %v: %q", err, out)
	}
	if !regexp.MustCompile(`ptyuser1 +false +\S{24,64}\r\n`).MatchString(out) {
		t.Errorf("no generated password in %q", out)
	}
}

// TestWait_Interrupt sends SIGINT (Ctrl-C) to a wait: it stops at once
// with exit code 130 and says so in one line, with the command that waits
// for the backup again.
func TestWait_Interrupt(t *testing.T) {
	mock := startMock(t, 1<<20)
	cmd := runCLI(t, mock.base, "backups", "wait", "5bde44904ffb096c714be89d", "--poll-interval", "20ms")
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	err := interruptWhen(t, cmd, 10*time.Second, func() string { return fmt.Sprintf("the wait did not start: %q", stderr.String()) },
		func() bool { return strings.Contains(stderr.String(), "scheduled") })
	if exitCode(err) != 130 {
		t.Fatalf("exit: %v, want code 130; stderr: %q", err, stderr.String())
	}
	// (a status line without a terminal starts with a timestamp)
	want := regexp.MustCompile(`^\S+ backup 5bde44904ffb096c714be89d: scheduled\n\S+ scalingodb: interrupted; backup 5bde44904ffb096c714be89d goes on: run 'scalingodb backups wait 5bde44904ffb096c714be89d' to wait again\n$`)
	if got := stderr.String(); !want.MatchString(got) {
		t.Errorf("stderr %q, want %q", got, want)
	}
}

// TestPasswordPrompt_CreateTypedNotPrinted types the password of a new
// user at the no-echo prompt: it is never printed back (only a password
// the API or the tool generated is shown, once).
func TestPasswordPrompt_CreateTypedNotPrinted(t *testing.T) {
	mock := startMock(t, 1<<20)
	const secret = "typed-secret-password-0123456789"
	out, err := onTerminal(t, runCLI(t, mock.base, "users", "create", "ptyuser2", "--no-color"),
		[2]string{"Password (empty: the API generates one): ", secret}, [2]string{"Password again: ", secret})
	if err != nil {
		t.Fatalf("users create: %v: %q", err, out)
	}
	if strings.Contains(out, secret) {
		t.Errorf("the typed password was printed back: %q", out)
	}
	if !regexp.MustCompile(`ptyuser2 +false +set\r\n`).MatchString(out) {
		t.Errorf("no confirmation in %q", out)
	}
}
