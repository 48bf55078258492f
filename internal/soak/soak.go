// Package soak runs a long mixed workload against the mock of the Scalingo Database API through
// the client of pkg/scalingodb, and follows the mock process meanwhile: its RSS, open descriptors
// and live heap, the client's latency percentiles, throughput and errors by class. It prints a row
// per bucket (a minute by default) as the run goes, then a summary line that checks the buckets
// after the warm-up against Bounds: the mock's memory and speed must stay flat under faults.
//
// scripts/soak is the command (make soak) that builds the mock, starts it as a process of its own
// with faults, and runs this package against it.
package soak

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// Config says what a run does. Zero values take the defaults of each field.
type Config struct {
	// Client is the one client every worker shares (required).
	Client *scalingodb.Client
	// DatabaseID is the database the calls name (required).
	DatabaseID string
	// BackupID is a done backup of DatabaseID, read, linked and downloaded (required).
	BackupID string
	// Workers is the number of goroutines calling in a loop (default 50, at most 256).
	Workers int
	// Rate caps the steps per second of all workers together (a step is one operation of the mix:
	// one call, or a create and its delete); 0 leaves them closed-loop (each worker starts its next
	// step as soon as the previous one returned).
	Rate float64
	// CallTimeout bounds every call (default 10 s).
	CallTimeout time.Duration
	// Duration is the length of the run (required).
	Duration time.Duration
	// Bucket is the period of a row of the table (default 1 minute).
	Bucket time.Duration
	// Interval is the period of the samples of the process (default 10 s).
	Interval time.Duration
	// BackupEvery is the period of the backups the run creates (default 1 minute; negative: none).
	// Backups cannot be deleted: each one created stays in the mock's store and in every listing,
	// so a soak creates them at a pace that keeps the store's growth small, as a schedule would.
	BackupEvery time.Duration
	// Sampler looks at the process under test; nil takes no samples.
	Sampler Sampler
	// Baseline is the Index of the bucket the later ones are compared with; 0 takes BaselineFor.
	Baseline int
	// Bounds are the bounds of the summary (zero: DefaultBounds).
	Bounds Bounds
	// Unit names a bucket in the table's header (default "minute").
	Unit string
	// Out receives the table, a row per bucket as each ends (nil: none).
	Out io.Writer
	// Seed seeds the choice of operations (0: 1).
	Seed uint64
}

// Report is the outcome of a run.
type Report struct {
	// Buckets are the rows of the table, in order.
	Buckets []Bucket
	// Summary is the verdict over the buckets from the baseline on.
	Summary Summary
	// Calls counts the calls of each operation over the whole run, and Errors their errors by class.
	Calls, Errors map[string]int64
	// Examples holds the first error of each class, as "operation: message".
	Examples map[string]string
	// SampleErrors counts the samples of the process that failed; LastSampleError is the last.
	SampleErrors    int
	LastSampleError error
	// LeftoverUsers and LeftoverCIDRs are the users and firewall rules (by CIDR) the run may have
	// created and could not delete, faults permitting, by its end.
	LeftoverUsers, LeftoverCIDRs []string
}

// maxWorkers bounds Workers: a worker's firewall rules are addresses 10.W.x.y.
const maxWorkers = 256

