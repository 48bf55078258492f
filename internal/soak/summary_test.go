package soak

import (
	"math"
	"strings"
	"testing"
	"time"
)

// flat returns n one-minute buckets of 1,000 calls/s, p99 50 ms and a 10 MiB live heap.
func flat(n int) []Bucket {
	bs := make([]Bucket, n)
	for i := range bs {
		bs[i] = Bucket{Index: i + 1, Span: time.Minute, Requests: 60000, P50: 5 * time.Millisecond, P99: 50 * time.Millisecond,
			Samples: 6, RSSBytes: 40 << 20, HeapLiveBytes: 10 << 20, FDs: 60}
	}
	return bs
}

// with returns flat(n) with f applied to the bucket whose Index is i.
func with(n, i int, f func(*Bucket)) []Bucket {
	bs := flat(n)
	f(&bs[i-1])
	return bs
}

func TestSummarize(t *testing.T) {
	heap := func(share float64) func(*Bucket) {
		return func(b *Bucket) { b.HeapLiveBytes = uint64(float64(b.HeapLiveBytes) * (1 + share)) }
	}
	tput := func(share float64) func(*Bucket) {
		return func(b *Bucket) { b.Requests = int64(float64(b.Requests) * (1 + share)) }
	}
	p99 := func(share float64) func(*Bucket) {
		return func(b *Bucket) { b.P99 = time.Duration(float64(b.P99) * (1 + share)) }
	}
	idle := func(b *Bucket) { b.Requests, b.P50, b.P99 = 0, 0, 0 }
	noSample := func(b *Bucket) { b.Samples, b.RSSBytes, b.HeapLiveBytes, b.FDs = 0, 0, 0, 0 }
	tests := []struct {
		name     string
		buckets  []Bucket
		baseline int
		pass     bool
		failure  string // a part of one of the failures, when !pass
		// excursion is a part of one of the excursions: a minute between the baseline and the
		// last outside the bounds, which fails nothing.
		excursion string
	}{
		{"flat for 30 minutes", flat(30), 5, true, "", ""},
		{"heap +50 % at the end", with(30, 30, heap(0.5)), 5, false, "minute 30: live heap 15.0 MiB, +50.0 %", ""},
		{"heap +50 % in one minute of the window: an excursion", with(30, 17, heap(0.5)), 5, true, "", "minute 17: live heap"},
		{"heap -50 % at the end", with(30, 30, heap(-0.5)), 5, false, "minute 30: live heap", ""},
		{"heap +9 % at the end", with(30, 30, heap(0.09)), 5, true, "", ""},
		{"heap +50 % during the warm-up", with(30, 3, heap(0.5)), 5, true, "", ""},
		{"heap +50 % at the baseline", with(30, 5, heap(0.5)), 5, false, "live heap", ""},
		{"throughput -20 % at the end", with(30, 30, tput(-0.2)), 5, false, "minute 30: throughput -20.0 %", ""},
		{"throughput +20 % in the window: an excursion", with(30, 10, tput(0.2)), 5, true, "", "minute 10: throughput +20.0 %"},
		{"p99 +50 % in the window: an excursion", with(30, 12, p99(0.5)), 5, true, "", "minute 12: p99"},
		{"throughput -9 % at the end", with(30, 30, tput(-0.09)), 5, true, "", ""},
		{"p99 +30 % at the end", with(30, 30, p99(0.3)), 5, false, "minute 30: p99 65ms, +30.0 %", ""},
		{"p99 +19 % at the end", with(30, 30, p99(0.19)), 5, true, "", ""},
		{"p99 -40 % at the end: faster is no failure", with(30, 30, p99(-0.4)), 5, true, "", ""},
		{"a minute without calls during the warm-up", with(30, 2, idle), 5, true, "", ""},
		{"a minute without calls in the window", with(30, 12, idle), 5, false, "minute 12: no call ended", ""},
		{"the last minute without calls", with(30, 30, idle), 5, false, "minute 30: throughput -100.0 %", ""},
		{"the baseline without calls", with(30, 5, idle), 5, false, "no call ended in minute 5, the baseline", ""},
		{"a minute without samples in the window", with(30, 20, noSample), 5, false, "minute 20: no live heap was sampled", ""},
		{"the baseline without samples", with(30, 5, noSample), 5, false, "no live heap was sampled in minute 5", ""},
		{"no live heap at all", func() []Bucket {
			bs := flat(30)
			for i := range bs {
				bs[i].HeapLiveBytes = 0
			}
			return bs
		}(), 5, false, "no live heap was sampled in minute 5", ""},
		{"3 minutes, baseline 1", flat(3), 1, true, "", ""},
		{"3 minutes, heap +50 % at the end", with(3, 3, heap(0.5)), 1, false, "minute 3: live heap", ""},
		{"too short: nothing after the baseline", flat(5), 5, false, "too short", ""},
		{"too short: no baseline", flat(3), 5, false, "too short", ""},
		{"no bucket", nil, 5, false, "too short", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize(tt.buckets, tt.baseline, DefaultBounds(), "minute")
			if s.Pass != tt.pass {
				t.Fatalf("Pass = %v, want %v; failures: %q", s.Pass, tt.pass, s.Failures)
			}
			if tt.pass != (len(s.Failures) == 0) {
				t.Errorf("Pass %v with failures %q", s.Pass, s.Failures)
			}
			if tt.failure != "" && !strings.Contains(strings.Join(s.Failures, "\n"), tt.failure) {
				t.Errorf("failures %q do not say %q", s.Failures, tt.failure)
			}
			if tt.excursion != "" && !strings.Contains(strings.Join(s.Excursions, "\n"), tt.excursion) {
				t.Errorf("excursions %q do not say %q", s.Excursions, tt.excursion)
			}
			if tt.excursion == "" && len(s.Excursions) > 0 && tt.pass {
				t.Errorf("excursions %q in a run that has none", s.Excursions)
			}
			line := s.String()
			if !strings.HasSuffix(line, s.Verdict()) && !strings.Contains(line, ": "+s.Verdict()+" (") {
				t.Errorf("summary line %q does not end with the verdict %s", line, s.Verdict())
			}
			if strings.Contains(line, "NaN") || strings.Contains(line, "Inf") {
				t.Errorf("summary line %q prints NaN or Inf", line)
			}
		})
	}
}

