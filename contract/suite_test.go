package contract_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/conformance"
	"github.com/scalingodb/dbapi-go/pkg/mockserver"
)

func TestContract(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Database API contract")
}

// suite is this process's target and instruments, set once in BeforeSuite and read-only after.
var suite *target

// target is what every spec talks to: the clients, the database under test, and the recorders.
type target struct {
	cfg        harness.Config
	validator  *conformance.Validator
	coverage   *conformance.Coverage
	violations *violationLog
	reportsDir string
	wire       *harness.WireCounter // what really left the process, by method

	http *http.Client               // validated, and read-only unless writes are allowed
	api  *dbapi.ClientWithResponses // with the bearer token
	raw  *dbapi.Client              // with the bearer token, raw responses
	anon *dbapi.Client              // without a token
	base string                     // base URL, /api included

	// foreign sends the addon token of another database than db; nil on a live target without
	// DBAPI_FOREIGN_TOKEN.
	foreign *dbapi.Client

	db string // the database under test
	es string // an Elasticsearch database, "" when none is configured

	// rateLimited and failing reach mocks started with faults; nil on a live target.
	rateLimited *dbapi.Client
	failing     *dbapi.Client
}

// live reports whether the suite runs against a live target.
func (t *target) live() bool { return t.cfg.Mode == harness.ModeLive }

// violationLog collects the contract violations the validating transport reports.
type violationLog struct {
	mu   sync.Mutex
	errs []*conformance.ViolationError
}

func (l *violationLog) add(e *conformance.ViolationError) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, e)
}

func (l *violationLog) take() []*conformance.ViolationError {
	l.mu.Lock()
	defer l.mu.Unlock()
	errs := l.errs
	l.errs = nil
	return errs
}

// mockToken is the bearer token the built-in mock accepts.
const mockToken = mockserver.DefaultToken

// The built-in mock also accepts mockForeignToken, scoped to mockForeignDB: to the database
// under test it is the token of another database.
const (
	mockForeignToken = "mock-foreign-token"
	mockForeignDB    = mockserver.DemoMySQLID
)

// Backup timings of the built-in mock: short, so that "status reaches done" takes a blink.
const (
	mockScheduled = 30 * time.Millisecond
	mockRunning   = 60 * time.Millisecond
)

var _ = BeforeSuite(func(ctx SpecContext) {
	cfg, err := harness.FromEnv(os.Getenv)
	if err != nil {
		Fail("the contract suite is misconfigured:\n" + err.Error() +
			"\n(leave DBAPI_BASE_URL unset to run against the built-in mock)")
	}
	cwd, err := os.Getwd()
	Expect(err).NotTo(HaveOccurred())
	t := &target{cfg: cfg, violations: &violationLog{}, reportsDir: cfg.ResolveReportsDir(cwd)}
	Expect(os.MkdirAll(t.reportsDir, 0o755)).To(Succeed())
	_ = os.Remove(processCoverageFile(t.reportsDir, GinkgoParallelProcess()))

	t.coverage, t.validator = newCoverageValidator()
	t.wire = harness.NewWireCounter(http.DefaultTransport.(*http.Transport).Clone())
	t.http = newHTTPClient(t.validator, t.wire, cfg.AllowWrites, t.violations)

	switch cfg.Mode {
	case harness.ModeMock:
		// The mocks validate their own traffic with a validator of their own, so the suite's
		// coverage counts only what crossed the suite's client.
		mv, err := conformance.New()
		Expect(err).NotTo(HaveOccurred())
		t.base = startMock(mv, mockserver.WithSeed(mockserver.DemoSeed()),
			mockserver.WithBackupTimings(mockScheduled, mockRunning),
			mockserver.WithOperationTimings(mockScheduled, mockRunning),
			mockserver.WithDatabaseToken(mockForeignDB, mockForeignToken),
			mockserver.WithMutations(cfg.Mutations...))
		t.db, t.es = "my-db-123", "my-es-123"
		t.rateLimited = newRawClient(startMock(mv, mockserver.WithSeed(mockserver.DemoSeed()),
			mockserver.WithFaults(mockserver.Faults{RateLimitRate: 1, RetryAfter: 1})), t.http, "")
		t.failing = newRawClient(startMock(mv, mockserver.WithSeed(mockserver.DemoSeed()),
			mockserver.WithFaults(mockserver.Faults{ErrorRate: 1})), t.http, "")
	case harness.ModeLive:
		t.base, t.db, t.es = cfg.BaseURL, cfg.DatabaseID, cfg.ESDatabaseID
		if err := harness.CheckTarget(ctx, t.http, cfg); err != nil {
			Fail("the live target failed the setup check:\n" + err.Error())
		}
	}
	token, foreign := cfg.Token, cfg.ForeignToken
	if cfg.Mode == harness.ModeMock {
		token, foreign = mockToken, mockForeignToken
	}
	t.raw = newRawClient(t.base, t.http, token)
	if foreign != "" {
		t.foreign = newRawClient(t.base, t.http, foreign)
	}
	t.anon = newRawClient(t.base, t.http, "")
	t.api = &dbapi.ClientWithResponses{ClientInterface: t.raw}
	t.violations.take() // the setup check's violations, if any, failed it above
	suite = t
}, NodeTimeout(30*time.Second))

