package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// runInProcess runs the command in-process with -addr 127.0.0.1:0 and args, and returns what it
// prints on stdout. The run is cancelled at the end of the test and must then end without another
// error.
func runInProcess(t *testing.T, args ...string) io.Reader {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), pw, &discard{})
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		go func() { _, _ = io.Copy(io.Discard, pr) }()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("run: %v", err)
		}
	})
	return pr
}

// startRun runs the command in-process with args, and returns the lines it printed at start (up to
// the first line that is neither the serving line nor a line about links, debug vars or tokens, or
// half a second after the serving line).
func startRun(t *testing.T, args ...string) []string {
	t.Helper()
	pr := runInProcess(t, args...)
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var got []string
	timeout := time.After(10 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				return got
			}
			got = append(got, l)
			if strings.Contains(l, "serving on") {
				timeout = time.After(500 * time.Millisecond)
			}
		case <-timeout:
			go func() {
				for range lines {
				}
			}()
			return got
		}
	}
}

// TestRun_DebugAddr checks that -debug-addr serves the live heap on a listener of its own, in
// expvar's format, without the command line (which holds the tokens), and that without the flag
// neither the line nor the endpoint exist.
func TestRun_DebugAddr(t *testing.T) {
	debugRE := regexp.MustCompile(`debug vars on (http://127\.0\.0\.1:[0-9]+/debug/vars)`)

	t.Run("on", func(t *testing.T) {
		lines := startRun(t, "-token", "debug-secret-token", "-debug-addr", "127.0.0.1:0")
		var debugURL string
		for _, l := range lines {
			if m := debugRE.FindStringSubmatch(l); m != nil {
				debugURL = m[1]
			}
		}
		if debugURL == "" {
			t.Fatalf("no debug vars line in %q", lines)
		}
		status, body := get(t, debugURL)
		if status != http.StatusOK {
			t.Fatalf("GET %s: %d, want 200", debugURL, status)
		}
		if strings.Contains(string(body), "debug-secret-token") || strings.Contains(string(body), "cmdline") {
			t.Errorf("/debug/vars shows the command line or the token:\n%s", body)
		}
		var v struct {
			HeapLiveBytes uint64 `json:"heap_live_bytes"`
			Goroutines    int    `json:"goroutines"`
			MemStats      struct {
				HeapAlloc uint64
				NumGC     uint32
			} `json:"memstats"`
		}
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatalf("/debug/vars is not JSON: %v\n%s", err, body)
		}
		if v.MemStats.HeapAlloc == 0 || v.Goroutines == 0 {
			t.Errorf("/debug/vars: memstats.HeapAlloc %d, goroutines %d: want both > 0", v.MemStats.HeapAlloc, v.Goroutines)
		}
		// heap_live_bytes is set by the first collection; a test process has run several by now.
		if v.MemStats.NumGC > 0 && v.HeapLiveBytes == 0 {
			t.Errorf("/debug/vars: heap_live_bytes 0 after %d collections", v.MemStats.NumGC)
		}

		post, err := http.Post(debugURL, "text/plain", strings.NewReader("x"))
		if err != nil {
			t.Fatal(err)
		}
		post.Body.Close()
		if post.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("POST %s: %d, want 405", debugURL, post.StatusCode)
		}
	})

	t.Run("off by default", func(t *testing.T) {
		lines := startRun(t)
		var api string
		for _, l := range lines {
			if debugRE.MatchString(l) {
				t.Errorf("debug vars line without -debug-addr: %q", l)
			}
			if m := servingRE.FindStringSubmatch(l); m != nil {
				api = m[1]
			}
		}
		if api == "" {
			t.Fatalf("no serving line in %q", lines)
		}
		// The API's listener does not serve /debug/vars.
		if status, _ := get(t, strings.TrimSuffix(api, "/api")+debugVarsPath); status == http.StatusOK {
			t.Errorf("GET /debug/vars on the API's listener: 200, want a refusal")
		}
	})

	t.Run("bad address", func(t *testing.T) {
		err := run(t.Context(), []string{"-addr", "127.0.0.1:0", "-debug-addr", "127.0.0.1:-1"}, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "-debug-addr") {
			t.Errorf("run with -debug-addr 127.0.0.1:-1: %v, want an error naming -debug-addr", err)
		}
	})
}
