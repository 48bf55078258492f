package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/mockserver"
)

// testBackupID is a done backup of testBackupSize bytes that seedWith adds.
const (
	testBackupID   = "5f00000000000000000000aa"
	testBackupName = "20240101030000_my-db-123"
)

// seedWith is the demo seed plus a done backup of my-db-123 of the given size.
func seedWith(size int64) mockserver.Seed {
	seed := mockserver.DemoSeed()
	db := &seed.Databases[0]
	created := time.Date(2024, 1, 1, 3, 0, 0, 0, time.UTC)
	method := dbapi.BackupMethodManual
	db.Backups = append(db.Backups, dbapi.Backup{ID: testBackupID, CreatedAt: created, StartedAt: &created,
		Name: testBackupName, Size: &size, Status: dbapi.BackupStatusDone, DatabaseID: db.Database.ID, Method: &method})
	return seed
}

// testMock is a mock served on 127.0.0.1 for one test.
type testMock struct {
	*mockserver.Server
	base string
	// served counts the bytes of archive the mock sent.
	served atomic.Int64
	// stallAt and stallFor, when set, make the archive's answer stop for
	// stallFor once stallAt bytes of it were sent (a stalled link).
	stallAt, stallFor atomic.Int64
}

// pause stalls the answer that just sent the bytes from before to after
// when it crossed stallAt.
func (m *testMock) pause(w http.ResponseWriter, before, after int64) {
	at := m.stallAt.Load()
	if at <= 0 || before >= at || after < at {
		return
	}
	_ = http.NewResponseController(w).Flush()
	time.Sleep(time.Duration(m.stallFor.Load()))
}

// startMock serves a mock with seedWith(size) and opts on 127.0.0.1.
// Download answers without a validator get a stable ETag, as the spec
// documents, so that a partial file can be resumed across runs.
func startMock(t testing.TB, size int64, opts ...mockserver.Option) *testMock {
	t.Helper()
	all := append([]mockserver.Option{mockserver.WithSeed(seedWith(size)), mockserver.WithToken(testToken),
		mockserver.WithDownloadTTL(time.Hour), mockserver.WithResponseViolationHandler(func(err error) {
			t.Errorf("the mock broke the spec: %v", err)
		})}, opts...)
	srv, err := mockserver.New(all...)
	if err != nil {
		t.Fatal(err)
	}
	m := &testMock{Server: srv}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/download") {
			srv.Handler().ServeHTTP(w, r)
			return
		}
		srv.Handler().ServeHTTP(&validatorWriter{ResponseWriter: w, etag: `"` + path.Base(path.Dir(r.URL.Path)) + `"`, served: &m.served, pause: m.pause}, r)
	}))
	t.Cleanup(hs.Close)
	m.base = hs.URL + "/api"
	return m
}

// validatorWriter adds an ETag to a successful download answer that has
// none, and counts the bytes of the body.
type validatorWriter struct {
	http.ResponseWriter
	etag        string
	served      *atomic.Int64
	pause       func(w http.ResponseWriter, before, after int64)
	wroteHeader bool
}

func (v *validatorWriter) WriteHeader(code int) {
	if !v.wroteHeader && (code == http.StatusOK || code == http.StatusPartialContent) && v.Header().Get("ETag") == "" {
		v.Header().Set("ETag", v.etag)
	}
	v.wroteHeader = true
	v.ResponseWriter.WriteHeader(code)
}

func (v *validatorWriter) Write(p []byte) (int, error) {
	if !v.wroteHeader {
		v.WriteHeader(http.StatusOK)
	}
	n, err := v.ResponseWriter.Write(p)
	after := v.served.Add(int64(n))
	if v.pause != nil {
		v.pause(v.ResponseWriter, after-int64(n), after)
	}
	return n, err
}

// Flush passes flushes through, for the mock's paced writes.
func (v *validatorWriter) Flush() {
	if f, ok := v.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack lets the mock's reset fault close the connection.
func (v *validatorWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := v.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("not a hijacker")
	}
	return h.Hijack()
}

// Unwrap gives http.ResponseController the underlying writer.
func (v *validatorWriter) Unwrap() http.ResponseWriter { return v.ResponseWriter }

// runCLI returns a command that runs scalingodb (the test binary, through
// $PATH) against the mock at base, with a clean environment.
func runCLI(t testing.TB, base string, args ...string) *exec.Cmd {
	t.Helper()
	path, err := exec.LookPath("scalingodb")
	if err != nil {
		t.Fatalf("scalingodb is not in $PATH (TestMain installs it): %v", err)
	}
	cmd := exec.Command(path, args...)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"DBAPI_BASE_URL=" + base, "DB_BEARER_TOKEN=" + testToken, "SCALINGO_DATABASE=my-db-123",
	}
	return cmd
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// streamSum runs `backups download -O -` with stdout piped into a SHA-256.
func streamSum(t *testing.T, base string) (string, int64) {
	t.Helper()
	cmd := runCLI(t, base, "backups", "download", testBackupID, "-O", "-")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	n, err := io.Copy(h, out)
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("download -O -: %v: %s", err, stderr.Bytes())
	}
	return hex.EncodeToString(h.Sum(nil)), n
}

