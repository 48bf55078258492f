package progress

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// stampless matches the RFC 3339 time that may start a status line
// without a terminal.
var stampless = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\S+ `)

// testStderr shows a transfer on w, not a terminal, as the tool does
// (status lines with a timestamp).
func testStderr(w *bytes.Buffer) Stderr {
	return Stderr{W: w, Status: func(format string, args ...any) {
		fmt.Fprintln(w, time.Now().Format(time.RFC3339)+" "+fmt.Sprintf(format, args...))
	}}
}

// fakeClock is a clock a test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// plainLine is a plain progress line; elapsed is its last field.
var plainLine = regexp.MustCompile(`^downloading backup\.tar\.gz: (\S+ \S+) of (\S+ \S+) \((\d+)%\), (\S+ \S+/s|waiting for data)(, \S+ left)?, (\S+) elapsed$`)

// TestProgress_PlainEveryInterval simulates, on a fake clock, a download
// of 60 MiB capped at 1 MiB/s (60 s) with a stall of 25 s in the middle,
// stderr not a terminal, with the real 10 s interval: a line at least
// every 10 s (from the elapsed times the lines print), one per tenth, each
// with bytes, rate and time left.
func TestProgress_PlainEveryInterval(t *testing.T) {
	for _, tc := range []struct {
		name  string
		base  int64
		stall bool
	}{
		{"steady", 0, false},
		{"stall", 0, true},
		{"resumed", 20 << 20, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var errb bytes.Buffer
			out := testStderr(&errb)
			clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			const total = 60 << 20
			p := &Progress{out: out, what: "backup.tar.gz", now: clock.now, base: tc.base, total: total, done: tc.base,
				interval: DefaultInterval, plain: true}
			p.start = clock.now()
			p.startPlain(make(chan time.Time)) // the test ticks by hand, below
			step := time.Second / 16
			done := tc.base
			for elapsed := time.Duration(0); done < total; elapsed += step {
				clock.t = clock.t.Add(step)
				p.tick() // the clock of the progress checks 20 times an interval; here every step
				stalled := tc.stall && elapsed > 20*time.Second && elapsed < 45*time.Second
				if !stalled {
					done = min(done+(1<<20)/16, total)
					p.Set(done, total)
				}
			}
			p.End(true)
			p.Summary(total, "backup.tar.gz")
			lines := strings.Split(strings.TrimSuffix(errb.String(), "\n"), "\n")
			for i, l := range lines {
				lines[i] = stampless.ReplaceAllString(l, "")
			}
			want := "downloading backup.tar.gz: 60.0 MiB"
			if tc.base > 0 {
				want += ", resuming from 20.0 MiB"
			}
			if lines[0] != want {
				t.Errorf("first line %q, want %q", lines[0], want)
			}
			prev := time.Duration(0)
			tenths := map[string]bool{}
			inStall := 0 // lines while nothing arrives, in the stall case
			for _, l := range lines[1 : len(lines)-1] {
				m := plainLine.FindStringSubmatch(l)
				if m == nil {
					t.Fatalf("not a progress line: %q", l)
				}
				at, err := time.ParseDuration(m[6])
				if err != nil {
					t.Fatal(err)
				}
				if gap := at - prev; gap > DefaultInterval {
					t.Errorf("%s without a line before %q", gap, l)
				}
				prev = at
				if at > 21*time.Second && at < 45*time.Second {
					inStall++
				}
				tenths[m[3]] = true
				if !tc.stall && tc.base == 0 && !strings.Contains(l, "1.0 MiB/s") {
					t.Errorf("the rate is not that of the link: %q", l)
				}
				if tc.base > 0 && !strings.Contains(l, "1.0 MiB/s") {
					t.Errorf("the rate counts the bytes of an earlier run: %q", l)
				}
			}
			for _, pct := range []string{"50", "60", "70", "80", "90"} {
				if !tenths[pct] {
					t.Errorf("no line at %s%%: %q", pct, lines)
				}
			}
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, "downloaded ") {
				t.Errorf("last line %q", last)
			}
			if tc.base > 0 && last != "downloaded 40.0 MiB to backup.tar.gz in 40s, 1.0 MiB/s (resuming from 20.0 MiB, 60.0 MiB in all)" {
				t.Errorf("the summary counts more than this run: %q", last)
			}
			if tc.stall && inStall < 2 {
				t.Errorf("%d lines while nothing arrived: %q", inStall, errb.String())
			}
		})
	}
}

// TestProgress_Restart: when the client starts again from zero, the
// bytes of this run are all of them.
func TestProgress_Restart(t *testing.T) {
	var errb bytes.Buffer
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	p := &Progress{out: testStderr(&errb), what: "backup.tar.gz", now: clock.now, base: 5 << 20, total: 10 << 20, done: 5 << 20, interval: time.Hour, plain: true}
	p.start = clock.now()
	p.Set(1<<20, 10<<20)
	clock.t = clock.t.Add(10 * time.Second)
	p.Set(10<<20, 10<<20)
	p.Summary(10<<20, "x")
	if !strings.Contains(errb.String(), "downloaded 10.0 MiB to x in 10s, 1.0 MiB/s (the partial file could not be resumed") {
		t.Errorf("stderr %q", errb.String())
	}
}
