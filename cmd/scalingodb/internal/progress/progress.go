// Package progress shows a transfer on stderr for scalingodb: a bar redrawn
// in place on a terminal, plain lines otherwise, counting only the bytes
// of this run after a resume.
package progress

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/output"
)

// DefaultInterval is the longest a transfer goes without a plain progress
// line when stderr is not a terminal.
const DefaultInterval = 10 * time.Second

// Stderr is where a transfer is shown.
type Stderr struct {
	// W is stderr.
	W io.Writer
	// TTY says whether W is a terminal: a bar then, plain lines otherwise.
	TTY bool
	// Quiet shows nothing (--quiet); Color allows colour in the bar.
	Quiet, Color bool
	// Status prints a plain line (with a timestamp without a terminal).
	Status func(format string, args ...any)
}

// Progress shows a transfer on stderr: a bar (bytes, rate, time left)
// redrawn in place when stderr is a terminal; otherwise plain lines, one
// at the start, one each time another tenth of the archive arrived, and
// one at least every interval even when nothing arrives (CI systems kill
// silent jobs). --quiet silences both.
//
// After a resume, base is what an earlier run left: the bar and the rates
// count only the bytes of this run, and both say "resuming from" base.
type Progress struct {
	out   Stderr
	what  string
	bar   *progressbar.ProgressBar
	start time.Time
	now   func() time.Time

	mu       sync.Mutex
	base     int64 // bytes present before this run
	total    int64
	done     int64 // bytes present now, base included
	restart  bool  // the download started again from zero
	plain    bool
	interval time.Duration
	last     time.Time // of the last plain line
	tenth    int64     // tenths of the archive announced
	stop     chan struct{}
	wg       sync.WaitGroup
}

// Start starts showing on out a transfer of what, of total bytes (-1 when
// unknown) of which base are already there (a resumed download), with a
// plain line at least every interval without a terminal.
func Start(out Stderr, what string, total, base int64, interval time.Duration) *Progress {
	p := &Progress{out: out, what: what, now: time.Now, base: base, total: total, done: base, interval: interval}
	p.start = p.now()
	if out.Quiet {
		return p
	}
	if !out.TTY {
		p.plain = true
		p.startPlain(nil)
		return p
	}
	desc := "downloading " + what
	if base > 0 {
		desc += " (resuming from " + output.BytesText(base) + ")"
	}
	barMax := total
	if total > 0 {
		barMax = total - base
	}
	p.bar = progressbar.NewOptions64(barMax,
		progressbar.OptionSetWriter(out.W),
		progressbar.OptionSetDescription(output.Sanitize(desc)),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionShowCount(),
		progressbar.OptionUseIECUnits(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(false),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionEnableColorCodes(out.Color),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(out.W) }),
	)
	return p
}

// startPlain prints the first plain line and starts the clock that prints
// one at least every interval; ticks replaces the clock in tests.
func (p *Progress) startPlain(ticks <-chan time.Time) {
	msg := "downloading " + p.what
	if p.total >= 0 {
		msg += ": " + output.BytesText(p.total)
	}
	if p.base > 0 {
		msg += ", resuming from " + output.BytesText(p.base)
	}
	p.out.Status("%s", msg)
	p.last = p.start
	if p.total > 0 {
		p.tenth = p.base * 10 / p.total
	}
	if p.interval <= 0 {
		return
	}
	p.stop = make(chan struct{})
	var ticker *time.Ticker
	if ticks == nil {
		ticker = time.NewTicker(max(p.interval/20, time.Millisecond))
		ticks = ticker.C
	}
	p.wg.Go(func() {
		if ticker != nil {
			defer ticker.Stop()
		}
		for {
			select {
			case <-p.stop:
				return
			case <-ticks:
				p.tick()
			}
		}
	})
}

// tick prints a plain line when the last one is 8/10 of the interval old:
// the clock checks 20 times an interval, so that no gap reaches it.
func (p *Progress) tick() {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if now.Sub(p.last) >= p.interval*8/10 {
		p.line(now)
	}
}

// line prints the state of the transfer; p.mu is held.
func (p *Progress) line(now time.Time) {
	p.last = now
	elapsed := now.Sub(p.start)
	fetched := p.done - p.base
	msg := "downloading " + p.what + ": " + output.BytesText(p.done)
	if p.total > 0 {
		msg += fmt.Sprintf(" of %s (%d%%)", output.BytesText(p.total), p.done*100/p.total)
	}
	if s := elapsed.Seconds(); s > 0 && fetched > 0 {
		rate := float64(fetched) / s
		msg += ", " + output.BytesText(int64(rate)) + "/s"
		if p.total > 0 {
			left := time.Duration(float64(p.total-p.done) / rate * float64(time.Second))
			msg += ", " + left.Round(time.Second).String() + " left"
		}
	} else {
		msg += ", waiting for data"
	}
	msg += ", " + output.DurationText(elapsed) + " elapsed"
	p.out.Status("%s", msg)
}

// Set reports done bytes of total; it is the client's progress callback.
func (p *Progress) Set(done, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if done < p.base {
		// The client started again from zero (the archive changed, or
		// nothing proved the partial file's bytes): this run fetches all.
		p.base, p.restart = 0, true
		p.tenth = 0
	}
	if total > 0 {
		p.total = total
	}
	p.done = done
	if p.bar != nil {
		if barMax := p.total - p.base; p.total > 0 && barMax != p.bar.GetMax64() {
			p.bar.ChangeMax64(barMax)
		}
		_ = p.bar.Set64(done - p.base)
		return
	}
	if p.plain && p.total > 0 {
		if t := done * 10 / p.total; t > p.tenth {
			p.tenth = t
			if done < p.total { // the summary says the end
				p.line(p.now())
			}
		}
	}
}

// End closes the bar: full on success, left as it is (and the line ended)
// on failure, so that the error line starts on a line of its own.
func (p *Progress) End(ok bool) {
	if p.stop != nil {
		close(p.stop)
		p.wg.Wait()
		p.stop = nil
	}
	if p.bar == nil {
		return
	}
	if ok {
		if !p.bar.IsFinished() {
			_ = p.bar.Finish()
		}
		return
	}
	_ = p.bar.Exit()
}

// Fetched returns the bytes this run fetched of an archive of size bytes.
func (p *Progress) Fetched(size int64) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return size - p.base
}

// Summary prints the plain line printed once a transfer of an archive of size
// bytes is over: the bytes of this run, its rate, and what it resumed.
func (p *Progress) Summary(size int64, dest string) {
	elapsed := p.now().Sub(p.start)
	n := p.Fetched(size)
	rate := ""
	if s := elapsed.Seconds(); s > 0 {
		rate = ", " + output.BytesText(int64(float64(n)/s)) + "/s"
	}
	resumed := ""
	p.mu.Lock()
	switch {
	case p.base > 0:
		resumed = " (resuming from " + output.BytesText(p.base) + ", " + output.BytesText(size) + " in all)"
	case p.restart:
		resumed = " (the partial file could not be resumed: fetched from the start)"
	}
	p.mu.Unlock()
	p.out.Status("downloaded %s to %s in %s%s%s", output.BytesText(n), dest, elapsed.Round(time.Millisecond), rate, resumed)
}
