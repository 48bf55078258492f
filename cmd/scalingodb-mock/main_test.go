package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBinary builds the command, runs it on port 0, calls it with the printed URL and tokens (the
// main one, a database-scoped one, a wrong one), then stops it with SIGTERM and expects a clean exit.
func TestBinary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "scalingodb-mock")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-token", "secret-token", "-database-token", "my-mysql-123=mysql-token")
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

	if !lines.Scan() {
		t.Fatalf("no line for the database token: %v", lines.Err())
	}
	m = regexp.MustCompile(`token for database (\S+) only: (\S+)$`).FindStringSubmatch(lines.Text())
	if m == nil || m[1] != "my-mysql-123" || m[2] != "mysql-token" {
		t.Fatalf("database token line %q, want my-mysql-123 and mysql-token", lines.Text())
	}
	scoped := m[2]

	for _, tc := range []struct {
		token, db string
		want      int
	}{
		{token, "my-db-123", http.StatusOK},
		{scoped, "my-mysql-123", http.StatusOK},
		{scoped, "my-db-123", http.StatusForbidden},
		{"wrong", "my-db-123", http.StatusUnauthorized},
	} {
		req, _ := http.NewRequest(http.MethodGet, base+"/databases/"+tc.db+"/users", nil)
		req.Header.Set("Authorization", "Bearer "+tc.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("token %q on %s: status %d, want %d", tc.token, tc.db, resp.StatusCode, tc.want)
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
	for _, args := range [][]string{
		{"-mutate", "no-such-mutation", "-addr", "127.0.0.1:0"},
		{"-error-rate", "2", "-addr", "127.0.0.1:0"},
		{"-nope"},
		{"-database-token", "my-db-123", "-addr", "127.0.0.1:0"},
		{"-database-token", "=token", "-addr", "127.0.0.1:0"},
		{"-database-token", "my-db-123=", "-addr", "127.0.0.1:0"},
		{"-database-token", "my-db-123=mock-token", "-addr", "127.0.0.1:0"}, // the default main token
		{"-now", "yesterday", "-addr", "127.0.0.1:0"},
	} {
		if err := run(t.Context(), args, os.Stdout, &discard{}); err == nil {
			t.Errorf("run(%q) succeeded, want an error", args)
		}
	}
}

type discard struct{}

func (*discard) Write(p []byte) (int, error) { return len(p), nil }

// TestRun_Now checks that -now starts the mock's clock at the given instant: a point-in-time
// restore to the evening before is inside the recovery window with it, and outside without it.
func TestRun_Now(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"clock at the examples' instant", []string{"-now", "2019-07-19T10:00:00Z"}, http.StatusCreated},
		{"real clock", nil, http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			pr, pw := io.Pipe()
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, append([]string{"-addr", "127.0.0.1:0", "-token", "now-token"}, tt.args...), pw, &discard{})
				pw.Close()
			}()
			t.Cleanup(func() {
				cancel()
				go func() { _, _ = io.Copy(io.Discard, pr) }()
				<-done
			})
			line, err := bufio.NewReader(pr).ReadString('\n')
			if err != nil {
				t.Fatalf("no start line: %v", err)
			}
			m := regexp.MustCompile(`serving on (http://\S+/api)`).FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("start line %q has no URL", line)
			}
			req, _ := http.NewRequest(http.MethodPost, m[1]+"/databases/my-db-123/pitr/restore", strings.NewReader(`{"restore_time":"2019-07-18T23:00:00Z"}`))
			req.Header.Set("Authorization", "Bearer now-token")
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("restore to 2019-07-18T23:00:00Z answered %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}
