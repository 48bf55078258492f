// Package faults injects failures into an HTTP handler, as the mock server does with
// mockserver.WithFaults: latency, 5xx errors, 429s with Retry-After, connections cut in the middle
// of a body, and archives whose bytes change between downloads. Faults are drawn from a seeded
// sequence, so a run is deterministic for a seed and an order of requests, and every fault is
// journaled: the most recent in a bounded log, all of them in counts by operation and kind.
package faults

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

// Config describes the failures to inject (mockserver.Faults). Rates are shares of requests,
// between 0 and 1; ErrorRate, RateLimitRate and ResetRate cannot add up to more than 1. The sequence
// of faults is deterministic for a Seed and an order of requests.
type Config struct {
	// Latency is added to every request.
	Latency time.Duration
	// ErrorRate is the share of requests answered 500, 502, 503 or 504 with a JSON Error body. For writes
	// the fault falls before or after the operation runs (the fault log tells which).
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

// Validate reports a rate outside [0, 1] (NaN included), rates that add up to more than 1, or a
// negative latency.
func (c Config) Validate() error {
	for _, r := range []float64{c.ErrorRate, c.RateLimitRate, c.ResetRate, c.ArchiveChangeRate} {
		if !(r >= 0 && r <= 1) { // NaN fails both comparisons
			return fmt.Errorf("faults: fault rate %v is not in [0, 1]", r)
		}
	}
	if c.ErrorRate+c.RateLimitRate+c.ResetRate > 1 {
		return errors.New("faults: fault rates add up to more than 1")
	}
	if c.Latency < 0 {
		return errors.New("faults: negative fault latency")
	}
	return nil
}

// Active tells whether c injects anything at all.
func (c Config) Active() bool {
	return c.Latency > 0 || c.ErrorRate > 0 || c.RateLimitRate > 0 || c.ResetRate > 0 || c.ArchiveChangeRate > 0
}

// Record is one injected fault in the fault log.
type Record struct {
	RequestID   string // the X-Request-Id of the answer
	OperationID string // the operation the request was routed to ("" if none)
	Kind        Kind   // what was injected
	Status      int    // the status sent (for a reset, the status of the cut answer)
	// Applied tells whether the operation ran and succeeded before the fault: a create answered 5xx
	// with Applied true did create its resource.
	Applied bool
}

// Kind names a kind of injected fault in a Record.
type Kind string

// The kinds of fault an Injector injects (see Config).
const (
	// Error is a 500, 502 or 503 answer with a JSON Error body (Config.ErrorRate).
	Error Kind = "error"
	// RateLimit is a 429 answer with Retry-After (Config.RateLimitRate).
	RateLimit Kind = "rate-limit"
	// Reset is a connection cut in the middle of the body, or before the status line of an
	// answer without one (Config.ResetRate).
	Reset Kind = "reset"
	// ArchiveChange is a change of an archive's bytes after a download
	// (Config.ArchiveChangeRate); its record is that of the download, served before the change.
	ArchiveChange Kind = "archive-change"
)

// LogSize is the number of records the fault log keeps: Records returns the most recent LogSize
// faults, and Counts counts them all. At about 100 bytes a record, the log holds well under 1 MB
// however long the Injector runs.
const LogSize = 4096

// Count is how many faults of one kind an Injector injected on one operation since it started,
// whatever the fault log has dropped since.
type Count struct {
	OperationID string // the operation ("" for requests routed to none)
	Kind        Kind   // the kind of fault
	Injected    int    // faults of that kind on that operation
	Applied     int    // of which the operation took effect before the fault (Record.Applied)
}

// Injector draws the faults of a Config and journals them: a ring of the LogSize most recent
// records, and a count by operation and kind, bounded by the operations it serves. It is safe for
// concurrent use.
type Injector struct {
	c      Config
	mu     sync.Mutex
	rng    *rand.Rand
	ring   []Record // up to LogSize records; once full, next is the oldest
	next   int
	counts map[countKey]*Count
	// override, set by tests before serving, chooses the fault of each request instead of the seed.
	override func(*http.Request) plan
}

type countKey struct {
	op   string
	kind Kind
}

// New returns an Injector of c, which must be valid (Config.Validate).
func New(c Config) *Injector {
	return &Injector{c: c, rng: rand.New(rand.NewPCG(uint64(c.Seed), 0xfa017))}
}

type plan struct {
	kind   Kind
	status int
	after  bool
}

func (in *Injector) plan(write bool) plan {
	in.mu.Lock()
	defer in.mu.Unlock()
	roll := in.rng.Float64()
	c := in.c
	switch {
	case roll < c.ErrorRate:
		p := plan{kind: Error, status: []int{500, 502, 503, 504}[in.rng.IntN(4)]}
		p.after = write && in.rng.IntN(2) == 1
		return p
	case roll < c.ErrorRate+c.RateLimitRate:
		return plan{kind: RateLimit, status: http.StatusTooManyRequests}
	case roll < c.ErrorRate+c.RateLimitRate+c.ResetRate:
		return plan{kind: Reset}
	}
	return plan{}
}

// changes tells whether an archive changes after a download that served it.
func (in *Injector) changes() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.rng.Float64() < in.c.ArchiveChangeRate
}

