package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/mockserver"
)

// timestamp matches the RFC 3339 time that may start a line on stderr
// without a terminal.
const timestamp = `(?:\d{4}-\d\d-\d\dT\S+ )?`

// untimed returns a line of stderr without its leading timestamp.
func untimed(line string) string {
	return regexp.MustCompile(`^`+timestamp).ReplaceAllString(line, "")
}

// interruptWhen starts cmd and sends it SIGINT (Ctrl-C) once ready
// holds, checked every 10 ms: it returns the error of the command's end.
// When ready does not hold within, the command is killed and t fails,
// saying what did not happen.
func interruptWhen(t *testing.T, cmd *exec.Cmd, within time.Duration, what func() string, ready func() bool) error {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(within); !ready(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatal(what())
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	return cmd.Wait()
}

// downloadNotStarted is the failure of an interruptWhen that waits for a
// download to reach a size.
func downloadNotStarted() string { return "the download did not start" }

// exitCode returns the exit code of a finished command's error.
func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// TestDownload_OutputIsTheFormat: -o is the output format of download
// too; a value that is not a format (the old destination) is bad usage
// that points to -O, and writes nothing.
func TestDownload_OutputIsTheFormat(t *testing.T) {
	mock := startMock(t, 4<<10)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want *regexp.Regexp // on stderr (code != 0) or stdout
		file string         // written, relative to the folder
	}{
		{"-o FILE", []string{"-o", "x.tar.gz"}, 2, regexp.MustCompile(`-o is the output format \(table, json or name\), not the destination: to write the archive to "x\.tar\.gz", use -O x\.tar\.gz`), ""},
		{"-o -", []string{"-o", "-"}, 2, regexp.MustCompile(`use -O -`), ""},
		{"-O FILE", []string{"-O", "x.tar.gz"}, 0, regexp.MustCompile(`^x\.tar\.gz\n$`), "x.tar.gz"},
		{"positional", []string{"y.tar.gz"}, 0, regexp.MustCompile(`^y\.tar\.gz\n$`), "y.tar.gz"},
		{"-o json", []string{"-O", "z.tar.gz", "-o", "json"}, 0, regexp.MustCompile(`"path": "z\.tar\.gz"`), "z.tar.gz"},
		{"-o json alone", []string{"-o", "json"}, 0, regexp.MustCompile(`"path": "20240101030000_my-db-123\.tar\.gz"`), "20240101030000_my-db-123.tar.gz"},
		{"both", []string{"y.tar.gz", "-O", "x.tar.gz"}, 2, regexp.MustCompile(`give the destination once`), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cmd := runCLI(t, mock.base, append([]string{"backups", "download", testBackupID}, tc.args...)...)
			cmd.Dir = dir
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			if got := exitCode(err); got != tc.code {
				t.Fatalf("exit code %d, want %d; stderr %q", got, tc.code, stderr.String())
			}
			text := stdout.String()
			if tc.code != 0 {
				text = stderr.String()
			}
			if !tc.want.MatchString(text) {
				t.Errorf("output %q does not match %s", text, tc.want)
			}
			entries, _ := os.ReadDir(dir)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if tc.file == "" && len(names) > 0 || tc.file != "" && (len(names) != 1 || names[0] != tc.file) {
				t.Errorf("files written: %q, want %q", names, tc.file)
			}
		})
	}
}

// TestDownload_StdoutRefusesTerminal: -O - on a terminal dumps nothing
// into it unless --force.
func TestDownload_StdoutRefusesTerminal(t *testing.T) {
	mock := startMock(t, 4<<10)
	out, err := onTerminal(t, runCLI(t, mock.base, "backups", "download", testBackupID, "-O", "-"))
	if exitCode(err) != 2 || !strings.Contains(out, "refusing to write the archive to a terminal: redirect stdout (-O - > FILE), or pass --force") {
		t.Errorf("-O - on a terminal: %v: %q", err, out)
	}
	if mock.served.Load() != 0 {
		t.Errorf("%d bytes of archive were fetched", mock.served.Load())
	}
	out, err = onTerminal(t, runCLI(t, mock.base, "backups", "download", testBackupID, "-O", "-", "--force", "-q"))
	if err != nil || mock.served.Load() != 4<<10 {
		t.Errorf("-O - --force: %v, %d bytes served: %q", err, mock.served.Load(), out[:min(len(out), 200)])
	}
}

