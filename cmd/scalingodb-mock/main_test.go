package main

import (
	"bufio"
	"bytes"
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

	"github.com/scalingodb/dbapi-go/pkg/mockserver"
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
		for _, flag := range []string{"-addr", "-archive-change-rate", "-read-header-timeout", "-read-timeout", "-write-timeout", "-idle-timeout", "-shutdown-timeout", "-signing-key", "-signing-key-file"} {
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
	p := startMock(t, "-token", "secret-token", "-database-token", "my-mysql-123=mysql-token",
		"-idle-timeout", "300ms", "-archive-change-rate", "1")
	m := regexp.MustCompile(`serving on (http://127\.0\.0\.1:(\d+)/api)\s+token: (\S+)`).FindStringSubmatch(p.startLine)
	if m == nil || m[2] == "0" {
		t.Fatalf("start line %q does not give the real URL and token", p.startLine)
	}
	base, token := m[1], m[3]
	if token != "secret-token" {
		t.Fatalf("printed token %q, want secret-token", token)
	}

	m = p.waitFor(t, regexp.MustCompile(`^[^\n]*token for database (\S+) only: (\S+)\n`))
	if m[1] != "my-mysql-123" || m[2] != "mysql-token" {
		t.Fatalf("database token line %q, want my-mysql-123 and mysql-token", m[0])
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
		if status, _ := do(t, req); status != tc.want {
			t.Errorf("token %q on %s: status %d, want %d", tc.token, tc.db, status, tc.want)
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

	if code, _, stderr := p.stop(t); code != 0 {
		t.Fatalf("exit status %d after SIGTERM; stderr:\n%s", code, stderr)
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
		{"-shutdown-timeout", "0", "-addr", "127.0.0.1:0"},
		{"-shutdown-timeout", "-1s", "-addr", "127.0.0.1:0"},
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
			base, _ := servingURL(t, bufio.NewReader(runInProcess(t, append([]string{"-token", "now-token"}, tt.args...)...)))
			req, _ := http.NewRequest(http.MethodPost, base+"/databases/my-db-123/pitr/restore", strings.NewReader(`{"restore_time":"2019-07-18T23:00:00Z"}`))
			req.Header.Set("Authorization", "Bearer now-token")
			req.Header.Set("Content-Type", "application/json")
			if status, body := do(t, req); status != tt.want {
				t.Errorf("restore to 2019-07-18T23:00:00Z answered %d %.200s, want %d", status, body, tt.want)
			}
		})
	}
}

// TestRun_PublicURL checks that -public-url reaches the mock: the links of its answers start with
// the public URL, not with the address it serves on, and the start lines say so.
func TestRun_PublicURL(t *testing.T) {
	br := bufio.NewReader(runInProcess(t, "-token", "pub-token", "-public-url", "https://proxy.example/mock/api/"))
	base, _ := servingURL(t, br)
	if line, err := br.ReadString('\n'); err != nil || !strings.Contains(line, "https://proxy.example/mock/api") {
		t.Errorf("second line %q (%v), want it to give the public URL", line, err)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/databases/my-db-123/backups/5bd2c6104ffb090be1ac3ce2/archive", nil)
	req.Header.Set("Authorization", "Bearer pub-token")
	status, body := do(t, req)
	var link struct {
		DownloadURL string `json:"download_url"`
	}
	if err := json.Unmarshal(body, &link); err != nil || status != http.StatusOK {
		t.Fatalf("archive link: %d, %v", status, err)
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

// mockProcess is the command run as a child process, on port 0, until stop.
type mockProcess struct {
	cmd       *exec.Cmd
	base      string // ends in /api
	startLine string
	stdout    *syncBuffer
	stderr    *syncBuffer
	done      chan error // the result of Wait, once stdout is drained
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader in two goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// startMock runs the command with args (plus -addr 127.0.0.1:0 and -token restart-token) and waits
// for its start line. The process is killed at the end of the test if it still runs.
func startMock(t *testing.T, args ...string) *mockProcess {
	t.Helper()
	p := &mockProcess{stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(binary(t), append([]string{"-addr", "127.0.0.1:0", "-token", "restart-token"}, args...)...)
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.cmd.Process.Kill() })
	br := bufio.NewReader(out)
	p.base, p.startLine = servingURL(t, br, "stderr: ", p.stderr)
	go func() {
		_, _ = io.Copy(p.stdout, br) // drain stdout before Wait, as StdoutPipe requires
		p.done <- p.cmd.Wait()
	}()
	return p
}

// stop sends SIGTERM and returns the exit status and what the process printed after its start line.
func (p *mockProcess) stop(t *testing.T) (code int, stdout, stderr string) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	return p.wait(t)
}

// wait waits for the process to exit, at most 20 s.
func (p *mockProcess) wait(t *testing.T) (code int, stdout, stderr string) {
	t.Helper()
	select {
	case err := <-p.done:
		code = 0
		if ee, ok := errors.AsType[*exec.ExitError](err); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("wait: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the mock did not exit; stderr: %s", p.stderr)
	}
	return code, p.stdout.String(), p.stderr.String()
}

// waitFor waits up to 10 s for what the process prints after its start line to match re, and
// returns the match.
func (p *mockProcess) waitFor(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if m := re.FindStringSubmatch(p.stdout.String()); m != nil {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("no output matching %s after 10s: %q", re, p.stdout)
		}
	}
}

// call sends a request with the mock's token and returns the status and the body.
func (p *mockProcess) call(t *testing.T, method, path string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, p.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer restart-token")
	return do(t, req)
}

// servingRE finds the API's URL in the command's start line.
var servingRE = regexp.MustCompile(`serving on (http://\S+/api)`)

// servingURL reads the start line from br and returns the API's URL it gives, and the line; explain,
// if any, is printed with a failure (the process's stderr).
func servingURL(t *testing.T, br *bufio.Reader, explain ...any) (url, line string) {
	t.Helper()
	line, err := br.ReadString('\n')
	if err != nil && len(explain) > 0 {
		t.Fatalf("no start line: %v; %s", err, fmt.Sprint(explain...))
	} else if err != nil {
		t.Fatalf("no start line: %v", err)
	}
	m := servingRE.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("start line %q has no URL", line)
	}
	return m[1], line
}

// do sends req and returns the status and the body of the answer.
func do(t *testing.T, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// get sends a GET to url and returns the status and the body of the answer.
func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, req)
}