func (in *Injector) record(r Record) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.ring) < LogSize {
		in.ring = append(in.ring, r)
	} else {
		in.ring[in.next] = r
		in.next = (in.next + 1) % LogSize
	}
	k := countKey{r.OperationID, r.Kind}
	c := in.counts[k]
	if c == nil {
		if in.counts == nil {
			in.counts = map[countKey]*Count{}
		}
		c = &Count{OperationID: r.OperationID, Kind: r.Kind}
		in.counts[k] = c
	}
	c.Injected++
	if r.Applied {
		c.Applied++
	}
}

// Records returns the journal of injected faults, oldest first: the LogSize most recent (Counts
// counts them all). For a write answered 5xx, Applied tells whether the operation took effect
// before the fault.
func (in *Injector) Records() []Record {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make([]Record, 0, len(in.ring))
	out = append(out, in.ring[in.next:]...)
	return append(out, in.ring[:in.next]...)
}

// Counts returns the count of every kind of fault injected on every operation since the Injector
// started, sorted by operation then kind: unlike Records, it forgets nothing.
func (in *Injector) Counts() []Count {
	in.mu.Lock()
	out := make([]Count, 0, len(in.counts))
	for _, c := range in.counts {
		out = append(out, *c)
	}
	in.mu.Unlock()
	slices.SortFunc(out, func(a, b Count) int {
		return cmp.Or(strings.Compare(a.OperationID, b.OperationID), strings.Compare(string(a.Kind), string(b.Kind)))
	})
	return out
}

// Middleware injects the latency, errors, rate limits and resets of the Config into the answers of
// next. operationOf names the operation a request is routed to, for the journal.
func (in *Injector) Middleware(next http.Handler, operationOf func(*http.Request) string) http.Handler {
	retryAfter := strconv.Itoa(max(in.c.RetryAfter, 0))
	if in.c.RetryAfter == 0 {
		retryAfter = "1"
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d := in.c.Latency; d > 0 {
			t := time.NewTimer(d)
			select {
			case <-r.Context().Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
		write := r.Method != http.MethodGet && r.Method != http.MethodHead
		p := in.plan(write)
		if in.override != nil {
			p = in.override(r)
		}
		if p.kind == "" {
			next.ServeHTTP(w, r)
			return
		}
		rec := Record{RequestID: w.Header().Get("X-Request-Id"), OperationID: operationOf(r), Kind: p.kind, Status: p.status}
		switch p.kind {
		case Error:
			if p.after {
				d := &discardWriter{header: http.Header{}}
				next.ServeHTTP(d, r)
				rec.Applied = d.status < 400
			}
			in.record(rec)
			respond.WriteError(w, p.status, "Internal error occured, we're on it!")
		case RateLimit:
			in.record(rec)
			w.Header().Set("Retry-After", retryAfter)
			code := "rate_limited"
			respond.WriteErrorBody(w, http.StatusTooManyRequests, dbapi.Error{Error: "Retry later", Code: &code})
		case Reset:
			rw := &resetWriter{ResponseWriter: w, limit: -1}
			rw.beforeCut = func() { // recorded before the client can see the cut
				rec.Status, rec.Applied = rw.status, rw.status < 400
				in.record(rec)
			}
			next.ServeHTTP(rw, r)
			if !rw.wroteHeader {
				rw.WriteHeader(http.StatusOK)
			}
			rw.cut()
		}
	})
}

// ChangeArchives wraps the handler of the archive downloads, operation op: a download that serves an
// archive (200 or 206) changes it, by change, at the rate Config.ArchiveChangeRate. The change is
// made as the answer's header goes out, when the download's bytes are already chosen, so that any
// request that comes after the header sees the new version. With a rate of 0, next is returned.
func (in *Injector) ChangeArchives(next http.Handler, op string, change func(*http.Request)) http.Handler {
	if in.c.ArchiveChangeRate == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&changeWriter{ResponseWriter: w, in: in, op: op, change: func() { change(r) }}, r)
	})
}

// changeWriter passes a download through, and changes its archive when its header is written.
type changeWriter struct {
	http.ResponseWriter
	in          *Injector
	op          string
	change      func()
	wroteHeader bool
}

func (cw *changeWriter) WriteHeader(code int) {
	if !cw.wroteHeader && code >= 200 {
		cw.wroteHeader = true
		if (code == http.StatusOK || code == http.StatusPartialContent) && cw.in.changes() {
			cw.change()
			cw.in.record(Record{RequestID: cw.Header().Get("X-Request-Id"), OperationID: cw.op,
				Kind: ArchiveChange, Status: code, Applied: true})
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
