package soak

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestStartMock runs stand-ins of the mock (shell scripts): the URLs are read from the start
// lines, a process that exits or hangs before printing them is an error, and Stop ends it.
func TestStartMock(t *testing.T) {
	const serving = `echo "scalingodb-mock: serving on http://127.0.0.1:1234/api  token: t  database: my-db-123"`
	const vars = `echo "scalingodb-mock: debug vars on http://127.0.0.1:5678/debug/vars"`

	t.Run("both lines", func(t *testing.T) {
		var log bytes.Buffer
		m, err := StartMock(t.Context(), "/bin/sh", []string{"-c", serving + "; echo other; echo on stderr >&2; " + vars + "; exec sleep 30", "sh", "-debug-addr"}, &log)
		if err != nil {
			t.Fatal(err)
		}
		if m.BaseURL != "http://127.0.0.1:1234/api" || m.VarsURL != "http://127.0.0.1:5678/debug/vars" || m.PID == 0 {
			t.Errorf("BaseURL %q, VarsURL %q, PID %d", m.BaseURL, m.VarsURL, m.PID)
		}
		start := time.Now()
		err = m.Stop()
		if err == nil || !strings.Contains(err.Error(), "terminated") {
			t.Errorf("Stop: %v, want the exit of sleep on SIGTERM", err)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("Stop took %v", took)
		}
		if !strings.Contains(log.String(), "other\n") || !strings.Contains(log.String(), "on stderr") {
			t.Errorf("the mock's other lines are not in the log: %q", log.String())
		}
	})

	t.Run("without -debug-addr, the serving line is enough", func(t *testing.T) {
		m, err := StartMock(t.Context(), "/bin/sh", []string{"-c", serving + "; exec sleep 30"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = m.Stop() }()
		if m.VarsURL != "" {
			t.Errorf("VarsURL %q", m.VarsURL)
		}
	})

	t.Run("exits first", func(t *testing.T) {
		_, err := StartMock(t.Context(), "/bin/sh", []string{"-c", "echo starting; exit 3"}, nil)
		if err == nil || !strings.Contains(err.Error(), "exited before printing its URLs") || !strings.Contains(err.Error(), "exit status 3") {
			t.Errorf("StartMock: %v, want the exit status 3 before the URLs", err)
		}
	})

	t.Run("a URL elsewhere than 127.0.0.1 is not taken", func(t *testing.T) {
		_, err := StartMock(t.Context(), "/bin/sh", []string{"-c", `echo "scalingodb-mock: serving on http://example.com:80/api"`}, nil)
		if err == nil {
			t.Errorf("StartMock took a URL outside 127.0.0.1")
		}
	})

	t.Run("hangs until the context ends", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := StartMock(ctx, "/bin/sh", []string{"-c", "exec sleep 30"}, nil)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("StartMock: %v, want context.DeadlineExceeded", err)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("StartMock took %v to give up", took)
		}
	})

	t.Run("no such binary", func(t *testing.T) {
		if _, err := StartMock(t.Context(), "/nonexistent/scalingodb-mock", nil, nil); err == nil {
			t.Error("StartMock of a missing binary: no error")
		}
	})
}