// downloadLink returns a pre-signed download URL of the demo backup.
func (p *mockProcess) downloadLink(t *testing.T) string {
	t.Helper()
	status, body := p.call(t, http.MethodGet, "/databases/my-db-123/backups/"+mockserver.DemoBackupID+"/archive")
	var link struct {
		DownloadURL string `json:"download_url"`
	}
	if err := json.Unmarshal(body, &link); err != nil || status != http.StatusOK || link.DownloadURL == "" {
		t.Fatalf("archive link: %d %s (%v)", status, body, err)
	}
	return link.DownloadURL
}

// download is one download under way: got is closed once it has its first bytes, done once it ends.
type download struct {
	got, done chan struct{}
	body      []byte
	err       error
}

// startDownloads starts n downloads of url and waits until each has received its first bytes.
func startDownloads(t *testing.T, url string, n int) []*download {
	t.Helper()
	var ds []*download
	for range n {
		d := &download{got: make(chan struct{}), done: make(chan struct{})}
		ds = append(ds, d)
		go func() {
			defer close(d.done)
			gotOnce := sync.OnceFunc(func() { close(d.got) })
			defer gotOnce()
			resp, err := http.Get(url)
			if err != nil {
				d.err = err
				return
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				d.err = fmt.Errorf("status %d", resp.StatusCode)
				return
			}
			buf := make([]byte, 32<<10)
			for {
				k, err := resp.Body.Read(buf)
				d.body = append(d.body, buf[:k]...)
				if k > 0 {
					gotOnce()
				}
				if err == io.EOF {
					return
				}
				if err != nil {
					d.err = err
					return
				}
			}
		}()
	}
	for i, d := range ds {
		select {
		case <-d.got:
		case <-time.After(10 * time.Second):
			t.Fatalf("download %d: no bytes after 10s", i)
		}
		if d.err != nil {
			t.Fatalf("download %d: %v", i, d.err)
		}
	}
	return ds
}

// demoArchive is what a download of the demo backup must give, byte for byte.
func demoArchive(t *testing.T) []byte {
	t.Helper()
	want, err := io.ReadAll(mockserver.ArchiveContent(mockserver.DemoBackupID, 1234567))
	if err != nil {
		t.Fatal(err)
	}
	return want
}

