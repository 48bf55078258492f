package scalingodb

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/mockserver"
)

// createCounter counts the create requests that reach the mock, by operation.
type createCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *createCounter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			key := "other"
			switch {
			case strings.HasSuffix(r.URL.Path, "/backups"):
				key = "createBackup"
			case strings.HasSuffix(r.URL.Path, "/users"):
				key = "createDatabaseUser"
			case strings.HasSuffix(r.URL.Path, "/firewall_rules"):
				key = "createFirewallRule"
			}
			c.mu.Lock()
			c.n[key]++
			c.mu.Unlock()
		}
		h.ServeHTTP(w, r)
	})
}

// TestSoak runs 10,000 operations against the mock with 10% injected
// faults (5xx, 429 with Retry-After 0, connections cut mid-body). Every
// idempotent operation must succeed through retries; every create is sent
// once plus once per 429, every failed create matches ErrOutcomeUnknown,
// and the mock's fault log and final state show that no create was
// duplicated.
func TestSoak(t *testing.T) {
	total := 10_000
	if testing.Short() || raceEnabled {
		total = 2_000
	}
	mock, err := mockserver.New(
		mockserver.WithSeed(mockserver.DemoSeed()),
		mockserver.WithFaults(mockserver.Faults{ErrorRate: 0.04, RateLimitRate: 0.03, RetryAfter: -1, ResetRate: 0.03, Seed: 42}),
		mockserver.WithResponseViolationHandler(func(err error) { t.Errorf("mock response violates the spec: %v", err) }),
	)
	if err != nil {
		t.Fatal(err)
	}
	counter := &createCounter{n: map[string]int{}}
	srv := httptest.NewServer(counter.wrap(mock.Handler()))
	t.Cleanup(srv.Close)
	c, err := New(WithBaseURL(srv.URL), WithToken(mockserver.DefaultToken),
		WithRetry(RetryPolicy{MaxAttempts: 10, MinWait: 100 * time.Microsecond, MaxWait: time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	const db = "my-db-123"
	ctx := context.Background()
	initialBackups := len(mock.Backups(db))
	initialUsers := len(mock.Users(db))
	rules, err := c.Firewall.List(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	initialRules := len(rules)

	hour := 4
	reads := []func(i int) error{
		func(int) error { _, err := c.Databases.Get(ctx, db); return err },
		func(int) error { _, err := c.Users.List(ctx, db); return err },
		func(int) error { _, err := c.Backups.List(ctx, db); return err },
		func(int) error { _, err := c.Backups.Get(ctx, "5b8b36104ffb090be1ac3ce1"); return err },
		func(int) error { _, err := c.Backups.ArchiveLink(ctx, db, "5b8b36104ffb090be1ac3ce1"); return err },
		func(int) error { _, err := c.Maintenance.List(ctx, db, &ListParams{Page: 2, PerPage: 10}); return err },
		func(int) error { _, err := c.Maintenance.Get(ctx, db, "my-maintenance-3"); return err },
		func(int) error { _, err := c.Instances.Status(ctx, db); return err },
		func(int) error { _, err := c.Metrics.Get(ctx, db); return err },
		func(int) error { _, err := c.Firewall.List(ctx, db); return err },
		func(int) error { _, err := c.Firewall.ManagedRanges(ctx); return err },
		func(int) error { _, err := c.Logs.URL(ctx, db); return err },
		func(int) error { _, err := c.PITR.RecoveryWindow(ctx, db); return err },
		func(int) error {
			_, err := c.Databases.Update(ctx, db, &UpdateDatabaseParams{MaintenanceWindow: &MaintenanceWindowParams{StartingHourUTC: &hour}})
			return err
		},
		func(i int) error {
			_, err := c.Users.UpdatePassword(ctx, db, "reporting", NewSecret(fmt.Sprintf("soak-password-%020d", i)))
			return err
		},
	}
	type outcome struct {
		ok, failed, known int // known: failed with an error not matching ErrOutcomeUnknown
	}
	creates := map[string]*outcome{"createBackup": {}, "createDatabaseUser": {}, "createFirewallRule": {}}
	var idempotent, idempotentFailed atomic.Int64
	var mu sync.Mutex
	var firstErr error
	create := func(op string, i int) {
		var err error
		switch op {
		case "createBackup":
			_, err = c.Backups.Create(ctx, db)
		case "createDatabaseUser":
			_, err = c.Users.Create(ctx, db, &CreateUserParams{Name: fmt.Sprintf("soak-%d", i)})
		case "createFirewallRule":
			_, err = c.Firewall.Create(ctx, db, &CreateFirewallRuleParams{Type: FirewallCustomRange, CIDR: fmt.Sprintf("10.%d.%d.0/24", i/256%256, i%256)})
		}
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			creates[op].failed++
			if !errors.Is(err, ErrOutcomeUnknown) {
				creates[op].known++
			}
		} else {
			creates[op].ok++
		}
	}
	var wg sync.WaitGroup
	const workers = 8
	for w := range workers {
		wg.Go(func() {
			for i := w; i < total; i += workers {
				switch i % 20 {
				case 0:
					create("createBackup", i)
				case 7:
					create("createDatabaseUser", i)
				case 13:
					create("createFirewallRule", i)
				default:
					idempotent.Add(1)
					if err := reads[i%len(reads)](i); err != nil {
						idempotentFailed.Add(1)
						mu.Lock()
						if firstErr == nil {
							firstErr = fmt.Errorf("operation %d: %w", i, err)
						}
						mu.Unlock()
					}
				}
			}
		})
	}
	wg.Wait()
	// The concurrent run draws its faults in an order the scheduler picks,
	// so with the race detector's 2,000 operations a create can go
	// without a 429 (0.97^100: one run in twenty). Go on with that
	// create, one call at a time, until it has met both a failure and a
	// 429: a mock that never injects them still fails below.
	rateLimitedOn := func(op string) int {
		n := 0
		for _, r := range mock.FaultLog() {
			if r.OperationID == op && r.Kind == mockserver.FaultRateLimit {
				n++
			}
		}
		return n
	}
	next := total
	for op, o := range creates {
		for extra := 0; (o.failed == 0 || rateLimitedOn(op) == 0) && extra < 2_000; extra++ {
			create(op, next)
			next++
		}
	}
	if n := idempotentFailed.Load(); n > 0 {
		t.Errorf("%d of %d idempotent operations failed; first: %v", n, idempotent.Load(), firstErr)
	}

	applied := map[string]int{}
	rateLimited := map[string]int{}
	faults := map[mockserver.FaultKind]int{}
	for _, r := range mock.FaultLog() {
		faults[r.Kind]++
		if r.Applied {
			applied[r.OperationID]++
		}
		if r.Kind == mockserver.FaultRateLimit {
			rateLimited[r.OperationID]++
		}
	}
	if faults[mockserver.FaultError] == 0 || faults[mockserver.FaultRateLimit] == 0 || faults[mockserver.FaultReset] == 0 {
		t.Fatalf("the mock injected too few faults: %v", faults)
	}
	counter.mu.Lock()
	defer counter.mu.Unlock()
	for op, o := range creates {
		// A create is sent again after a 429 only, which says the server
		// did nothing (10 attempts: never 10 429s in a row here).
		if sent := counter.n[op]; sent != o.ok+o.failed+rateLimited[op] {
			t.Errorf("%s: %d calls and %d 429 answers but %d requests: a create was retried after another failure", op, o.ok+o.failed, rateLimited[op], sent)
		}
		if o.failed == 0 || rateLimited[op] == 0 {
			t.Errorf("%s: %d creates failed, %d answered 429; the soak did not test the retry rules", op, o.failed, rateLimited[op])
		}
		// Every fault the mock injects on a create (5xx, a cut answer)
		// leaves its outcome open: the error must say so.
		if o.known > 0 {
			t.Errorf("%s: %d failed creates do not match ErrOutcomeUnknown", op, o.known)
		}
	}
	rules, err = c.Firewall.List(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	state := map[string]int{
		"createBackup":       len(mock.Backups(db)) - initialBackups,
		"createDatabaseUser": len(mock.Users(db)) - initialUsers,
		"createFirewallRule": len(rules) - initialRules,
	}
	for op, o := range creates {
		// Each resource in the final state comes from a call that
		// succeeded, or from a failed call whose fault fell after the
		// create ran (Applied in the fault log): nothing else.
		if want := o.ok + applied[op]; state[op] != want {
			t.Errorf("%s: %d new resources, want %d (%d successes + %d applied before a fault)", op, state[op], want, o.ok, applied[op])
		}
	}
	t.Logf("%d operations, faults %v, creates %v, applied-then-failed %v", total, faults, fmtOutcomes(creates), applied)
	if errors.Is(firstErr, ErrValidation) || errors.Is(firstErr, ErrInvalidInput) {
		t.Error("unexpected validation error")
	}
}

func fmtOutcomes[T any](m map[string]*T) string {
	var b strings.Builder
	for k, v := range m {
		fmt.Fprintf(&b, "%s=%+v ", k, *v)
	}
	return b.String()
}
