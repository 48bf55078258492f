package mockserver

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkBodyCapRSS sends three concurrent 100 MB POSTs to the mock, in a process of its own as
// cmd/scalingodb-mock runs it (see BenchmarkListUsersLatency), and reports how much its resident
// memory grew, in MiB: its peak RSS during the POSTs (VmHWM, reset before them through
// /proc/PID/clear_refs; where that is refused, the highest VmRSS sampled every millisecond) less
// its RSS before them. Each POST must be answered 413. The bodies are chunked, or announced by a
// Content-Length; the goal is at most 16 MiB.
func BenchmarkBodyCapRSS(b *testing.B) {
	for _, mode := range []struct {
		name   string
		length int64 // the request's ContentLength: -1 sends it chunked
	}{{"chunked", -1}, {"content-length", 100e6}} {
		b.Run(mode.name, func(b *testing.B) {
			var growth int64
			for b.Loop() {
				growth = max(growth, bodyCapRSSGrowth(b, mode.length))
			}
			b.ReportMetric(float64(growth)/(1<<20), "rss-growth-MiB")
		})
	}
}

// bodyCapRSSGrowth runs one mock process through three concurrent 100 MB POSTs and returns how many
// bytes its RSS grew.
func bodyCapRSSGrowth(b *testing.B, length int64) int64 {
	b.Helper()
	addr, pid, stop := startServer(b, nil, "mock")
	defer stop()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	cl := &http.Client{Transport: tr, Timeout: time.Minute}
	post := func(body io.Reader, length int64) (int, error) {
		req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/api/databases/my-db-123/users", body)
		if err != nil {
			return 0, err
		}
		req.ContentLength = length
		req.Header.Set("Authorization", "Bearer "+DefaultToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := cl.Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	// Warm up: a request of each kind, so that what the first one sets up is not counted.
	if st, err := post(strings.NewReader(`{"database_user":{"name":"warm-up"}}`), -1); err != nil || st != http.StatusCreated {
		b.Fatalf("warm-up POST: %d, %v", st, err)
	}
	if st, err := post(io.LimitReader(zeros{}, 100e6), length); err != nil || st != http.StatusRequestEntityTooLarge {
		b.Fatalf("warm-up POST over the cap: %d, %v", st, err)
	}
	before, err := procStatus(pid, "VmRSS")
	if err != nil {
		b.Fatal(err)
	}
	hwm := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0) == nil // resets VmHWM

	var peak int64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if rss, err := procStatus(pid, "VmRSS"); err == nil {
				peak = max(peak, rss)
			}
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for range 3 {
		wg.Go(func() {
			st, err := post(io.LimitReader(zeros{}, 100e6), length)
			if err == nil && st != http.StatusRequestEntityTooLarge {
				err = fmt.Errorf("status %d, want 413", st)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(done)
	<-sampled
	close(errs)
	for err := range errs {
		if err != nil {
			b.Fatalf("100 MB POST: %v", err)
		}
	}
	if hwm {
		v, err := procStatus(pid, "VmHWM")
		if err != nil {
			b.Fatal(err)
		}
		peak = max(peak, v)
	}
	return max(peak-before, 0)
}

// procStatus reads a memory line of /proc/PID/status ("VmRSS", "VmHWM"), in bytes.
func procStatus(pid int, key string) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/%d/status: %q: %w", pid, line, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", key, pid)
}
