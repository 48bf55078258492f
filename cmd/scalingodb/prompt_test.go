package main

import (
	"io"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// TestPrompt_Interrupt presses Ctrl-C at the prompts of a terminal: the
// no-echo password prompt and the confirmation of an irreversible
// command. The command stops at once with exit code 130, as everywhere
// else, rather than wait for a line (a second Ctrl-C then killed it, and
// at the password prompt left the terminal without echo); and the
// terminal has its echo back.
func TestPrompt_Interrupt(t *testing.T) {
	mock := startMock(t, 1<<20)
	for _, tc := range []struct {
		name, prompt string
		args         []string
	}{
		{"password", "Password: ", []string{"users", "update", "reporting"}},
		{"password again", "Password again: ", []string{"users", "update", "reporting"}},
		{"confirmation", "[y/N] ", []string{"users", "delete", "reporting"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ptmx, tty, err := pty.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer ptmx.Close()
			defer tty.Close()
			if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 120}); err != nil {
				t.Fatal(err)
			}
			cmd := runCLI(t, mock.base, tc.args...)
			cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
			// The terminal's Ctrl-C signals the foreground process group
			// of its session: the command's own.
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
			var out lockedBuffer
			go func() { _, _ = io.Copy(&out, ptmx) }()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			answers := []string{}
			if tc.prompt == "Password again: " {
				answers = append(answers, "Password: ", "typed-secret-password-0123456789")
			}
			waitFor := func(prompt string) {
				for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), prompt); time.Sleep(10 * time.Millisecond) {
					if time.Now().After(deadline) {
						_ = cmd.Process.Kill()
						t.Logf("killed: %v", <-done)
						t.Fatalf("no prompt %q in %q", prompt, out.String())
					}
				}
				time.Sleep(200 * time.Millisecond) // echo goes off after the prompt
			}
			for i := 0; i < len(answers); i += 2 {
				waitFor(answers[i])
				if _, err := io.WriteString(ptmx, answers[i+1]+"\r"); err != nil {
					t.Fatal(err)
				}
			}
			waitFor(tc.prompt)
			if _, err := ptmx.Write([]byte{3}); err != nil { // Ctrl-C
				t.Fatal(err)
			}
			select {
			case err = <-done:
			case <-time.After(5 * time.Second):
				_ = cmd.Process.Kill()
				t.Logf("killed: %v", <-done)
				t.Fatalf("Ctrl-C at the prompt did not stop the command: %q", out.String())
			}
			if exitCode(err) != 130 {
				t.Errorf("exit: %v, want code 130; terminal: %q", err, out.String())
			}
			// The last bytes may still be on their way from the terminal.
			for deadline := time.Now().Add(5 * time.Second); !strings.Contains(out.String(), "scalingodb: interrupted"); time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Errorf("no interruption said in %q", out.String())
					break
				}
			}
			stty := exec.Command("stty", "-a")
			stty.Stdin = tty
			settings, err := stty.Output()
			if err != nil {
				t.Fatal(err)
			}
			if regexp.MustCompile(`(^|\s)-echo(\s|$)`).Match(settings) {
				t.Errorf("the terminal was left without echo: %s", settings)
			}
		})
	}
}

// TestPasswordShownWhole prints the passwords shown once (reset-password,
// a generated one) on a terminal narrower than their table: the table is
// not cut to the terminal's width, which would show the password cut
// with "…" and lose it (it is never shown again); the line wraps instead.
func TestPasswordShownWhole(t *testing.T) {
	mock := startMock(t, 1<<20)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"reset-password", []string{"users", "reset-password", "reporting", "--no-color"}},
		{"generated", []string{"users", "create", "narrow01", "--generate-password", "--no-color"}},
		{"generated update", []string{"users", "update", "metabase", "--generate-password", "--no-color"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := onTerminalSized(t, 30, runCLI(t, mock.base, tc.args...))
			if err != nil {
				t.Fatalf("%v: %q", err, out)
			}
			row := regexp.MustCompile(`(?m)^\S+ +(true|false) +(\S+)\r$`).FindStringSubmatch(out)
			if row == nil {
				t.Fatalf("no row in %q", out)
			}
			if pw := row[2]; strings.Contains(pw, "…") || len(pw) < 24 {
				t.Errorf("the password is cut: %q in %q", pw, out)
			}
		})
	}
}

// TestPrompt_StderrNotTerminal answers the prompts of a terminal on stdin
// while stderr goes to a file: each question shows on the terminal the
// answer is typed at (it went to stderr, where no one saw it, and the
// command seemed to hang), and not in the file.
func TestPrompt_StderrNotTerminal(t *testing.T) {
	const pw = "typed-secret-password-0123456789"
	for _, tc := range []struct {
		name  string
		args  []string
		input [][2]string
	}{
		{"confirmation", []string{"users", "delete", "reporting"}, [][2]string{{"[y/N] ", "y"}}},
		{"password", []string{"users", "update", "reporting"}, [][2]string{{"Password: ", pw}, {"Password again: ", pw}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := runCLI(t, startMock(t, 1<<20).base, tc.args...)
			var stderr lockedBuffer
			cmd.Stderr = &stderr
			shown, err := onTerminal(t, cmd, tc.input...)
			if err != nil {
				t.Fatalf("%v; terminal: %q; stderr: %q", err, shown, stderr.String())
			}
			if strings.Contains(stderr.String(), tc.input[0][0]) {
				t.Errorf("the prompt went to stderr too: %q", stderr.String())
			}
			if strings.Contains(shown, pw) {
				t.Errorf("the terminal showed the password: %q", shown)
			}
		})
	}
}
