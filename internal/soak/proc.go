package soak

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// ProcSample is one look at the mock process.
type ProcSample struct {
	// At is when the sample was taken.
	At time.Time
	// RSSBytes is the resident set size (VmRSS of /proc/PID/status).
	RSSBytes uint64
	// FDs is the number of open file descriptors (entries of /proc/PID/fd).
	FDs int
	// HeapLiveBytes is the live heap the process reports (0: not known).
	HeapLiveBytes uint64
}

// Sampler takes a ProcSample of the process under test.
type Sampler interface {
	Sample(ctx context.Context) (ProcSample, error)
}

// ProcSampler reads the RSS and the open descriptors of a Linux process from /proc, and its live
// heap from the JSON of a /debug/vars URL (the heap_live_bytes of scalingodb-mock -debug-addr).
type ProcSampler struct {
	// PID is the process; 0 is the calling process itself.
	PID int
	// VarsURL is the process's /debug/vars; empty leaves the live heap unknown, unless HeapLive is set.
	VarsURL string
	// HeapLive, when set, gives the live heap instead of VarsURL (for an in-process target).
	HeapLive func() uint64
	// Client fetches VarsURL; nil uses a client with a 5 s timeout.
	Client *http.Client
	// Root is the proc file system; empty is /proc.
	Root string
}

// maxVarsBytes bounds the /debug/vars answer read (memstats is about 6 KiB).
const maxVarsBytes = 1 << 20

// Sample reads /proc and VarsURL. An unreadable /proc is an error; a VarsURL that does not answer
// leaves HeapLiveBytes at 0 and is returned as an error along with the rest of the sample.
func (p *ProcSampler) Sample(ctx context.Context) (ProcSample, error) {
	s := ProcSample{At: time.Now()}
	root := p.Root
	if root == "" {
		root = "/proc"
	}
	dir := root + "/self"
	if p.PID != 0 {
		dir = root + "/" + strconv.Itoa(p.PID)
	}
	rss, err := readRSS(dir + "/status")
	if err != nil {
		return s, err
	}
	s.RSSBytes = rss
	entries, err := os.ReadDir(dir + "/fd")
	if err != nil {
		return s, err
	}
	s.FDs = len(entries)
	switch {
	case p.HeapLive != nil:
		s.HeapLiveBytes = p.HeapLive()
	case p.VarsURL != "":
		h, err := p.heapLive(ctx)
		if err != nil {
			return s, err
		}
		s.HeapLiveBytes = h
	}
	return s, nil
}

// readRSS reads the VmRSS line of a /proc/PID/status file.
func readRSS(path string) (uint64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, 64<<10))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("%s: VmRSS line %q is not \"N kB\"", path, sc.Text())
		}
		kb, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: VmRSS: %w", path, err)
		}
		return kb << 10, nil
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return 0, fmt.Errorf("%s: no VmRSS line", path)
}

// errNoHeapLive reports a /debug/vars answer without heap_live_bytes.
var errNoHeapLive = errors.New("soak: /debug/vars has no heap_live_bytes")

// heapLive fetches VarsURL and returns its heap_live_bytes.
func (p *ProcSampler) heapLive(ctx context.Context) (uint64, error) {
	hc := p.Client
	if hc == nil {
		hc = &http.Client{Timeout: 5 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.VarsURL, nil)
	if err != nil {
		return 0, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxVarsBytes))
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("soak: GET /debug/vars: %s", resp.Status)
	}
	var v struct {
		HeapLiveBytes *uint64 `json:"heap_live_bytes"`
	}
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&v); err != nil {
		return 0, fmt.Errorf("soak: /debug/vars: %w", err)
	}
	if v.HeapLiveBytes == nil {
		return 0, errNoHeapLive
	}
	return *v.HeapLiveBytes, nil
}
