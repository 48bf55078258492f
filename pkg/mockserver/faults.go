package mockserver

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/respond"
)

// Faults describes the failures a Server injects, by WithFaults. Rates are shares of requests,
// between 0 and 1; ErrorRate, RateLimitRate and ResetRate cannot add up to more than 1. The sequence
// of faults is deterministic for a Seed and an order of requests.
type Faults struct {
	// Latency is added to every request.
	Latency time.Duration
	// ErrorRate is the share of requests answered 500, 502, 503 or 504 with a JSON Error body. For writes
	// the fault falls before or after the operation runs (the FaultLog tells which).
	ErrorRate float64
	// RateLimitRate is the share of requests answered 429 with a Retry-After header.
	RateLimitRate float64
	// RetryAfter is the Retry-After value of those 429 answers, in seconds: 0 means the default 1,
	// a negative value sends "Retry-After: 0".
	RetryAfter int
	// ResetRate is the share of requests whose connection is cut in the middle of the body, after the
	// headers and part of it (for a download, part of the archive) have been sent. An answer without a
	// body (a 204) is cut before its status line: the client reads nothing.
	ResetRate float64
	// ArchiveChangeRate is the share of archive downloads (downloadBackup answers 200 or 206) after
	// which that archive's bytes change, and with them its ETag and Last-Modified, its size staying
	// the same: 1 changes it after every download. It tests a client's defence against splicing two
	// versions of an archive when it resumes. It is drawn apart from the other rates and does not
	// count in their sum.
	ArchiveChangeRate float64
	// Seed seeds the fault sequence.
	Seed int64
}

// WithFaults makes the Server inject faults (default: none).
func WithFaults(f Faults) Option {
	return func(c *config) { c.faults = f }
}

func (f Faults) check() error {
	for _, r := range []float64{f.ErrorRate, f.RateLimitRate, f.ResetRate, f.ArchiveChangeRate} {
		if r < 0 || r > 1 {
			return fmt.Errorf("mockserver: fault rate %v is not in [0, 1]", r)
		}
	}
	if f.ErrorRate+f.RateLimitRate+f.ResetRate > 1 {
		return errors.New("mockserver: fault rates add up to more than 1")
	}
	if f.Latency < 0 {
		return errors.New("mockserver: negative fault latency")
	}
	return nil
}

func (f Faults) active() bool {
	return f.Latency > 0 || f.ErrorRate > 0 || f.RateLimitRate > 0 || f.ResetRate > 0 || f.ArchiveChangeRate > 0
}

// FaultRecord is one injected fault in the Server's FaultLog.
type FaultRecord struct {
	RequestID   string    // the X-Request-Id of the answer
	OperationID string    // the operation the request was routed to ("" if none)
	Kind        FaultKind // what was injected
	Status      int       // the status sent (for a reset, the status of the cut answer)
	// Applied tells whether the operation ran and succeeded before the fault: a create answered 5xx
	// with Applied true did create its resource.
	Applied bool
}

// FaultKind names a kind of injected fault in a FaultRecord.
type FaultKind string

// The kinds of fault a Server injects (see Faults).
const (
	// FaultError is a 500, 502 or 503 answer with a JSON Error body (Faults.ErrorRate).
	FaultError FaultKind = "error"
	// FaultRateLimit is a 429 answer with Retry-After (Faults.RateLimitRate).
	FaultRateLimit FaultKind = "rate-limit"
	// FaultReset is a connection cut in the middle of the body, or before the status line of an
	// answer without one (Faults.ResetRate).
	FaultReset FaultKind = "reset"
	// FaultArchiveChange is a change of an archive's bytes after a download
	// (Faults.ArchiveChangeRate); its record is that of the download, served before the change.
	FaultArchiveChange FaultKind = "archive-change"
)

// FaultLogSize is the number of records the fault log keeps: Server.FaultLog returns the most
// recent FaultLogSize faults, and Server.FaultCounts counts them all. At about 100 bytes a record,
// the log holds well under 1 MB however long the Server runs.
const FaultLogSize = 4096

// faultInjector draws the faults of a Server and journals them: a ring of the FaultLogSize most
// recent records, and a count by operation and kind, bounded by the spec's operations.
type faultInjector struct {
	f      Faults
	mu     sync.Mutex
	rng    *rand.Rand
	ring   []FaultRecord // up to FaultLogSize records; once full, next is the oldest
	next   int
	counts map[faultCountKey]*FaultCount
	// override, set by tests before serving, chooses the fault of each request instead of the seed.
	override func(*http.Request) faultPlan
}

type faultCountKey struct {
	op   string
	kind FaultKind
}