// startMock serves a mock on 127.0.0.1 until the suite ends and returns its base URL.
func startMock(v *conformance.Validator, opts ...mockserver.Option) string {
	s, err := mockserver.New(append(opts, mockserver.WithValidator(v))...)
	Expect(err).NotTo(HaveOccurred(), "starting the built-in mock")
	srv := httptest.NewServer(s.Handler())
	DeferCleanup(srv.Close)
	return srv.URL + "/api"
}

// newHTTPClient returns the suite's HTTP client: every response is validated against the spec
// (a violation fails RoundTrip and is logged for the running spec), a 204 that announces a body
// is caught although net/http drops that body, and unless writes are allowed nothing but GET
// leaves the process.
func newHTTPClient(v *conformance.Validator, wire http.RoundTripper, allowWrites bool, log *violationLog) *http.Client {
	rt := wire
	if !allowWrites {
		rt = harness.ReadOnlyTransport(rt)
	}
	rt = v.Transport(rt, conformance.OnTransportViolation(log.add))
	rt = harness.BodilessCheck(v, rt, log.add)
	return &http.Client{Transport: rt, Timeout: 30 * time.Second}
}

// newRawClient returns a generated client on base that sends token as a bearer token ("" sends
// no Authorization header).
func newRawClient(base string, hc *http.Client, token string) *dbapi.Client {
	opts := []dbapi.ClientOption{dbapi.WithHTTPClient(hc)}
	if token != "" {
		opts = append(opts, dbapi.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+token)
			return nil
		}))
	}
	c, err := dbapi.NewClient(base, opts...)
	Expect(err).NotTo(HaveOccurred())
	return c
}

var _ = BeforeEach(func() {
	suite.violations.take() // a violation belongs to the spec that caused it
	if !suite.cfg.AllowWrites && hasLabel(harness.Mutating) {
		Skip("writes disabled: set DBAPI_ALLOW_WRITES=1")
	}
})

// Every response that crossed the client was validated: a violation fails the spec whatever
// the spec asserted by hand.
var _ = AfterEach(func() {
	if errs := suite.violations.take(); len(errs) > 0 {
		Fail(violationMessage(errs))
	}
})

func violationMessage(errs []*conformance.ViolationError) string {
	var b strings.Builder
	b.WriteString("the target broke the contract:\n")
	for _, e := range errs {
		for _, v := range e.Violations {
			b.WriteString("  ")
			b.WriteString(strings.ReplaceAll(v.Error(), "\n", "\n  "))
			b.WriteString("\n")
		}
	}
	return b.String()
}