// TestBinary_SIGTERMFinishesDownloads runs the command with three downloads in flight, each capped
// by -bandwidth to last about 1.5 s, and sends SIGTERM: the three complete byte for byte within
// -shutdown-timeout, the command says it waits for them, and it exits 0.
func TestBinary_SIGTERMFinishesDownloads(t *testing.T) {
	p := startMock(t, "-bandwidth", "800000", "-shutdown-timeout", "20s")
	ds := startDownloads(t, p.downloadLink(t), 3)
	code, stdout, stderr := p.stop(t)
	want := demoArchive(t)
	for i, d := range ds {
		<-d.done
		if d.err != nil || !bytes.Equal(d.body, want) {
			t.Errorf("download %d: %d of %d bytes, equal %v, error %v", i, len(d.body), len(want), bytes.Equal(d.body, want), d.err)
		}
	}
	if code != 0 {
		t.Errorf("exit status %d, want 0; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "3 requests in flight") || !strings.Contains(stdout, "stopped") {
		t.Errorf("stdout %q, want it to say it waits for the 3 requests in flight, then stopped", stdout)
	}
}

// TestBinary_SIGTERMCutsAfterTimeout sends SIGTERM with three downloads in flight that last longer
// than -shutdown-timeout: they are cut, and the command exits 1 saying how many requests it cut.
func TestBinary_SIGTERMCutsAfterTimeout(t *testing.T) {
	p := startMock(t, "-bandwidth", "800000", "-shutdown-timeout", "300ms")
	ds := startDownloads(t, p.downloadLink(t), 3)
	code, _, stderr := p.stop(t)
	for i, d := range ds {
		<-d.done
		if d.err == nil {
			t.Errorf("download %d: complete (%d bytes) after a 300ms -shutdown-timeout, want it cut", i, len(d.body))
		}
	}
	if code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	if !regexp.MustCompile(`-shutdown-timeout 300ms.* 3 requests .*cut`).MatchString(stderr) {
		t.Errorf("stderr %q, want it to name -shutdown-timeout 300ms and the 3 requests cut", stderr)
	}
}

// TestBinary_IDsAcrossRestarts creates backups on two successive runs of the command: their IDs are
// 24 hex digits, never collide, sort in the order they were created, and an ID of the first run
// names nothing on the second.
func TestBinary_IDsAcrossRestarts(t *testing.T) {
	var ids []string
	for run := range 2 {
		p := startMock(t)
		for range 3 {
			status, body := p.call(t, http.MethodPost, "/databases/my-db-123/backups")
			var created struct {
				Backup struct {
					ID string `json:"id"`
				} `json:"database_backup"`
			}
			if err := json.Unmarshal(body, &created); err != nil || status != http.StatusCreated {
				t.Fatalf("create backup: %d %s", status, body)
			}
			ids = append(ids, created.Backup.ID)
		}
		if run > 0 {
			for _, id := range ids[:3] {
				if status, body := p.call(t, http.MethodGet, "/backups/"+id); status != http.StatusNotFound {
					t.Errorf("backup %s of the first run, on the second: %d %.80s, want 404", id, status, body)
				}
			}
		}
		if code, _, stderr := p.stop(t); code != 0 {
			t.Fatalf("exit status %d; stderr:\n%s", code, stderr)
		}
	}
	seen := map[string]bool{}
	for i, id := range ids {
		if !regexp.MustCompile(`^[0-9a-f]{24}$`).MatchString(id) {
			t.Errorf("ID %q is not 24 hex digits", id)
		}
		if seen[id] {
			t.Errorf("ID %s handed out twice", id)
		}
		seen[id] = true
		if i > 0 && id <= ids[i-1] {
			t.Errorf("ID %s created after %s sorts before it", id, ids[i-1])
		}
	}
}

// TestBinary_SigningKeyAcrossRestarts gets a download link from a run with -signing-key, then tries
// it on other runs: it works with the same key (given as a string, as hex, or in a file), and is
// refused with another key or with none.
func TestBinary_SigningKeyAcrossRestarts(t *testing.T) {
	const key = "soak-test-key-0123456789"
	dir := t.TempDir()
	sameFile, otherFile := filepath.Join(dir, "same"), filepath.Join(dir, "other")
	if err := os.WriteFile(sameFile, []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(otherFile, []byte("0123456789abcdef0123456789abcdef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startMock(t, "-signing-key", key)
	link := p.downloadLink(t)
	if code, _, stderr := p.stop(t); code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", code, stderr)
	}
	port := regexp.MustCompile(`127\.0\.0\.1:\d+`)
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"same key", []string{"-signing-key", key}, http.StatusOK},
		{"same key in hex", []string{"-signing-key", fmt.Sprintf("%x", key)}, http.StatusOK},
		{"same key in a file", []string{"-signing-key-file", sameFile}, http.StatusOK},
		{"another key", []string{"-signing-key", key + "-2"}, http.StatusForbidden},
		{"another key in a file", []string{"-signing-key-file", otherFile}, http.StatusForbidden},
		{"no key", nil, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := startMock(t, tt.args...)
			// The link names the first run's address: send it to this run's.
			u := port.ReplaceAllString(link, strings.TrimSuffix(strings.TrimPrefix(q.base, "http://"), "/api"))
			status, body := get(t, u)
			if status != tt.want {
				t.Errorf("download with a link of the first run: %d, want %d", status, tt.want)
			}
			if tt.want == http.StatusOK && !bytes.Equal(body, demoArchive(t)) {
				t.Errorf("download: %d bytes, not the archive", len(body))
			}
			if code, stdout, stderr := q.stop(t); code != 0 || strings.Contains(stdout+stderr, key) {
				t.Errorf("exit status %d, want 0, and the key nowhere in the output:\n%s\n%s", code, stdout, stderr)
			}
		})
	}
}