func (c *Config) defaults() error {
	switch {
	case c.Client == nil:
		return errors.New("soak: Config.Client is nil")
	case c.DatabaseID == "" || c.BackupID == "":
		return errors.New("soak: Config.DatabaseID and Config.BackupID are required")
	case c.Duration <= 0:
		return errors.New("soak: Config.Duration must be positive")
	case c.Workers < 0 || c.Workers > maxWorkers:
		return fmt.Errorf("soak: Config.Workers %d is not within 1..%d", c.Workers, maxWorkers)
	case c.Rate < 0:
		return errors.New("soak: Config.Rate is negative")
	}
	if c.Workers == 0 {
		c.Workers = 50
	}
	if c.CallTimeout <= 0 {
		c.CallTimeout = 10 * time.Second
	}
	if c.Bucket <= 0 {
		c.Bucket = time.Minute
	}
	if c.Interval <= 0 {
		c.Interval = 10 * time.Second
	}
	if c.BackupEvery == 0 {
		c.BackupEvery = time.Minute
	}
	if c.Bounds == (Bounds{}) {
		c.Bounds = DefaultBounds()
	}
	if c.Unit == "" {
		c.Unit = "minute"
	}
	if c.Out == nil {
		c.Out = io.Discard
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	return nil
}

// NumBuckets is the number of buckets of a run of d in buckets of b: the last may be shorter.
func NumBuckets(d, b time.Duration) int { return int((d + b - 1) / b) }

// recorder gathers the calls and samples of the current bucket, and the counts of the whole run.
type recorder struct {
	mu       sync.Mutex
	closed   bool
	hist     histogram
	requests int64
	errors   map[string]int64
	// samples of the process in the bucket
	samples, heapSamples int
	rss, heap, fds       uint64
	// the whole run
	calls, allErrors map[string]int64
	examples         map[string]string
	sampleErrors     int
	lastSampleErr    error
}

func newRecorder() *recorder {
	return &recorder{errors: map[string]int64{}, calls: map[string]int64{}, allErrors: map[string]int64{}, examples: map[string]string{}}
}

// call records one call of op that took d and ended with err.
func (r *recorder) call(op string, d time.Duration, err error) {
	class := Classify(err)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return // ended after the last bucket: outside the run
	}
	r.hist.record(d)
	r.requests++
	r.calls[op]++
	if class != "" {
		r.errors[class]++
		r.allErrors[class]++
		if _, ok := r.examples[class]; !ok {
			r.examples[class] = op + ": " + err.Error()
		}
	}
}

// sample records one sample of the process, or the error of one.
func (r *recorder) sample(s ProcSample, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.sampleErrors++
		r.lastSampleErr = err
	}
	if s.RSSBytes == 0 {
		return // /proc was not read
	}
	r.samples++
	r.rss += s.RSSBytes
	r.fds += uint64(s.FDs)
	if s.HeapLiveBytes > 0 {
		r.heapSamples++
		r.heap += s.HeapLiveBytes
	}
}

// cut ends the current bucket, returns it and starts the next; last closes the recorder.
func (r *recorder) cut(index int, span time.Duration, last bool) Bucket {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := Bucket{Index: index, Span: span, Requests: r.requests, Errors: r.errors,
		P50: r.hist.quantile(0.50), P99: r.hist.quantile(0.99), Samples: r.samples}
	if r.samples > 0 {
		b.RSSBytes = r.rss / uint64(r.samples)
		b.FDs = int(r.fds / uint64(r.samples))
	}
	if r.heapSamples > 0 {
		b.HeapLiveBytes = r.heap / uint64(r.heapSamples)
	}
	r.hist = histogram{}
	r.requests, r.errors = 0, map[string]int64{}
	r.samples, r.heapSamples, r.rss, r.heap, r.fds = 0, 0, 0, 0, 0
	r.closed = last
	return b
}

// pacer spaces the calls of all workers by a fixed period, without building up a debt of calls
// when they fall behind.
type pacer struct {
	mu    sync.Mutex
	next  time.Time
	every time.Duration
}

// wait blocks until the caller's turn; it returns false when stop closes first.
func (p *pacer) wait(stop <-chan struct{}) bool {
	if p == nil {
		select {
		case <-stop:
			return false
		default:
			return true
		}
	}
	p.mu.Lock()
	now := time.Now()
	t := p.next
	if t.Before(now) {
		t = now
	}
	p.next = t.Add(p.every)
	p.mu.Unlock()
	d := time.Until(t)
	if d <= 0 {
		select {
		case <-stop:
			return false
		default:
			return true
		}
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-stop:
		return false
	case <-timer.C:
		return true
	}
}