// TestDownload_StdoutEqualsFile pipes `download -O -` into a checksum and
// compares it with the file of `download -O FILE`.
func TestDownload_StdoutEqualsFile(t *testing.T) {
	const size = 3<<20 + 12345
	base := startMock(t, size).base
	sum, n := streamSum(t, base)
	if n != size {
		t.Fatalf("streamed %d bytes, want %d", n, size)
	}
	for _, parallel := range []string{"1", "4"} {
		dest := filepath.Join(t.TempDir(), "backup.tar.gz")
		cmd := runCLI(t, base, "backups", "download", testBackupID, "-O", dest, "--parallel", parallel)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("download -O FILE --parallel %s: %v: %s", parallel, err, out)
		}
		if got := sha256File(t, dest); got != sum {
			t.Errorf("--parallel %s: file SHA-256 %s, stream %s", parallel, got, sum)
		}
	}
}

// TestDownload_ResumesAfterResets downloads from a mock that cuts most of
// its answers in the middle of the body (its reset fault) and paces the
// archive: the first run is interrupted half way, and the command is run
// again until it succeeds; the file must hold the bytes of a clean stream.
// The fault sequence depends on the seed and the order of requests: seeds
// are tried until one cuts the download itself.
func TestDownload_ResumesAfterResets(t *testing.T) {
	const size = 4 << 20
	want, _ := streamSum(t, startMock(t, size).base)
	for seed := int64(1); seed <= 20; seed++ {
		mock := startMock(t, size, mockserver.WithBandwidthLimit(2<<20),
			mockserver.WithFaults(mockserver.Faults{ResetRate: 0.6, Seed: seed}))
		dest := filepath.Join(t.TempDir(), "backup.tar.gz")

		first := runCLI(t, mock.base, "backups", "download", testBackupID, "-O", dest)
		if err := first.Start(); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(10 * time.Second); mock.served.Load() < size/4 && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		_ = first.Process.Signal(syscall.SIGINT)
		_ = first.Wait() // interrupted, or failed on a cut API call, or done
		runs := 1
		for ; ; runs++ {
			out, err := runCLI(t, mock.base, "backups", "download", testBackupID, "-O", dest).CombinedOutput()
			if err == nil {
				break
			}
			if runs == 20 {
				t.Fatalf("seed %d: 20 runs failed: %s", seed, out)
			}
			if _, statErr := os.Stat(dest); statErr == nil {
				t.Fatalf("seed %d: run %d failed (%s) but the destination exists", seed, runs, out)
			}
		}
		resets := 0
		for _, r := range mock.FaultLog() {
			if r.Kind == mockserver.FaultReset && r.OperationID == "downloadBackup" {
				resets++
			}
		}
		if resets == 0 {
			continue // this seed cut only API calls
		}
		if got := sha256File(t, dest); got != want {
			t.Errorf("seed %d: after %d cut downloads and %d runs, SHA-256 %s, want %s", seed, resets, runs+1, got, want)
		}
		for _, leftover := range []string{dest + ".partial", dest + ".partial.json"} {
			if _, err := os.Stat(leftover); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s is left after success: %v", leftover, err)
			}
		}
		t.Logf("seed %d: %d cut downloads, %d runs, identical bytes", seed, resets, runs+1)
		return
	}
	t.Fatal("no seed cut a download: the test proves nothing")
}