// progressElapsed reads the elapsed time of a plain progress line, or of
// the final summary line.
var (
	progressElapsed = regexp.MustCompile(`^downloading backup\.tar\.gz: \S+ \S+ of 2\.0 MiB \(\d+%\), (?:\S+ \S+/s, \S+ left|waiting for data), (\S+) elapsed$`)
	summaryElapsed  = regexp.MustCompile(`^downloaded 2\.0 MiB to \S+ in (\S+), \S+ \S+/s$`)
)

// TestDownload_PlainProgressEveryInterval downloads 2 MiB over a link
// that stalls for 6 s half way, with stderr not a terminal and the
// interval scaled from 10 s down to 2 s: from the elapsed times the lines
// print, no gap exceeds the interval, though nothing arrives for three
// intervals; each line has bytes, rate and time left; nothing but plain
// lines.
func TestDownload_PlainProgressEveryInterval(t *testing.T) {
	t.Parallel()
	const interval = 2 * time.Second
	mock := startMock(t, 2<<20)
	mock.stallAt.Store(1 << 20)
	mock.stallFor.Store(int64(6 * time.Second))
	dest := filepath.Join(t.TempDir(), "backup.tar.gz")
	cmd := runCLI(t, mock.base, "backups", "download", testBackupID, "-O", dest, "--progress-interval", interval.String())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("download: %v: %s", err, stderr.Bytes())
	}
	if i := firstControl(stderr.String()); i >= 0 {
		t.Errorf("stderr holds control character %q: %q", stderr.String()[i], stderr.String())
	}
	sc := bufio.NewScanner(&stderr)
	sc.Scan()
	if untimed(sc.Text()) != "downloading backup.tar.gz: 2.0 MiB" {
		t.Errorf("first line %q", sc.Text())
	}
	prev, lines, inStall, final, widest := time.Duration(0), 0, 0, false, time.Duration(0)
	for sc.Scan() {
		l := untimed(sc.Text())
		m := progressElapsed.FindStringSubmatch(l)
		if m == nil {
			if m = summaryElapsed.FindStringSubmatch(l); m == nil {
				t.Fatalf("not a progress line: %q", l)
			}
			final = true
		}
		at, err := time.ParseDuration(m[1])
		if err != nil {
			t.Fatal(err)
		}
		if gap := at - prev; gap > interval {
			t.Errorf("%s without a line before %q", gap, l)
		}
		widest = max(widest, at-prev)
		if strings.Contains(l, " of 2.0 MiB (50%)") {
			inStall++
		}
		prev = at
		lines++
	}
	if !final || inStall < 3 || prev < 6*time.Second {
		t.Errorf("%d lines over %s (%d while the link stalled), final %t: %q", lines, prev, inStall, final, stderr.String())
	}
	t.Logf("%d lines over %s, %d while the link stalled; widest gap %s (interval %s)", lines, prev, inStall, widest, interval)
}

