package soak

import (
	"math/bits"
	"time"
)

// subBits is the number of bits of each power of two a histogram tells apart: 32 buckets per
// doubling, so a percentile is off by at most 1/32 (3.1 %) of its value.
const subBits = 5

// histBuckets covers every duration from 0 to the largest int64 of nanoseconds.
const histBuckets = (64 - subBits) << subBits

// histogram counts durations in log-linear buckets (in the manner of HdrHistogram): a fixed 15 KiB,
// whatever the number of requests, so that the soak's own memory stays flat however long it runs.
type histogram struct {
	counts [histBuckets]uint64
	n      uint64
}

// histIndex is the bucket of a duration of ns nanoseconds.
func histIndex(ns uint64) int {
	if ns < 1<<subBits {
		return int(ns)
	}
	e := bits.Len64(ns) - subBits - 1
	return (e+1)<<subBits + int(ns>>e&(1<<subBits-1))
}

// histValue is the middle of bucket i, in nanoseconds.
func histValue(i int) uint64 {
	if i < 1<<subBits {
		return uint64(i)
	}
	e := i>>subBits - 1
	low := uint64(1<<subBits+i&(1<<subBits-1)) << e
	return low + (uint64(1)<<e)/2
}

// record counts one duration; a negative one counts as 0.
func (h *histogram) record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[histIndex(uint64(d))]++
	h.n++
}

// quantile is the duration below which a share q (0 to 1) of the recorded durations fall, or 0
// when none was recorded.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n) + 0.5)
	rank = max(rank, 1)
	rank = min(rank, h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return time.Duration(histValue(i))
		}
	}
	return 0 // unreachable: seen reaches n
}
