package soak

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProcSampler_Self samples the test process itself: an RSS of at least 1 MiB, and exactly the
// descriptors it opens and closes between samples.
func TestProcSampler_Self(t *testing.T) {
	p := &ProcSampler{}
	before, err := p.Sample(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if before.RSSBytes < 1<<20 || before.FDs < 3 {
		t.Fatalf("sample of the test process: RSS %d bytes, %d fds; want at least 1 MiB and 3", before.RSSBytes, before.FDs)
	}
	if before.HeapLiveBytes != 0 {
		t.Errorf("HeapLiveBytes %d without a source, want 0", before.HeapLiveBytes)
	}
	const n = 5
	var files []*os.File
	for range n {
		f, err := os.Open(os.DevNull)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	during, err := p.Sample(t.Context())
	for _, f := range files {
		f.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	if during.FDs != before.FDs+n {
		t.Errorf("after opening %d files: %d fds, want %d", n, during.FDs, before.FDs+n)
	}
	after, err := (&ProcSampler{PID: os.Getpid()}).Sample(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if after.FDs != before.FDs {
		t.Errorf("after closing them, by PID: %d fds, want %d", after.FDs, before.FDs)
	}
}

// TestProcSampler_HeapLive checks the live heap read from /debug/vars, and the errors of an answer
// without it, of a failing answer and of a broken /proc.
func TestProcSampler_HeapLive(t *testing.T) {
	serve := func(status int, body string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			w.Write([]byte(body))
		}))
		t.Cleanup(srv.Close)
		return srv.URL + "/debug/vars"
	}
	tests := []struct {
		name    string
		sampler *ProcSampler
		want    uint64
		wantErr string
	}{
		{"debug vars", &ProcSampler{VarsURL: serve(200, `{"heap_live_bytes": 1234567, "goroutines": 9, "memstats": {}}`)}, 1234567, ""},
		{"function", &ProcSampler{HeapLive: func() uint64 { return 42 }}, 42, ""},
		{"no heap_live_bytes", &ProcSampler{VarsURL: serve(200, `{"memstats": {"HeapAlloc": 5}}`)}, 0, errNoHeapLive.Error()},
		{"not JSON", &ProcSampler{VarsURL: serve(200, `heap: 5`)}, 0, "/debug/vars"},
		{"500", &ProcSampler{VarsURL: serve(500, `{"heap_live_bytes": 1}`)}, 0, "500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := tt.sampler.Sample(t.Context())
			if tt.wantErr == "" && err != nil {
				t.Fatalf("Sample: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Sample: %v, want an error saying %q", err, tt.wantErr)
			}
			if s.HeapLiveBytes != tt.want {
				t.Errorf("HeapLiveBytes %d, want %d", s.HeapLiveBytes, tt.want)
			}
			if s.RSSBytes == 0 {
				t.Errorf("RSS 0: /proc was not read")
			}
		})
	}
}

// TestProcSampler_BadProc checks that a /proc without a usable VmRSS line is an error, not a 0.
func TestProcSampler_BadProc(t *testing.T) {
	tests := []struct{ name, status string }{
		{"no VmRSS", "Name:\tmock\nVmSize:\t1000 kB\n"},
		{"not kB", "VmRSS:\t1000 MB\n"},
		{"not a number", "VmRSS:\tlots kB\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, "42")
			if err := os.MkdirAll(filepath.Join(dir, "fd"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "status"), []byte(tt.status), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := (&ProcSampler{PID: 42, Root: root}).Sample(t.Context()); err == nil || !strings.Contains(err.Error(), "VmRSS") {
				t.Errorf("Sample: %v, want an error about VmRSS", err)
			}
		})
	}
	if _, err := (&ProcSampler{PID: 42, Root: t.TempDir()}).Sample(t.Context()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Sample of a process that does not exist: %v, want os.ErrNotExist", err)
	}
	good := t.TempDir()
	if err := os.MkdirAll(filepath.Join(good, "7", "fd", "3"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(good, "7", "status"), []byte("VmRSS:\t  2048 kB\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := (&ProcSampler{PID: 7, Root: good}).Sample(t.Context())
	if err != nil || s.RSSBytes != 2<<20 || s.FDs != 1 {
		t.Errorf("Sample of a fake /proc: %+v, %v; want 2 MiB and 1 fd", s, err)
	}
}