// TestRun_BadSigningKey checks that a signing key that cannot be used stops the command before it
// listens, with an error that names the flag and never repeats the key.
func TestRun_BadSigningKey(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	empty := write("empty", []byte(" \n"))
	huge := write("huge", []byte(strings.Repeat("s3cret", 1000)))
	good := write("good", []byte("s3cret-key\n"))
	tests := []struct {
		name string
		args []string
		says string
	}{
		{"empty key", []string{"-signing-key", ""}, "-signing-key"},
		{"blank key", []string{"-signing-key", "  "}, "-signing-key"},
		{"both flags", []string{"-signing-key", "s3cret-key", "-signing-key-file", good}, "not both"},
		{"missing file", []string{"-signing-key-file", filepath.Join(dir, "none")}, "-signing-key-file"},
		{"empty file", []string{"-signing-key-file", empty}, "empty"},
		{"huge file", []string{"-signing-key-file", huge}, "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(t.Context(), append([]string{"-addr", "127.0.0.1:0"}, tt.args...), &discard{}, &discard{})
			if err == nil {
				t.Fatal("run succeeded, want an error")
			}
			if msg := err.Error(); !strings.Contains(msg, tt.says) || strings.Contains(msg, "s3cret") {
				t.Errorf("error %q, want it to say %q and never repeat the key", msg, tt.says)
			}
		})
	}
}

// TestBinary_SecondSignalStopsAtOnce sends SIGTERM while a long download is in flight, then, once
// the command says it is stopping, a second one: the command stops at once, without waiting out
// -shutdown-timeout.
func TestBinary_SecondSignalStopsAtOnce(t *testing.T) {
	p := startMock(t, "-bandwidth", "800000", "-shutdown-timeout", "20s")
	status, body := p.call(t, http.MethodGet, "/databases/my-db-123/backups/"+mockserver.DemoLargeBackupID+"/archive")
	var link struct {
		DownloadURL string `json:"download_url"`
	}
	if err := json.Unmarshal(body, &link); err != nil || status != http.StatusOK {
		t.Fatalf("archive link: %d %s", status, body)
	}
	ds := startDownloads(t, link.DownloadURL, 1) // 64 MiB at 800 kB/s: more than a minute
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.waitFor(t, regexp.MustCompile(`stopping`))
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done: //nolint:errcheck // stopped is what counts, not how
	case <-time.After(5 * time.Second):
		t.Fatal("the command still runs 5s after a second SIGTERM")
	}
	<-ds[0].done
	if ds[0].err == nil {
		t.Errorf("download complete (%d bytes), want it cut", len(ds[0].body))
	}
}
