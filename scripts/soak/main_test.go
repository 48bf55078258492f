package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// buildMock builds cmd/scalingodb-mock into a temporary folder.
func buildMock(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "scalingodb-mock")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/scalingodb-mock")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestRun_Process runs a 3-second soak against the mock built and started as a process, with
// faults: it prints the start line, the table of 3 rows with a live heap, the errors by class
// (5xx, 429 and conn among them), and the summary line; it exits 1 exactly when that line says
// FAIL, and the mock is gone when it returns.
func TestRun_Process(t *testing.T) {
	bin := buildMock(t)
	var stdout, stderr bytes.Buffer
	mockLog := filepath.Join(t.TempDir(), "mock.log")
	code := run(t.Context(), []string{"-mock", bin, "-mock-log", mockLog, "-duration", "3s", "-bucket", "1s", "-interval", "250ms",
		"-workers", "8", "-backup-every", "1s", "-error-rate", "0.2", "-reset-rate", "0.1", "-rate-limit-rate", "0.1"}, &stdout, &stderr)
	out := stdout.String()
	t.Logf("exit %d\n%s%s", code, out, stderr.String())

	start := regexp.MustCompile(`(?m)^soak: 3s against http://127\.0\.0\.1:[0-9]+/api \(pid ([0-9]+), -error-rate 0\.2 -reset-rate 0\.1 -rate-limit-rate 0\.1\), 8 workers, closed loop`).FindStringSubmatch(out)
	if start == nil {
		t.Fatalf("no start line")
	}
	header := regexp.MustCompile(`(?m)^\s+row\s+req/s\s+p50 ms\s+p99 ms\s+RSS MiB heap MiB\s+fds\s+errors by class$`)
	if !header.MatchString(out) {
		t.Errorf("no table header")
	}
	// A row: index, req/s, p50, p99, RSS, live heap, fds (all known), errors.
	rows := regexp.MustCompile(`(?m)^\s+([0-9]+)\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+\s+([0-9.]+)\s+[0-9]+\s+\S`).FindAllStringSubmatch(out, -1)
	if len(rows) != 3 {
		t.Errorf("%d complete rows, want 3", len(rows))
	}
	for i, r := range rows {
		if r[1] != strconv.Itoa(i+1) {
			t.Errorf("row %d numbered %s", i+1, r[1])
		}
		if h, _ := strconv.ParseFloat(r[2], 64); h <= 0 {
			t.Errorf("row %d: live heap %s MiB", i+1, r[2])
		}
	}
	classes := regexp.MustCompile(`(?m)^errors by class: (.*)$`).FindStringSubmatch(out)
	if classes == nil {
		t.Fatalf("no errors line")
	}
	for _, class := range []string{"5xx=", "429=", "conn="} {
		if !strings.Contains(classes[1], class) {
			t.Errorf("errors by class %q: no %s", classes[1], class)
		}
	}
	summary := regexp.MustCompile(`(?m)^soak: 3s with faults \(.-error-rate 0\.2 -reset-rate 0\.1 -rate-limit-rate 0\.1.\): row 1→3: live heap [-+][0-9.]+ % \(window .*\), throughput [-+][0-9.]+ % .*, p99 drift [-+][0-9.]+ % .*: (PASS|FAIL)$`).FindStringSubmatch(out)
	if summary == nil {
		t.Fatalf("no summary line")
	}
	if want := map[string]int{"PASS": exitPass, "FAIL": exitFail}[summary[1]]; code != want {
		t.Errorf("exit %d with %s, want %d", code, summary[1], want)
	}
	if strings.Contains(stderr.String(), "stopping the mock") {
		t.Errorf("the mock did not stop cleanly: %s", stderr.String())
	}
	if _, err := os.Stat("/proc/" + start[1]); err == nil {
		t.Errorf("the mock (pid %s) still runs", start[1])
	}
	log, err := os.ReadFile(mockLog)
	if err != nil || !strings.Contains(string(log), "scalingodb-mock: stopped") {
		t.Errorf("the mock's log does not end with its clean stop: %v\n%s", err, log)
	}
}

// TestRun_Setup checks the exit codes of the runs that cannot start: 2 for a bad flag or a
// missing binary, 0 for -h.
func TestRun_Setup(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"help", []string{"-h"}, exitPass},
		{"bad flag", []string{"-no-such-flag"}, exitSetup},
		{"no mock binary", []string{"-mock", filepath.Join(t.TempDir(), "missing"), "-duration", "1s"}, exitSetup},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if code := run(context.Background(), tt.args, &out, &out); code != tt.want {
				t.Errorf("exit %d, want %d\n%s", code, tt.want, out.String())
			}
		})
	}
}

func TestFaultFlags(t *testing.T) {
	tests := []struct {
		rates       [3]float64
		flags, with string
	}{
		{[3]float64{0.1, 0.05, 0.05}, "-error-rate 0.1 -reset-rate 0.05 -rate-limit-rate 0.05", "with faults (`-error-rate 0.1 -reset-rate 0.05 -rate-limit-rate 0.05`)"},
		{[3]float64{0, 0, 0.5}, "-error-rate 0 -reset-rate 0 -rate-limit-rate 0.5", "with faults (`-error-rate 0 -reset-rate 0 -rate-limit-rate 0.5`)"},
		{[3]float64{0, 0, 0}, "-error-rate 0 -reset-rate 0 -rate-limit-rate 0", "without faults"},
	}
	for _, tt := range tests {
		flags, with := faultFlags(tt.rates[0], tt.rates[1], tt.rates[2])
		if flags != tt.flags || with != tt.with {
			t.Errorf("faultFlags(%v) = %q, %q; want %q, %q", tt.rates, flags, with, tt.flags, tt.with)
		}
	}
}
