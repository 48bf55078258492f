package soak

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
)

// Bucket is what one period of a run (a minute by default) saw: the requests that ended in it, and
// the mean of the samples of the mock process taken in it.
type Bucket struct {
	// Index numbers the periods from 1: bucket 5 is the fifth minute, from 4:00 to 5:00.
	Index int
	// Span is the time the bucket covers (the last one may be shorter).
	Span time.Duration
	// Requests counts the calls that ended in the bucket, failed ones included.
	Requests int64
	// Errors counts the failed calls by class (see Classify).
	Errors map[string]int64
	// P50 and P99 are the latency percentiles of the calls, 0 without calls.
	P50, P99 time.Duration
	// Samples counts the samples of the process taken in the bucket; 0 leaves the next three unknown.
	Samples int
	// RSSBytes is the mean resident set size of the mock.
	RSSBytes uint64
	// HeapLiveBytes is the mean live heap of the mock (0: not known).
	HeapLiveBytes uint64
	// FDs is the mean number of open file descriptors of the mock.
	FDs int
}

// Throughput is the number of calls per second of the bucket, 0 for an empty span.
func (b Bucket) Throughput() float64 {
	if b.Span <= 0 {
		return 0
	}
	return float64(b.Requests) / b.Span.Seconds()
}

// Bounds are the changes a run may show between its baseline bucket and every later one.
type Bounds struct {
	// Heap is the largest change of the live heap either way, as a share (0.10 is ±10 %).
	Heap float64
	// Throughput is the largest change of the calls per second either way.
	Throughput float64
	// P99Drift is the largest rise of the 99th percentile of latency (a fall is no failure).
	P99Drift float64
}

// DefaultBounds are the bounds of issue #25: live heap and throughput within ±10 %, p99 drift at
// most 20 %.
func DefaultBounds() Bounds { return Bounds{Heap: 0.10, Throughput: 0.10, P99Drift: 0.20} }

// Span is the range of a figure over the window, as changes from the baseline.
type Span struct{ Min, Max float64 }

// Summary is the verdict of a run.
type Summary struct {
	// Baseline and End are the Index of the buckets compared: the window is Baseline..End.
	Baseline, End int
	// Heap, Throughput and P99 are the changes from the baseline to the last bucket, as shares
	// (NaN when unknown).
	Heap, Throughput, P99 float64
	// HeapSpan, ThroughputSpan and P99Span are the extremes of the changes over the window.
	HeapSpan, ThroughputSpan, P99Span Span
	// Bounds are the bounds the window was checked against.
	Bounds Bounds
	// Unit names a bucket in String and Failures ("minute", "bucket").
	Unit string
	// Pass is true when the last bucket is within the bounds of the baseline and no bucket of the
	// window stalled (no call ended, no live heap sampled).
	Pass bool
	// Failures say why the run failed, one sentence each.
	Failures []string
	// Excursions name the buckets between the baseline and the last that stepped outside the
	// bounds: the drift of a shared machine from one minute to the next, which does not fail a
	// run (a leak or a slowdown shows in the last bucket), but is printed.
	Excursions []string
}

// BaselineFor picks the baseline bucket of a run of n buckets: the fifth (after 4 buckets of
// warm-up) for runs of 30 buckets or more, the n/6-th for shorter runs, and never before the first.
func BaselineFor(n int) int { return max(1, min(5, n/6)) }

// change is the change from base to v as a share; NaN when base is 0.
func change(base, v float64) float64 {
	if base == 0 {
		return math.NaN()
	}
	return (v - base) / base
}