// FaultCount is how many faults of one kind a Server injected on one operation since it started,
// whatever the fault log has dropped since.
type FaultCount struct {
	OperationID string    // the operation ("" for requests routed to none)
	Kind        FaultKind // the kind of fault
	Injected    int       // faults of that kind on that operation
	Applied     int       // of which the operation took effect before the fault (FaultRecord.Applied)
}

// FaultCounts returns the count of every kind of fault injected on every operation since the
// Server started, sorted by operation then kind: unlike FaultLog, it forgets nothing.
func (s *Server) FaultCounts() []FaultCount {
	if s.faults == nil {
		return nil
	}
	return s.faults.countsCopy()
}

func newFaultInjector(f Faults) *faultInjector {
	return &faultInjector{f: f, rng: rand.New(rand.NewPCG(uint64(f.Seed), 0xfa017))}
}

type faultPlan struct {
	kind   FaultKind
	status int
	after  bool
}

func (fi *faultInjector) plan(write bool) faultPlan {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	roll := fi.rng.Float64()
	f := fi.f
	switch {
	case roll < f.ErrorRate:
		p := faultPlan{kind: FaultError, status: []int{500, 502, 503, 504}[fi.rng.IntN(4)]}
		p.after = write && fi.rng.IntN(2) == 1
		return p
	case roll < f.ErrorRate+f.RateLimitRate:
		return faultPlan{kind: FaultRateLimit, status: http.StatusTooManyRequests}
	case roll < f.ErrorRate+f.RateLimitRate+f.ResetRate:
		return faultPlan{kind: FaultReset}
	}
	return faultPlan{}
}

// changes tells whether an archive changes after a download that served it.
func (fi *faultInjector) changes() bool {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	return fi.rng.Float64() < fi.f.ArchiveChangeRate
}

func (fi *faultInjector) record(r FaultRecord) {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	if len(fi.ring) < FaultLogSize {
		fi.ring = append(fi.ring, r)
	} else {
		fi.ring[fi.next] = r
		fi.next = (fi.next + 1) % FaultLogSize
	}
	k := faultCountKey{r.OperationID, r.Kind}
	c := fi.counts[k]
	if c == nil {
		if fi.counts == nil {
			fi.counts = map[faultCountKey]*FaultCount{}
		}
		c = &FaultCount{OperationID: r.OperationID, Kind: r.Kind}
		fi.counts[k] = c
	}
	c.Injected++
	if r.Applied {
		c.Applied++
	}
}

// records returns the ring's records, oldest first.
func (fi *faultInjector) records() []FaultRecord {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	out := make([]FaultRecord, 0, len(fi.ring))
	out = append(out, fi.ring[fi.next:]...)
	return append(out, fi.ring[:fi.next]...)
}

func (fi *faultInjector) countsCopy() []FaultCount {
	fi.mu.Lock()
	out := make([]FaultCount, 0, len(fi.counts))
	for _, c := range fi.counts {
		out = append(out, *c)
	}
	fi.mu.Unlock()
	slices.SortFunc(out, func(a, b FaultCount) int {
		return cmp.Or(strings.Compare(a.OperationID, b.OperationID), strings.Compare(string(a.Kind), string(b.Kind)))
	})
	return out
}

func (s *Server) injectFaults(next http.Handler) http.Handler {
	fi := s.faults
	retryAfter := strconv.Itoa(max(fi.f.RetryAfter, 0))
	if fi.f.RetryAfter == 0 {
		retryAfter = "1"
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d := fi.f.Latency; d > 0 {
			t := time.NewTimer(d)
			select {
			case <-r.Context().Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
		write := r.Method != http.MethodGet && r.Method != http.MethodHead
		p := fi.plan(write)
		if fi.override != nil {
			p = fi.override(r)
		}
		if p.kind == "" {
			next.ServeHTTP(w, r)
			return
		}
		rec := FaultRecord{RequestID: w.Header().Get("X-Request-Id"), OperationID: s.operationOf(r), Kind: p.kind, Status: p.status}
		switch p.kind {
		case FaultError:
			if p.after {
				d := &discardWriter{header: http.Header{}}
				next.ServeHTTP(d, r)
				rec.Applied = d.status < 400
			}
			fi.record(rec)
			respond.WriteError(w, p.status, "Internal error occured, we're on it!")
		case FaultRateLimit:
			fi.record(rec)
			w.Header().Set("Retry-After", retryAfter)
			code := "rate_limited"
			respond.WriteErrorBody(w, http.StatusTooManyRequests, dbapi.Error{Error: "Retry later", Code: &code})
		case FaultReset:
			rw := &resetWriter{ResponseWriter: w, limit: -1}
			rw.beforeCut = func() { // recorded before the client can see the cut
				rec.Status, rec.Applied = rw.status, rw.status < 400
				fi.record(rec)
			}
			next.ServeHTTP(rw, r)
			if !rw.wroteHeader {
				rw.WriteHeader(http.StatusOK)
			}
			rw.cut()
		}
	})
}

// changeArchives wraps the chain of downloadBackup: a download that serves an archive (200 or 206)
// changes it at the rate Faults.ArchiveChangeRate. The change is made as the answer's header goes
// out, when the download's bytes are already chosen, so that any request that comes after the
// header sees the new version.
func (s *Server) changeArchives(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&changeWriter{ResponseWriter: w, s: s, r: r}, r)
	})
}