// TestDownload_Interrupt sends SIGINT (Ctrl-C) in the middle of a download
// over an existing file: the file keeps its old content, the command exits
// 130, and the next run completes the archive.
func TestDownload_Interrupt(t *testing.T) {
	const size = 8 << 20
	clean := startMock(t, size)
	want, _ := streamSum(t, clean.base)
	slowMock := startMock(t, size, mockserver.WithBandwidthLimit(2<<20))
	slow := slowMock.base

	dest := filepath.Join(t.TempDir(), "latest.tar.gz")
	old := []byte("last night's backup\n")
	if err := os.WriteFile(dest, old, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := runCLI(t, slow, "backups", "download", testBackupID, "-O", dest)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	// Interrupt once a good part of the archive has arrived.
	err := interruptWhen(t, cmd, 20*time.Second, downloadNotStarted, func() bool { return slowMock.served.Load() > 2<<20 })
	if exitCode(err) != 130 {
		t.Fatalf("exit: %v, want code 130; stderr: %s", err, stderr.Bytes())
	}
	if !regexp.MustCompile(`(?m)^` + timestamp + `scalingodb: cannot download backup \S+ to \S+: interrupted; run 'scalingodb backups download \S+ -O \S+ --database my-db-123' to resume$`).Match(stderr.Bytes()) {
		t.Errorf("stderr %q does not say the download was interrupted and how to resume", stderr.Bytes())
	}
	if got, _ := os.ReadFile(dest); !bytes.Equal(got, old) {
		t.Errorf("the destination changed: %q", got)
	}
	if _, err := os.Stat(dest + ".partial"); err != nil {
		t.Errorf("no partial file to resume: %v", err)
	}

	before := clean.served.Load()
	if out, err := runCLI(t, clean.base, "backups", "download", testBackupID, "-O", dest).CombinedOutput(); err != nil {
		t.Fatalf("second run: %v: %s", err, out)
	}
	if got := sha256File(t, dest); got != want {
		t.Errorf("after the second run, SHA-256 %s, want %s", got, want)
	}
	if served := clean.served.Load() - before; served > size-2<<20 {
		t.Errorf("the second run fetched %d bytes of %d: it did not resume", served, size)
	} else {
		t.Logf("the second run fetched %d bytes of %d", served, size)
	}
}

// TestDownload_ProgressOnTerminal runs a download with a pseudo-terminal
// as stdin, stdout and stderr: the bar is drawn (redrawn in place, with
// bytes, rate and time left) and ends on a full bar and a new line.
func TestDownload_ProgressOnTerminal(t *testing.T) {
	const size = 3 << 20
	base := startMock(t, size, mockserver.WithBandwidthLimit(2<<20)).base
	dest := filepath.Join(t.TempDir(), "backup.tar.gz")
	cmd := runCLI(t, base, "backups", "download", testBackupID, "-O", dest, "--no-color")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 120})
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	var out bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = io.Copy(&out, tty) // ends with EIO once the process exits
	}()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("download: %v: %q", err, out.Bytes())
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the terminal output did not end")
	}
	text := out.String()
	if n := strings.Count(text, "\r"); n < 3 {
		t.Errorf("the bar was not redrawn (%d carriage returns): %q", n, text)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`downloading backup\.tar\.gz +\d+% \|`),        // the bar
		regexp.MustCompile(`\d+(\.\d+)? [KM]iB/s`),                        // the rate
		regexp.MustCompile(`\[\d+(ms|s|m\d*s?):\d+(ms|s|m\d*s?)\]`),       // time spent : time left
		regexp.MustCompile(`100% \|[^|]+\| \(3\.0/3\.0 MiB, [^)]*\)\r\n`), // full, then a new line
		regexp.MustCompile(`downloaded 3\.0 MiB to .*backup\.tar\.gz in `),
	} {
		if !want.MatchString(text) {
			t.Errorf("terminal output lacks %s:\n%q", want, text)
		}
	}
	// The last line is the path on stdout, after the bar was closed.
	if !strings.HasSuffix(text, dest+"\r\n") {
		t.Errorf("the output does not end with the path: %q", text[max(0, len(text)-200):])
	}
	if got := sha256File(t, dest); got == "" {
		t.Error("no file")
	}
}

// TestDownload_PlainWithoutTerminal runs the same download with stderr
// not a terminal: no bar, no control character, plain lines: the start,
// each tenth, and the summary.
func TestDownload_PlainWithoutTerminal(t *testing.T) {
	const size = 3 << 20
	base := startMock(t, size, mockserver.WithBandwidthLimit(4<<20)).base
	dest := filepath.Join(t.TempDir(), "backup.tar.gz")
	cmd := runCLI(t, base, "backups", "download", testBackupID, "-O", dest)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("download: %v: %s", err, stderr.Bytes())
	}
	if i := firstControl(stderr.String()); i >= 0 {
		t.Errorf("stderr holds control character %q at %d: %q", stderr.String()[i], i, stderr.String())
	}
	if !regexp.MustCompile(`^` + timestamp + `downloading backup\.tar\.gz: 3\.0 MiB\n(` + timestamp + `downloading backup\.tar\.gz: .* of 3\.0 MiB \(\d+%\), .*\n)+` + timestamp + `downloaded 3\.0 MiB to \S+ in \S+, \S+ MiB/s\n$`).Match(stderr.Bytes()) {
		t.Errorf("stderr is not plain progress lines and a summary: %q", stderr.String())
	}
	if stdout.String() != dest+"\n" {
		t.Errorf("stdout %q, want the path", stdout.String())
	}
}
