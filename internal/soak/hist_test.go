package soak

import (
	"math"
	"testing"
	"time"
)

// TestHistIndex checks that the buckets are continuous and ordered, and that the middle of each
// bucket is within 1/32 of every duration it holds.
func TestHistIndex(t *testing.T) {
	prev := -1
	for _, ns := range []uint64{0, 1, 31, 32, 33, 63, 64, 65, 1000, 1 << 20, 1<<20 + 1, 123456789, 1 << 40, math.MaxInt64} {
		i := histIndex(ns)
		if i < prev || i >= histBuckets {
			t.Fatalf("histIndex(%d) = %d, after %d (of %d)", ns, i, prev, histBuckets)
		}
		prev = i
		mid := histValue(i)
		if d := math.Abs(float64(mid) - float64(ns)); d > float64(ns)/32+0.5 {
			t.Errorf("histValue(histIndex(%d)) = %d, %.1f %% off", ns, mid, 100*d/float64(ns))
		}
	}
	for i := range histBuckets - 1 {
		if histIndex(histValue(i)) != i {
			t.Fatalf("histIndex(histValue(%d)) = %d", i, histIndex(histValue(i)))
		}
	}
}

func TestHistogram_Quantile(t *testing.T) {
	uniform := func() *histogram {
		h := &histogram{}
		for i := 1; i <= 1000; i++ {
			h.record(time.Duration(i) * time.Millisecond)
		}
		return h
	}
	one := &histogram{}
	one.record(7 * time.Millisecond)
	tail := &histogram{}
	for range 980 {
		tail.record(time.Millisecond)
	}
	for range 20 {
		tail.record(time.Second)
	}
	tests := []struct {
		name string
		h    *histogram
		q    float64
		want time.Duration
	}{
		{"empty", &histogram{}, 0.99, 0},
		{"one value, p50", one, 0.5, 7 * time.Millisecond},
		{"one value, p99", one, 0.99, 7 * time.Millisecond},
		{"uniform p50", uniform(), 0.5, 500 * time.Millisecond},
		{"uniform p99", uniform(), 0.99, 990 * time.Millisecond},
		{"2 % slow: p99 is slow", tail, 0.99, time.Second},
		{"2 % slow: p50 is fast", tail, 0.5, time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.h.quantile(tt.q)
			if math.Abs(float64(got-tt.want)) > float64(tt.want)/32 {
				t.Errorf("quantile(%v) = %v, want %v ± 3.1 %%", tt.q, got, tt.want)
			}
		})
	}
}
