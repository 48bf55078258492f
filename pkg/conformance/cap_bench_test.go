package conformance_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"
)

// gzipBomb is a gzip body of about 1 MiB that expands to 1 GiB of JSON whitespace after an opening
// `{"database-users":[`: 1024 gzip members of 1 MiB each, as net/http's transparent decompression
// reads them one after the other.
func gzipBomb(b *testing.B) []byte {
	b.Helper()
	var out bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&out, gzip.BestCompression)
	_, _ = zw.Write([]byte(`{"database-users":[`))
	_ = zw.Close()
	var member bytes.Buffer
	zw, _ = gzip.NewWriterLevel(&member, gzip.BestCompression)
	_, _ = zw.Write(bytes.Repeat([]byte(" "), 1<<20))
	_ = zw.Close()
	for range 1024 {
		out.Write(member.Bytes())
	}
	return out.Bytes()
}

// BenchmarkTransportGzipBomb sends one 1 MiB gzip answer that expands to 1 GiB through the
// validating transport (default cap, 32 MiB) per iteration, and reports the peak of the heap's
// object bytes above what it was before the request (peak-heap-MiB, goal <= 64, sampled every
// 50 µs) and the bytes allocated per request (alloc-MiB/op, which bounds the peak from above).
func BenchmarkTransportGzipBomb(b *testing.B) {
	v := newValidator(b)
	bomb := gzipBomb(b)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(bomb)
	}))
	defer srv.Close()
	client := &http.Client{Transport: v.Transport(nil)}
	url := srv.URL + "/api/databases/my-db-123/users"
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	heap := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	var peak, allocated float64
	for b.Loop() {
		runtime.GC()
		base := heap()
		var top atomic.Uint64
		done := make(chan struct{})
		stopped := make(chan struct{})
		go func() {
			defer close(stopped)
			t := time.NewTicker(50 * time.Microsecond)
			defer t.Stop()
			for {
				if h := heap(); h > top.Load() {
					top.Store(h)
				}
				select {
				case <-done:
					return
				case <-t.C:
				}
			}
		}()
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		resp, err := client.Get(url)
		runtime.ReadMemStats(&ms1)
		close(done)
		<-stopped
		var mbe *http.MaxBytesError
		if !errors.As(err, &mbe) {
			if resp != nil {
				resp.Body.Close()
			}
			b.Fatalf("err = %v, want one wrapping *http.MaxBytesError", err)
		}
		if h := heap(); h > top.Load() {
			top.Store(h)
		}
		if p := float64(top.Load()) - float64(base); p > peak {
			peak = p
		}
		allocated += float64(ms1.TotalAlloc - ms0.TotalAlloc)
	}
	b.ReportMetric(peak/(1<<20), "peak-heap-MiB")
	b.ReportMetric(allocated/float64(b.N)/(1<<20), "alloc-MiB/op")
}