// Run runs the workload for cfg.Duration, printing a row of the table to cfg.Out as each bucket
// ends, and returns the buckets and their summary. Errors of the calls are counted, never fatal:
// the faults the mock injects are expected. When ctx ends first, Run stops, and returns the buckets
// so far with ctx's error. It waits for every call in flight (each bounded by cfg.CallTimeout)
// before it returns.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if err := cfg.defaults(); err != nil {
		return Report{}, err
	}
	rec := newRecorder()
	var leftMu sync.Mutex
	var leftUsers, leftCIDRs []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var pc *pacer
	if cfg.Rate > 0 {
		pc = &pacer{every: time.Duration(float64(time.Second) / cfg.Rate)}
	}
	// The calls take a context of their own: one in flight at the end finishes (within its timeout)
	// rather than be counted as cancelled.
	callCtx := context.WithoutCancel(ctx)
	for i := range cfg.Workers {
		w := &worker{id: i, cfg: &cfg, rec: rec, ctx: callCtx, rng: rand.New(rand.NewPCG(cfg.Seed, uint64(i)))}
		wg.Go(func() {
			for pc.wait(stop) {
				w.step()
			}
			w.cleanup()
			leftMu.Lock()
			leftUsers, leftCIDRs = append(leftUsers, w.users...), append(leftCIDRs, w.cidrs...)
			leftMu.Unlock()
		})
	}
	if cfg.BackupEvery > 0 {
		w := &worker{id: cfg.Workers, cfg: &cfg, rec: rec, ctx: callCtx}
		wg.Go(func() { every(stop, cfg.BackupEvery, w.createBackup) })
	}
	if cfg.Sampler != nil {
		take := func() {
			sctx, cancel := context.WithTimeout(callCtx, min(cfg.Interval, 5*time.Second))
			defer cancel()
			rec.sample(cfg.Sampler.Sample(sctx))
		}
		wg.Go(func() {
			take()
			every(stop, cfg.Interval, take)
		})
	}

	fmt.Fprintln(cfg.Out, TableHeader(cfg.Unit))
	n := NumBuckets(cfg.Duration, cfg.Bucket)
	var rep Report
	start := time.Now()
	var runErr error
	for i := 1; i <= n; i++ {
		end := start.Add(min(time.Duration(i)*cfg.Bucket, cfg.Duration))
		timer := time.NewTimer(time.Until(end))
		select {
		case <-ctx.Done():
			runErr = ctx.Err()
		case <-timer.C:
		}
		timer.Stop()
		if runErr != nil {
			break
		}
		span := min(cfg.Bucket, cfg.Duration-time.Duration(i-1)*cfg.Bucket)
		b := rec.cut(i, span, i == n)
		rep.Buckets = append(rep.Buckets, b)
		fmt.Fprintln(cfg.Out, FormatRow(b))
	}
	close(stop)
	wg.Wait()
	rec.mu.Lock()
	rep.Calls, rep.Errors, rep.Examples = rec.calls, rec.allErrors, rec.examples
	rep.SampleErrors, rep.LastSampleError = rec.sampleErrors, rec.lastSampleErr
	rec.mu.Unlock()
	rep.LeftoverUsers, rep.LeftoverCIDRs = leftUsers, leftCIDRs
	baseline := cfg.Baseline
	if baseline == 0 {
		baseline = BaselineFor(n)
	}
	rep.Summary = Summarize(rep.Buckets, baseline, cfg.Bounds, cfg.Unit)
	return rep, runErr
}

// every calls f each period until stop closes.
func every(stop <-chan struct{}, period time.Duration, f func()) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			f()
		}
	}
}

// worker is one goroutine of the workload.
type worker struct {
	id  int
	cfg *Config
	rec *recorder
	ctx context.Context
	rng *rand.Rand
	seq int
	// users and rules whose creation may have taken effect without being deleted since: deleted
	// before the next operation, so that the mock's store does not grow with the faults.
	users []string
	cidrs []string
}