// TestSummarize_Figures checks the figures of the summary line: the changes from the baseline to
// the end, and their extremes over the window.
func TestSummarize_Figures(t *testing.T) {
	bs := flat(30)
	bs[9].HeapLiveBytes = 11 << 20  // +10 %: the bound itself passes
	bs[29].HeapLiveBytes = 19 << 19 // 9.5 MiB: -5 %
	bs[14].Requests = 57000         // -5 %
	bs[29].Requests = 63000         // +5 %
	bs[20].P99 = 55 * time.Millisecond
	bs[29].P99 = 40 * time.Millisecond
	s := Summarize(bs, 5, DefaultBounds(), "minute")
	if !s.Pass {
		t.Fatalf("FAIL: %q", s.Failures)
	}
	near := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	near("Heap", s.Heap, -0.05)
	near("HeapSpan.Min", s.HeapSpan.Min, -0.05)
	near("HeapSpan.Max", s.HeapSpan.Max, 0.10)
	near("Throughput", s.Throughput, 0.05)
	near("ThroughputSpan.Min", s.ThroughputSpan.Min, -0.05)
	near("P99", s.P99, -0.2)
	near("P99Span.Max", s.P99Span.Max, 0.1)
	if s.Baseline != 5 || s.End != 30 {
		t.Errorf("window %d→%d, want 5→30", s.Baseline, s.End)
	}
	want := "minute 5→30: live heap -5.0 % (window -5.0 %…+10.0 %, bound ±10 %), throughput +5.0 % (window -5.0 %…+5.0 %, bound ±10 %), p99 drift -20.0 % (worst +10.0 %, bound +20 %): PASS"
	if got := s.String(); got != want {
		t.Errorf("summary line\n got %s\nwant %s", got, want)
	}
}

func TestBaselineFor(t *testing.T) {
	for n, want := range map[int]int{0: 1, 1: 1, 3: 1, 6: 1, 12: 2, 29: 4, 30: 5, 60: 5, 600: 5} {
		if got := BaselineFor(n); got != want {
			t.Errorf("BaselineFor(%d) = %d, want %d", n, got, want)
		}
	}
}

// TestFormatRow checks the row of a bucket without calls or samples: dashes, no NaN, no division
// by zero.
func TestFormatRow(t *testing.T) {
	tests := []struct {
		name string
		b    Bucket
		want string
	}{
		{"busy", Bucket{Index: 7, Span: time.Minute, Requests: 6000, P50: 1500 * time.Microsecond, P99: 12 * time.Millisecond,
			Samples: 6, RSSBytes: 30 << 20, HeapLiveBytes: 5 << 20, FDs: 55, Errors: map[string]int64{"5xx": 3, "429": 2}},
			"     7     100.0       1.5      12.0     30.0      5.0    55  429=2 5xx=3"},
		{"idle, unsampled", Bucket{Index: 2, Span: time.Minute},
			"     2       0.0         -         -        -        -     -  -"},
		{"empty span", Bucket{Index: 1}, "     1       0.0         -         -        -        -     -  -"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatRow(tt.b); got != tt.want {
				t.Errorf("FormatRow\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}