// TestDownload_ResumeTalks interrupts a download (Ctrl-C): the error line
// gives the exact command that resumes; that command, run on a link of
// 1 MiB/s, says "resuming from" and counts only the bytes it fetched, at
// the rate of the link.
func TestDownload_ResumeTalks(t *testing.T) {
	const size = 6 << 20
	slow := startMock(t, size, mockserver.WithBandwidthLimit(2<<20))
	dest := filepath.Join(t.TempDir(), "latest.tar.gz")
	cmd := runCLI(t, slow.base, "backups", "download", testBackupID, "-O", dest)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := interruptWhen(t, cmd, 20*time.Second, downloadNotStarted, func() bool { return slow.served.Load() > 4<<20 })
	if exitCode(err) != 130 {
		t.Fatalf("exit: %v, want code 130; stderr: %s", err, stderr.Bytes())
	}
	m := regexp.MustCompile(`(?m)^` + timestamp + `scalingodb: cannot download backup \S+ to \S+: interrupted; run '(scalingodb backups download \S+ -O \S+ --database my-db-123)' to resume$`).FindSubmatch(stderr.Bytes())
	if m == nil {
		t.Fatalf("stderr %q does not give the command that resumes", stderr.Bytes())
	}
	args := strings.Fields(string(m[1]))[1:]

	link := startMock(t, size, mockserver.WithBandwidthLimit(1<<20))
	out, err := onTerminal(t, runCLI(t, link.base, append(args, "--no-color")...))
	if err != nil {
		t.Fatalf("%s: %v: %q", m[1], err, out)
	}
	fetched := link.served.Load()
	if fetched >= size-4<<20+1<<20 {
		t.Fatalf("the second run fetched %d bytes of %d: it did not resume", fetched, size)
	}
	resumed := regexp.MustCompile(`downloading latest\.tar\.gz \(resuming from (\d+\.\d) MiB\) +\d+% \|`).FindStringSubmatch(out)
	if resumed == nil {
		t.Fatalf("the bar does not say it resumes: %q", out)
	}
	sum := regexp.MustCompile(`downloaded (\d+\.\d) MiB to \S+ in \S+, (\d+\.\d) (KiB|MiB)/s \(resuming from ` + regexp.QuoteMeta(resumed[1]) + ` MiB, 6\.0 MiB in all\)`).FindStringSubmatch(out)
	if sum == nil {
		t.Fatalf("the final line does not say it resumed: %q", out)
	}
	this, _ := strconv.ParseFloat(sum[1], 64)
	before, _ := strconv.ParseFloat(resumed[1], 64)
	if d := this + before - 6; d > 0.15 || d < -0.15 {
		t.Errorf("the final line counts %s MiB after %s MiB: not the bytes of this run", sum[1], resumed[1])
	}
	rate, _ := strconv.ParseFloat(sum[2], 64)
	if sum[3] == "KiB" {
		rate /= 1024
	}
	if rate > 1.3 {
		t.Errorf("final rate %.2f MiB/s on a link of 1 MiB/s: %q", rate, sum[0])
	}
	// The bar's last rate before it is full is the link's too.
	rates := regexp.MustCompile(`(\d+(?:\.\d+)?) (KiB|MiB)/s\)`).FindAllStringSubmatch(out, -1)
	if len(rates) == 0 {
		t.Fatalf("no rate on the bar: %q", out)
	}
	lastRate, _ := strconv.ParseFloat(rates[len(rates)-1][1], 64)
	if rates[len(rates)-1][2] == "KiB" {
		lastRate /= 1024
	}
	if lastRate > 1.3 {
		t.Errorf("the bar shows %.2f MiB/s on a link of 1 MiB/s: %q", lastRate, out)
	}
	t.Logf("resumed from %s MiB, fetched %d bytes at %.2f MiB/s (bar %.2f MiB/s)", resumed[1], fetched, rate, lastRate)
}

// TestDownload_SkipsCompleteArchive: a second run to the same file
// fetches nothing and says so; --force fetches again.
func TestDownload_SkipsCompleteArchive(t *testing.T) {
	const size = 1 << 20
	mock := startMock(t, size)
	dest := filepath.Join(t.TempDir(), "backup.tar.gz")
	if out, err := runCLI(t, mock.base, "backups", "download", testBackupID, "-O", dest).CombinedOutput(); err != nil {
		t.Fatalf("first run: %v: %s", err, out)
	}
	before := mock.served.Load()
	cmd := runCLI(t, mock.base, "backups", "download", testBackupID, "-O", dest)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("second run: %v: %s", err, stderr.Bytes())
	}
	if n := mock.served.Load() - before; n != 0 {
		t.Errorf("the second run fetched %d bytes of a complete archive", n)
	}
	if !strings.Contains(stderr.String(), dest+" already holds backup "+testBackupID+" (1.0 MiB, modified at the backup's creation time): not fetched again; --force fetches it again") || stdout.String() != dest+"\n" {
		t.Errorf("second run: stdout %q, stderr %q", stdout.String(), stderr.String())
	}
	if out, err := runCLI(t, mock.base, "backups", "download", testBackupID, "-O", dest, "--force").CombinedOutput(); err != nil {
		t.Fatalf("--force: %v: %s", err, out)
	}
	if n := mock.served.Load() - before; n != size {
		t.Errorf("--force fetched %d bytes, want %d", n, size)
	}
	// A file of the same size that the tool did not mark is fetched again.
	if err := os.Chtimes(dest, time.Now(), time.Now()); err != nil {
		t.Fatal(err)
	}
	if out, err := runCLI(t, mock.base, "backups", "download", testBackupID, "-O", dest).CombinedOutput(); err != nil {
		t.Fatalf("unmarked file: %v: %s", err, out)
	}
	if n := mock.served.Load() - before; n != 2*size {
		t.Errorf("a file not marked complete was not fetched again (%d bytes in all)", n)
	}
}