// Summarize compares the last bucket with the one whose Index is baseline, as issue #25 words its
// figure ("between minute 5 and minute 30"): the live heap and the throughput within ±bounds of the
// baseline's, the p99 at most P99Drift above it. The buckets in between that step outside those
// bounds are listed as Excursions, which do not fail the run: on a 2-core machine shared with
// nothing, single minutes of a steady mock swing by ±12 % (a growing heap or a falling throughput
// still shows at the end). A bucket without calls, or without a live heap where the baseline has
// one, fails the run: a stall is what a soak looks for. Buckets before the baseline (the warm-up)
// are not checked. unit names a bucket in the sentences of Failures and in String ("minute"; empty:
// "bucket").
func Summarize(buckets []Bucket, baseline int, bounds Bounds, unit string) Summary {
	if unit == "" {
		unit = "bucket"
	}
	s := Summary{Baseline: baseline, Bounds: bounds, Unit: unit, Heap: math.NaN(), Throughput: math.NaN(), P99: math.NaN()}
	fail := func(format string, args ...any) {
		s.Failures = append(s.Failures, strings.ReplaceAll(fmt.Sprintf(format, args...), "bucket", unit))
	}
	start := slices.IndexFunc(buckets, func(b Bucket) bool { return b.Index == baseline })
	if start < 0 || start == len(buckets)-1 {
		fail("the run is too short: it has no bucket after bucket %d, the baseline", baseline)
		return s
	}
	base, window := buckets[start], buckets[start+1:]
	s.End = window[len(window)-1].Index
	if base.Requests == 0 {
		fail("no call ended in bucket %d, the baseline", base.Index)
	}
	if base.Samples == 0 || base.HeapLiveBytes == 0 {
		fail("no live heap was sampled in bucket %d, the baseline", base.Index)
	}
	spans := [3]Span{{math.Inf(1), math.Inf(-1)}, {math.Inf(1), math.Inf(-1)}, {math.Inf(1), math.Inf(-1)}}
	widen := func(i int, v float64) {
		spans[i].Min, spans[i].Max = min(spans[i].Min, v), max(spans[i].Max, v)
	}
	last := window[len(window)-1]
	for _, b := range window {
		outside := fail
		if b.Index != last.Index {
			outside = func(format string, args ...any) {
				s.Excursions = append(s.Excursions, strings.ReplaceAll(fmt.Sprintf(format, args...), "bucket", unit))
			}
		}
		if base.Requests > 0 {
			t := change(base.Throughput(), b.Throughput())
			widen(1, t)
			if math.Abs(t) > bounds.Throughput {
				outside("bucket %d: throughput %+.1f %% from bucket %d, outside ±%.0f %%", b.Index, 100*t, base.Index, 100*bounds.Throughput)
			}
			if b.Requests == 0 {
				fail("bucket %d: no call ended, so no p99", b.Index)
			} else if p := change(float64(base.P99), float64(b.P99)); !math.IsNaN(p) {
				widen(2, p)
				if p > bounds.P99Drift {
					outside("bucket %d: p99 %v, %+.1f %% from bucket %d, above +%.0f %%", b.Index, b.P99, 100*p, base.Index, 100*bounds.P99Drift)
				}
			}
		}
		if base.HeapLiveBytes > 0 {
			if b.Samples == 0 || b.HeapLiveBytes == 0 {
				fail("bucket %d: no live heap was sampled", b.Index)
				continue
			}
			h := change(float64(base.HeapLiveBytes), float64(b.HeapLiveBytes))
			widen(0, h)
			if math.Abs(h) > bounds.Heap {
				outside("bucket %d: live heap %.1f MiB, %+.1f %% from bucket %d, outside ±%.0f %%", b.Index, mib(b.HeapLiveBytes), 100*h, base.Index, 100*bounds.Heap)
			}
		}
	}
	if base.HeapLiveBytes > 0 && last.HeapLiveBytes > 0 {
		s.Heap = change(float64(base.HeapLiveBytes), float64(last.HeapLiveBytes))
	}
	if base.Requests > 0 {
		s.Throughput = change(base.Throughput(), last.Throughput())
		if last.Requests > 0 {
			s.P99 = change(float64(base.P99), float64(last.P99))
		}
	}
	for i, sp := range spans {
		if math.IsInf(sp.Min, 1) {
			spans[i] = Span{math.NaN(), math.NaN()}
		}
	}
	s.HeapSpan, s.ThroughputSpan, s.P99Span = spans[0], spans[1], spans[2]
	s.Pass = len(s.Failures) == 0
	return s
}

// Verdict is PASS or FAIL.
func (s Summary) Verdict() string {
	if s.Pass {
		return "PASS"
	}
	return "FAIL"
}

// pct prints a share as a signed percentage, or "?" when unknown.
func pct(v float64) string {
	if math.IsNaN(v) {
		return "?"
	}
	return fmt.Sprintf("%+.1f %%", 100*v)
}

// String is the summary line: the changes from the baseline bucket to the last, the range over
// the window, the bounds and the verdict.
func (s Summary) String() string {
	unit := s.Unit
	if unit == "" {
		unit = "bucket"
	}
	if s.End == 0 {
		return fmt.Sprintf("%s %d→?: %s (%s)", unit, s.Baseline, s.Verdict(), strings.Join(s.Failures, "; "))
	}
	return fmt.Sprintf("%s %d→%d: live heap %s (window %s…%s, bound ±%.0f %%), throughput %s (window %s…%s, bound ±%.0f %%), p99 drift %s (worst %s, bound +%.0f %%): %s",
		unit, s.Baseline, s.End,
		pct(s.Heap), pct(s.HeapSpan.Min), pct(s.HeapSpan.Max), 100*s.Bounds.Heap,
		pct(s.Throughput), pct(s.ThroughputSpan.Min), pct(s.ThroughputSpan.Max), 100*s.Bounds.Throughput,
		pct(s.P99), pct(s.P99Span.Max), 100*s.Bounds.P99Drift, s.Verdict())
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// ms prints a latency in milliseconds, or "-" without calls.
func ms(d time.Duration, requests int64) string {
	if requests == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond))
}

// formatErrors prints the error counts as class=n, sorted by class, or "-".
func formatErrors(errs map[string]int64) string {
	if len(errs) == 0 {
		return "-"
	}
	parts := make([]string, 0, len(errs))
	for _, k := range slices.Sorted(maps.Keys(errs)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, errs[k]))
	}
	return strings.Join(parts, " ")
}

// TableHeader is the header line of the table WriteRow prints under, unit names the bucket
// ("minute", "second").
func TableHeader(unit string) string {
	return fmt.Sprintf("%6s %9s %9s %9s %8s %8s %5s  %s", unit, "req/s", "p50 ms", "p99 ms", "RSS MiB", "heap MiB", "fds", "errors by class")
}

// FormatRow is the line of one bucket in the table, under TableHeader.
func FormatRow(b Bucket) string {
	rss, heap, fds := "-", "-", "-"
	if b.Samples > 0 {
		rss, fds = fmt.Sprintf("%.1f", mib(b.RSSBytes)), fmt.Sprint(b.FDs)
		if b.HeapLiveBytes > 0 {
			heap = fmt.Sprintf("%.1f", mib(b.HeapLiveBytes))
		}
	}
	return fmt.Sprintf("%6d %9.1f %9s %9s %8s %8s %5s  %s", b.Index, b.Throughput(), ms(b.P50, b.Requests), ms(b.P99, b.Requests), rss, heap, fds, formatErrors(b.Errors))
}

// WriteTable prints the header and a row for every bucket.
func WriteTable(w io.Writer, unit string, buckets []Bucket) error {
	if _, err := fmt.Fprintln(w, TableHeader(unit)); err != nil {
		return err
	}
	for _, b := range buckets {
		if _, err := fmt.Fprintln(w, FormatRow(b)); err != nil {
			return err
		}
	}
	return nil
}