// call runs one call of op, bounded by the call timeout, and records its latency and error class;
// the error is returned for the steps that act on it (a failed create leaves nothing to delete).
func (w *worker) call(op string, f func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(w.ctx, w.cfg.CallTimeout)
	defer cancel()
	t := time.Now()
	err := f(ctx)
	w.rec.call(op, time.Since(t), err)
	return err
}

// operation is one kind of step of the workload, picked with probability weight/sum of weights.
type operation struct {
	name   string
	weight int
	run    func(w *worker)
}

// operations is the mix of the workload: mostly reads, the pairs of writes that leave the store as
// they found it, and one download of the 1.2 MB archive in about 40 steps.
var operations = []operation{
	callOp("listUsers", 6, func(ctx context.Context, w *worker) error {
		return errOf(w.cfg.Client.Users.List(ctx, w.cfg.DatabaseID))
	}),
	callOp("getDatabase", 6, func(ctx context.Context, w *worker) error {
		return errOf(w.cfg.Client.Databases.Get(ctx, w.cfg.DatabaseID))
	}),
	callOp("listBackups", 4, func(ctx context.Context, w *worker) error {
		return errOf(w.cfg.Client.Backups.List(ctx, w.cfg.DatabaseID))
	}),
	callOp("getBackup", 4, func(ctx context.Context, w *worker) error {
		return errOf(w.cfg.Client.Backups.Get(ctx, w.cfg.BackupID))
	}),
	callOp("archiveLink", 3, func(ctx context.Context, w *worker) error {
		return errOf(w.cfg.Client.Backups.ArchiveLink(ctx, w.cfg.DatabaseID, w.cfg.BackupID))
	}),
	callOp("downloadBackup", 1, func(ctx context.Context, w *worker) error {
		return errOf(w.cfg.Client.Backups.Download(ctx, w.cfg.DatabaseID, w.cfg.BackupID, io.Discard))
	}),
	callOp("listFirewallRules", 4, func(ctx context.Context, w *worker) error {
		return errOf(w.cfg.Client.Firewall.List(ctx, w.cfg.DatabaseID))
	}),
	callOp("getMetrics", 4, func(ctx context.Context, w *worker) error {
		return errOf(w.cfg.Client.Metrics.Get(ctx, w.cfg.DatabaseID))
	}),
	{"userCycle", 4, (*worker).userCycle},
	{"firewallCycle", 4, (*worker).firewallCycle},
}

// callOp is an operation of one call of f, counted under the operation's name.
func callOp(name string, weight int, f func(ctx context.Context, w *worker) error) operation {
	return operation{name, weight, func(w *worker) {
		_ = w.call(name, func(ctx context.Context) error { return f(ctx, w) })
	}}
}

// errOf is the error of a call whose result the workload does not need.
func errOf[T any](_ T, err error) error { return err }

// totalWeight is the sum of the weights of operations.
var totalWeight = func() int {
	n := 0
	for _, op := range operations {
		n += op.weight
	}
	return n
}()

// step runs the deletions left over, if any, else one operation of the mix.
func (w *worker) step() {
	if len(w.users) > 0 || len(w.cidrs) > 0 {
		w.cleanupOne()
		return
	}
	r := w.rng.IntN(totalWeight)
	for _, op := range operations {
		if r < op.weight {
			op.run(w)
			return
		}
		r -= op.weight
	}
}

// cleanupTries is how many times the end of a run tries each left-over deletion.
const cleanupTries = 3

// cleanup tries the left-over deletions at the end of the run, a few times each at most.
func (w *worker) cleanup() {
	for range cleanupTries * (len(w.users) + len(w.cidrs)) {
		if len(w.users) == 0 && len(w.cidrs) == 0 {
			return
		}
		w.cleanupOne()
	}
}