// TestDownload_RemovesStalePartials: -O DIR removes the partial files of
// archives, and their sidecars, left there more than 7 days ago, and
// nothing else.
func TestDownload_RemovesStalePartials(t *testing.T) {
	mock := startMock(t, 4<<10)
	dir := t.TempDir()
	old := time.Now().Add(-8 * 24 * time.Hour)
	files := map[string]bool{ // name: removed
		"20231001030000_my-db-123.tar.gz.partial":      true,
		"20231001030000_my-db-123.tar.gz.partial.json": true,
		"dump.tgz.partial":                             true,
		"recent.tar.gz.partial":                        false, // 1 day old
		"notes.txt.partial":                            false, // not an archive's
		"20231001030000_my-db-123.tar.gz":              false, // not partial
		".hidden.tar.gz.partial":                       false, // not a name download gives
	}
	for name := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		at := old
		if name == "recent.tar.gz.partial" {
			at = time.Now().Add(-24 * time.Hour)
		}
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
	}
	cmd := runCLI(t, mock.base, "backups", "download", testBackupID, "-O", dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("download: %v: %s", err, stderr.Bytes())
	}
	for name, removed := range files {
		_, err := os.Stat(filepath.Join(dir, name))
		if gone := errors.Is(err, os.ErrNotExist); gone != removed {
			t.Errorf("%s: removed %t, want %t", name, gone, removed)
		}
		if said := strings.Contains(stderr.String(), "removed "+filepath.Join(dir, name)+", a partial download last written on "); said != removed {
			t.Errorf("%s: said removed %t, want %t: %q", name, said, removed, stderr.String())
		}
	}
	// Without a folder, nothing is removed.
	for name := range files {
		_ = os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600)
		_ = os.Chtimes(filepath.Join(dir, name), old, old)
	}
	cmd = runCLI(t, mock.base, "backups", "download", testBackupID, "-O", filepath.Join(dir, "file.tar.gz"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("download to a file: %v: %s", err, out)
	}
	for name := range files {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("a download to a file removed %s", name)
		}
	}
}

// TestDownload_InProgress runs two downloads to one file: the second
// says in one line that another download is writing it, and what to do.
func TestDownload_InProgress(t *testing.T) {
	const size = 4 << 20
	mock := startMock(t, size, mockserver.WithBandwidthLimit(1<<20))
	dest := filepath.Join(t.TempDir(), "backup.tar.gz")
	first := runCLI(t, mock.base, "backups", "download", testBackupID, "-O", dest)
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = first.Process.Signal(syscall.SIGINT)
		_ = first.Wait()
	}()
	for deadline := time.Now().Add(10 * time.Second); mock.served.Load() == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the first download did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd := runCLI(t, mock.base, "backups", "download", testBackupID, "-O", dest)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	want := "scalingodb: cannot download backup " + testBackupID + " to " + dest + ": another download is writing " + dest + ".partial; wait for it to end (or stop it), then run this command again\n"
	if exitCode(err) != 1 || !strings.HasSuffix(stderr.String(), want) {
		t.Errorf("second download: %v: %q, want %q", err, stderr.String(), want)
	}
}

// TestDownload_StreamInterrupt interrupts a download to stdout: the error
// line gives the exact command to run again (a stream cannot resume).
func TestDownload_StreamInterrupt(t *testing.T) {
	mock := startMock(t, 4<<20, mockserver.WithBandwidthLimit(1<<20))
	cmd := runCLI(t, mock.base, "backups", "download", testBackupID, "-O", "-")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	err := interruptWhen(t, cmd, 10*time.Second, downloadNotStarted, func() bool { return mock.served.Load() >= 1<<20 })
	want := regexp.MustCompile(`(?m)^` + timestamp + `scalingodb: cannot download backup ` + testBackupID + `: interrupted; run 'scalingodb backups download ` + testBackupID + ` -O - --database my-db-123' again: a stream to stdout starts from the beginning$`)
	if exitCode(err) != 130 || !want.Match(stderr.Bytes()) {
		t.Errorf("exit %v, stderr %q", err, stderr.String())
	}
}