// hasLabel reports whether the running spec carries l.
func hasLabel(l harness.Label) bool {
	for _, s := range CurrentSpecReport().Labels() {
		if s == string(l) {
			return true
		}
	}
	return false
}

// Coverage: each process writes what it saw; process 1 merges, writes the report, prints the
// table and, against the mock, holds the run to 100%.
var _ = SynchronizedAfterSuite(func() {
	if suite == nil {
		return
	}
	if !suite.cfg.AllowWrites {
		// The read-only proof of the whole run: nothing but GET reached the network.
		Expect(suite.wire.Writes()).To(BeZero(), "a read-only run sent writes: %v", suite.wire.Counts())
	}
	Expect(harness.WriteCoverage(processCoverageFile(suite.reportsDir, GinkgoParallelProcess()), suite.coverage.Report())).To(Succeed())
}, func() {
	if suite == nil {
		return
	}
	suiteCfg, _ := GinkgoConfiguration()
	files := make([]string, suiteCfg.ParallelTotal)
	for i := range files {
		files[i] = processCoverageFile(suite.reportsDir, i+1)
	}
	report, err := harness.MergeCoverage(suite.validator, files...)
	Expect(err).NotTo(HaveOccurred())
	full := len(suiteCfg.FocusStrings) == 0 && len(suiteCfg.SkipStrings) == 0 &&
		suiteCfg.LabelFilter == "" && len(suiteCfg.FocusFiles) == 0 && len(suite.cfg.Mutations) == 0
	var gate error
	if suite.cfg.Mode == harness.ModeMock {
		// Against the mock, the pairs it cannot produce are marked and left out of the totals.
		gate = harness.CheckCoverage(report, harness.MockUnproducible())
		report = report.Excluding(harness.Pairs(harness.MockUnproducible())...)
	}
	out := filepath.Join(suite.reportsDir, "contract-coverage.json")
	Expect(harness.WriteCoverage(out, report)).To(Succeed())
	var table strings.Builder
	Expect(report.WriteTable(&table)).To(Succeed())
	fmt.Fprintf(os.Stdout, "\nContract coverage against the %s target (written to %s):\n%s\n", suite.cfg.Mode, out, table.String())
	if gate != nil && full {
		Fail(gate.Error())
	}
})

func processCoverageFile(dir string, process int) string {
	return filepath.Join(dir, fmt.Sprintf("contract-coverage.p%d.json", process))
}

// The label set is closed: a spec with a label outside it, or without exactly one of read-only
// and mutating, fails the run.
var _ = ReportAfterSuite("labels and JUnit", func(r Report) {
	for _, s := range r.SpecReports {
		if s.LeafNodeType != types.NodeTypeIt {
			continue
		}
		if err := harness.CheckSpecLabels(s.FullText(), s.Labels()); err != nil {
			Fail(err.Error())
		}
	}
	// ginkgo --junit-report writes its own; a plain `go test ./contract/` writes it here.
	if _, rc := GinkgoConfiguration(); rc.JUnitReport == "" {
		cwd, err := os.Getwd()
		Expect(err).NotTo(HaveOccurred())
		cfg, _ := harness.FromEnv(os.Getenv)
		dir := cfg.ResolveReportsDir(cwd)
		Expect(os.MkdirAll(dir, 0o755)).To(Succeed())
		Expect(reporters.GenerateJUnitReport(r, filepath.Join(dir, "contract-junit.xml"))).To(Succeed())
	}
})

// newCoverageValidator builds the suite's validator, which records every response it validates
// in the returned coverage. (A Coverage is built over a validator's operations, hence two.)
func newCoverageValidator() (*conformance.Coverage, *conformance.Validator) {
	GinkgoHelper()
	ops, err := conformance.New()
	Expect(err).NotTo(HaveOccurred())
	cov := conformance.NewCoverage(ops)
	v, err := conformance.New(conformance.WithCoverage(cov))
	Expect(err).NotTo(HaveOccurred())
	return cov, v
}