// cleanupOne deletes the oldest left-over user or rule; one already gone counts as deleted.
func (w *worker) cleanupOne() {
	if len(w.users) > 0 {
		name := w.users[0]
		err := w.call("deleteUser", func(ctx context.Context) error {
			return ignoreNotFound(w.cfg.Client.Users.Delete(ctx, w.cfg.DatabaseID, name))
		})
		if err == nil {
			w.users = w.users[1:]
		}
		return
	}
	cidr := w.cidrs[0]
	var id string
	err := w.call("listFirewallRules", func(ctx context.Context) error {
		rules, err := w.cfg.Client.Firewall.List(ctx, w.cfg.DatabaseID)
		if i := slices.IndexFunc(rules, func(r *scalingodb.FirewallRule) bool { return r.CIDR == cidr }); i >= 0 {
			id = rules[i].ID
		}
		return err
	})
	if err != nil {
		return
	}
	if id != "" {
		err = w.call("deleteFirewallRule", func(ctx context.Context) error {
			return ignoreNotFound(w.cfg.Client.Firewall.Delete(ctx, w.cfg.DatabaseID, id))
		})
	}
	if err == nil {
		w.cidrs = w.cidrs[1:]
	}
}

func ignoreNotFound(err error) error {
	if errors.Is(err, scalingodb.ErrNotFound) {
		return nil
	}
	return err
}

// mayHaveCreated tells whether a create that failed with err may still have taken effect: any
// failure but a refusal of the input.
func mayHaveCreated(err error) bool {
	return !errors.Is(err, scalingodb.ErrValidation) && !errors.Is(err, scalingodb.ErrBadRequest) &&
		!errors.Is(err, scalingodb.ErrInvalidInput)
}

// cycle creates a resource and deletes it, and keeps key among the leftovers when the resource may
// still exist: its create failed in a way that may have taken effect, or its delete failed for
// another reason than that it is gone.
func (w *worker) cycle(leftovers *[]string, key string, createOp string, create func(context.Context) error,
	deleteOp string, del func(context.Context) error) {
	if err := w.call(createOp, create); err != nil {
		if mayHaveCreated(err) {
			*leftovers = append(*leftovers, key)
		}
		return
	}
	if err := w.call(deleteOp, del); err != nil && !errors.Is(err, scalingodb.ErrNotFound) {
		*leftovers = append(*leftovers, key)
	}
}

// userCycle creates a user and deletes it.
func (w *worker) userCycle() {
	w.seq++
	name := fmt.Sprintf("soak-w%d-%d", w.id, w.seq)
	w.cycle(&w.users, name, "createUser", func(ctx context.Context) error {
		return errOf(w.cfg.Client.Users.Create(ctx, w.cfg.DatabaseID, &scalingodb.CreateUserParams{Name: name}))
	}, "deleteUser", func(ctx context.Context) error { return w.cfg.Client.Users.Delete(ctx, w.cfg.DatabaseID, name) })
}

// firewallCycle creates a custom-range rule and deletes it.
func (w *worker) firewallCycle() {
	w.seq++
	cidr := fmt.Sprintf("10.%d.%d.%d/32", w.id, w.seq>>8&0xff, w.seq&0xff)
	var id string // set by the create, used by the delete
	w.cycle(&w.cidrs, cidr, "createFirewallRule", func(ctx context.Context) error {
		r, err := w.cfg.Client.Firewall.Create(ctx, w.cfg.DatabaseID, &scalingodb.CreateFirewallRuleParams{
			Type: scalingodb.FirewallCustomRange, CIDR: cidr, Label: "soak"})
		if err == nil {
			id = r.ID
		}
		return err
	}, "deleteFirewallRule", func(ctx context.Context) error { return w.cfg.Client.Firewall.Delete(ctx, w.cfg.DatabaseID, id) })
}

// createBackup creates one backup.
func (w *worker) createBackup() {
	_ = w.call("createBackup", func(ctx context.Context) error {
		return errOf(w.cfg.Client.Backups.Create(ctx, w.cfg.DatabaseID))
	})
}