// changeWriter passes a download through, and changes its archive when its header is written.
type changeWriter struct {
	http.ResponseWriter
	s           *Server
	r           *http.Request
	wroteHeader bool
}

func (cw *changeWriter) WriteHeader(code int) {
	if !cw.wroteHeader && code >= 200 {
		cw.wroteHeader = true
		if (code == http.StatusOK || code == http.StatusPartialContent) && cw.s.faults.changes() {
			cw.s.changeArchive(cw.r.PathValue("backup_id"))
			cw.s.faults.record(FaultRecord{RequestID: cw.Header().Get("X-Request-Id"), OperationID: "downloadBackup",
				Kind: FaultArchiveChange, Status: code, Applied: true})
		}
	}
	cw.ResponseWriter.WriteHeader(code)
}

func (cw *changeWriter) Write(p []byte) (int, error) {
	if !cw.wroteHeader {
		cw.WriteHeader(http.StatusOK)
	}
	return cw.ResponseWriter.Write(p)
}

// Flush passes a flush through.
func (cw *changeWriter) Flush() { _ = http.NewResponseController(cw.ResponseWriter).Flush() }

// Unwrap gives http.ResponseController access to the underlying writer.
func (cw *changeWriter) Unwrap() http.ResponseWriter { return cw.ResponseWriter }

// discardWriter runs an operation whose answer a fault replaces.
type discardWriter struct {
	header http.Header
	status int
}

func (d *discardWriter) Header() http.Header { return d.header }
func (d *discardWriter) Write(p []byte) (int, error) {
	if d.status == 0 {
		d.status = http.StatusOK
	}
	return len(p), nil
}
func (d *discardWriter) WriteHeader(code int) {
	if d.status == 0 {
		d.status = code
	}
}

var errReset = errors.New("mockserver: connection reset by fault injection")

// resetWriter passes the headers and the first half of the body through, then cuts the connection.
// The status line and headers are held until the first byte of the body: an answer without a body
// (a 204, an empty 200) is cut before its status line, as a real failure would be, never sent in
// full on a connection then closed, which a client would put back in its pool.
type resetWriter struct {
	http.ResponseWriter
	limit       int64 // bytes of body to let through; -1 until known
	written     int64
	status      int
	wroteHeader bool // the handler wrote its header (held until sentHeader)
	sentHeader  bool // the header was passed to the connection
	done        bool
	beforeCut   func()
}

func (rw *resetWriter) WriteHeader(code int) {
	if rw.wroteHeader || code < 200 {
		return
	}
	rw.wroteHeader, rw.status = true, code
	if n, err := strconv.ParseInt(rw.Header().Get("Content-Length"), 10, 64); err == nil {
		rw.limit = n / 2
	}
}

func (rw *resetWriter) Write(p []byte) (int, error) {
	if rw.done {
		return 0, errReset
	}
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if !rw.sentHeader {
		rw.sentHeader = true
		rw.ResponseWriter.WriteHeader(rw.status)
	}
	if rw.limit < 0 {
		rw.limit = int64(len(p)) / 2
	}
	if rw.written+int64(len(p)) <= rw.limit {
		n, err := rw.ResponseWriter.Write(p)
		rw.written += int64(n)
		return n, err
	}
	n, _ := rw.ResponseWriter.Write(p[:rw.limit-rw.written])
	rw.written += int64(n)
	rw.cut()
	return n, errReset
}

// Flush passes a flush through once the header is sent; before, it would send the held header.
func (rw *resetWriter) Flush() {
	if rw.sentHeader && !rw.done {
		_ = http.NewResponseController(rw.ResponseWriter).Flush()
	}
}

func (rw *resetWriter) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// cut sends what was written so far, if anything, and closes the connection: with nothing written,
// the client reads no status line at all.
func (rw *resetWriter) cut() {
	if rw.done {
		return
	}
	rw.done = true
	if rw.beforeCut != nil {
		rw.beforeCut()
	}
	rc := http.NewResponseController(rw.ResponseWriter)
	if rw.sentHeader {
		_ = rc.Flush()
	}
	if conn, _, err := rc.Hijack(); err == nil {
		_ = conn.Close()
		return
	}
	panic(http.ErrAbortHandler)
}
