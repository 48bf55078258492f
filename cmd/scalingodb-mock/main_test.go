package main

import (
	"bufio"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"
)

// TestBinary builds the command, runs it on port 0, calls it with the printed URL and token, then
// stops it with SIGTERM and expects a clean exit.
func TestBinary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "scalingodb-mock")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-token", "secret-token")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	lines := bufio.NewScanner(out)
	if !lines.Scan() {
		t.Fatalf("no start line: %v", lines.Err())
	}
	m := regexp.MustCompile(`serving on (http://127\.0\.0\.1:(\d+)/api)\s+token: (\S+)`).FindStringSubmatch(lines.Text())
	if m == nil || m[2] == "0" {
		t.Fatalf("start line %q does not give the real URL and token", lines.Text())
	}
	base, token := m[1], m[3]
	if token != "secret-token" {
		t.Fatalf("printed token %q, want secret-token", token)
	}

	for _, tc := range []struct {
		token string
		want  int
	}{{token, http.StatusOK}, {"wrong", http.StatusUnauthorized}} {
		req, _ := http.NewRequest(http.MethodGet, base+"/databases/my-db-123/users", nil)
		req.Header.Set("Authorization", "Bearer "+tc.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("token %q: status %d, want %d", tc.token, resp.StatusCode, tc.want)
		}
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		for lines.Scan() { // drain stdout before Wait, as StdoutPipe requires
		}
		done <- cmd.Wait()
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the server did not stop after SIGTERM")
	}
}

func TestRun_BadFlags(t *testing.T) {
	for _, args := range [][]string{{"-mutate", "no-such-mutation", "-addr", "127.0.0.1:0"}, {"-error-rate", "2", "-addr", "127.0.0.1:0"}, {"-nope"}} {
		if err := run(t.Context(), args, os.Stdout, &discard{}); err == nil {
			t.Errorf("run(%q) succeeded, want an error", args)
		}
	}
}

type discard struct{}

func (*discard) Write(p []byte) (int, error) { return len(p), nil }
