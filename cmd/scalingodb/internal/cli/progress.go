package cli

import (
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress shows a transfer on stderr: a bar (bytes, rate, time left)
// redrawn in place when stderr is a terminal, nothing while it runs
// otherwise; --quiet silences it.
type progress struct {
	a     *app
	bar   *progressbar.ProgressBar
	start time.Time
}

// newProgress starts showing a transfer of total bytes (-1 when unknown).
func (a *app) newProgress(what string, total int64) *progress {
	p := &progress{a: a, start: time.Now()}
	if a.quiet || !a.io.ErrTTY {
		return p
	}
	p.bar = progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(a.io.Err),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionShowCount(),
		progressbar.OptionUseIECUnits(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(false),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionEnableColorCodes(a.color()),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(a.io.Err) }),
	)
	return p
}

// set reports done bytes of total; it is the client's progress callback.
func (p *progress) set(done, total int64) {
	if p.bar == nil {
		return
	}
	if total > 0 && total != p.bar.GetMax64() {
		p.bar.ChangeMax64(total)
	}
	_ = p.bar.Set64(done)
}

// end closes the bar: full on success, left as it is (and the line ended)
// on failure, so that the error line starts on a line of its own.
func (p *progress) end(ok bool) {
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

// summary is the plain line printed once a transfer of n bytes is over.
func (p *progress) summary(n int64, dest string) {
	elapsed := time.Since(p.start)
	rate := ""
	if s := elapsed.Seconds(); s > 0 {
		rate = ", " + bytesText(int64(float64(n)/s)) + "/s"
	}
	p.a.status("downloaded %s to %s in %s%s", bytesText(n), dest, elapsed.Round(time.Millisecond), rate)
}
