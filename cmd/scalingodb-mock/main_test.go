package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binDir holds the command built once for the tests that run it as a process.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "scalingodb-mock-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var buildOnce = sync.OnceValue(func() error {
	build := exec.Command("go", "build", "-o", filepath.Join(binDir, "scalingodb-mock"), ".")
	build.Stderr = os.Stderr
	return build.Run()
})

// binary returns the path of the command, built on first use.
func binary(t *testing.T) string {
	t.Helper()
	if err := buildOnce(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	return filepath.Join(binDir, "scalingodb-mock")
}

// TestBinary_Help checks that -h prints the usage, every flag included, and exits 0: asking for
// help is not an error.
func TestBinary_Help(t *testing.T) {
	for _, arg := range []string{"-h", "-help", "--help"} {
		cmd := exec.Command(binary(t), arg)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("%s: %v, want exit status 0; output:\n%s", arg, err, out)
		}
		for _, flag := range []string{"-addr", "-archive-change-rate", "-read-header-timeout", "-read-timeout", "-write-timeout", "-idle-timeout"} {
			if !strings.Contains(string(out), flag) {
				t.Errorf("%s: the usage does not name %s:\n%s", arg, flag, out)
			}
		}
	}
	// A wrong flag still fails.
	if err := exec.Command(binary(t), "-no-such-flag").Run(); err == nil {
		t.Error("-no-such-flag: exit status 0, want a failure")
	}
}

// TestBinary builds the command, runs it on port 0, calls it with the printed URL and tokens (the
// main one, a database-scoped one, a wrong one), then stops it with SIGTERM and expects a clean exit.
func TestBinary(t *testing.T) {
	bin := binary(t)
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-token", "secret-token", "-database-token", "my-mysql-123=mysql-token",
		"-idle-timeout", "300ms", "-archive-change-rate", "1")
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

	// The flags reach the server: an idle connection is closed after -idle-timeout, and an archive
	// changes after each download.
	conn, err := net.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(base, "http://"), "/api"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /api/databases/my-db-123 HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer %s\r\n\r\n", token)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET on a raw connection: %v, %v", resp, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
		t.Errorf("idle connection: %v, want it closed (EOF) after -idle-timeout 300ms", err)
	}
	var etags []string
	for range 2 {
		req, _ := http.NewRequest(http.MethodGet, base+"/databases/my-db-123/backups/5bd2c6104ffb090be1ac3ce2/archive", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var link struct {
			DownloadURL string `json:"download_url"`
		}
		err = json.NewDecoder(resp.Body).Decode(&link)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		resp, err = http.Get(link.DownloadURL)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		etags = append(etags, resp.Header.Get("ETag"))
	}
	if etags[0] == "" || etags[0] == etags[1] {
		t.Errorf("ETags %q with -archive-change-rate 1, want two different ones", etags)
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
		{"-archive-change-rate", "1.5", "-addr", "127.0.0.1:0"},
		{"-read-timeout", "-1s", "-addr", "127.0.0.1:0"},
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
				if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
					t.Errorf("run: %v", err)
				}
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

// TestRun_PublicURL checks that -public-url reaches the mock: the links of its answers start with
// the public URL, not with the address it serves on, and the start lines say so.
func TestRun_PublicURL(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-token", "pub-token", "-public-url", "https://proxy.example/mock/api/"}, pw, &discard{})
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		go func() { _, _ = io.Copy(io.Discard, pr) }()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("run: %v", err)
		}
	})
	br := bufio.NewReader(pr)
	line, err := br.ReadString('\n')
	if err != nil {
		t.Fatalf("no start line: %v", err)
	}
	m := regexp.MustCompile(`serving on (http://\S+/api)`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("start line %q has no URL", line)
	}
	if line, err = br.ReadString('\n'); err != nil || !strings.Contains(line, "https://proxy.example/mock/api") {
		t.Errorf("second line %q (%v), want it to give the public URL", line, err)
	}
	req, _ := http.NewRequest(http.MethodGet, m[1]+"/databases/my-db-123/backups/5bd2c6104ffb090be1ac3ce2/archive", nil)
	req.Header.Set("Authorization", "Bearer pub-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var link struct {
		DownloadURL string `json:"download_url"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&link); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("archive link: %d, %v", resp.StatusCode, err)
	}
	want := "https://proxy.example/mock/api/databases/my-db-123/backups/5bd2c6104ffb090be1ac3ce2/download?token="
	if !strings.HasPrefix(link.DownloadURL, want) {
		t.Errorf("download_url %q, want it to start with %q", link.DownloadURL, want)
	}
}

// TestRun_BadPublicURL checks that a -public-url no link can start with stops the command before it
// listens, with an error that names the flag and the problem and repeats no credentials.
func TestRun_BadPublicURL(t *testing.T) {
	tests := []struct{ url, says string }{
		{"proxy.example/api", "http or https"},
		{"ftp://proxy.example/api", "http or https"},
		{"https://proxy.example:99999/api", "outside 1..65535"},
		{"https://proxy.example:port/api", "port"},
		{"https://user:s3cret@proxy.example/api", "userinfo"},
		{"https://proxy.example/api?region=fr", "query"},
		{"https://proxy.example/api#x", "fragment"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			err := run(t.Context(), []string{"-addr", "127.0.0.1:0", "-public-url", tt.url}, &discard{}, &discard{})
			if err == nil {
				t.Fatal("run succeeded, want an error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "-public-url ") || !strings.Contains(msg, tt.says) || strings.Contains(msg, "s3cret") {
				t.Errorf("error %q, want it to start with -public-url, say %q and repeat no password", msg, tt.says)
			}
		})
	}
}
