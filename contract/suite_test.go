package contract_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/format"

	"github.com/scalingodb/dbapi-go/contract/internal/drift"
	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/contract/internal/report"
	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/gen/dbapispec"
	"github.com/scalingodb/dbapi-go/pkg/conformance"
	"github.com/scalingodb/dbapi-go/pkg/mockserver"
)

// TestMain maps a failed run to the exit code of its verdict (harness.Verdict): 1 when the
// target broke the contract, 3 when a setting is wrong, 4 when the target did not answer. Under
// ginkgo -p only the process that aggregates knows the verdict, and ginkgo exits 1: the verdict
// is then the first line of summary.txt in the reports folder.
//
// The compiled suite explains itself: -h prints the settings, the labels and the exit codes
// before Ginkgo's flags, and --version the suite's version and commit and the spec's version.
func TestMain(m *testing.M) {
	program := filepath.Base(os.Args[0])
	version := flag.Bool("version", false, "print the suite's version and commit and the spec's version, and exit")
	ginkgoUsage := flag.CommandLine.Usage // Ginkgo's own, which lists its flags and go test's
	flag.CommandLine.Usage = func() {
		out := flag.CommandLine.Output()
		_ = harness.WriteHelp(out, program, harness.CurrentBuild())
		var flags strings.Builder
		flag.CommandLine.SetOutput(&flags)
		if ginkgoUsage != nil {
			ginkgoUsage()
		} else {
			flag.PrintDefaults()
		}
		flag.CommandLine.SetOutput(out)
		text := flags.String()
		if st, err := os.Stderr.Stat(); harness.NoColor(os.Getenv) || err != nil || st.Mode()&os.ModeCharDevice == 0 {
			text = harness.StripColor(text) // Ginkgo colours its flags even in a pipe
		}
		fmt.Fprint(out, text)
	}
	flag.Parse() // m.Run parses only when nothing did
	if *version {
		fmt.Println(program + ": " + harness.CurrentBuild().String())
		os.Exit(0)
	}
	os.Exit(harness.ExitCode(m.Run(), runVerdict))
}

func TestContract(t *testing.T) {
	RegisterFailHandler(failRedacted)
	format.RegisterCustomFormatter(formatError)
	suiteConfig, reporterConfig := GinkgoConfiguration()
	if harness.NoColor(os.Getenv) {
		reporterConfig.NoColor = true
	}
	RunSpecs(t, "Database API contract", suiteConfig, reporterConfig)
}

// formatError makes Gomega print an error as its message, a transport error on one line
// (harness.RequestFailure), instead of a dump of its structure, where a *url.Error shows the
// request's URL and its pre-signed token.
func formatError(v any) (string, bool) {
	err, ok := v.(error)
	if !ok || err == nil {
		return "", false
	}
	if suite != nil {
		err = harness.RequestFailure(suite.validator, err, suite.cfg.Timeout)
	}
	return secrets.Redact(err.Error()), true
}

// secrets removes the run's tokens, and anything shaped like a token, from every failure
// message, and so from stdout and every report.
var secrets = &harness.Redactor{}

// runVerdict is what broke, set by the report of the whole run (process 1).
var runVerdict harness.Verdict

// failRedacted is the suite's fail handler: Ginkgo's Fail with the secrets redacted.
func failRedacted(message string, callerSkip ...int) {
	skip := 1
	if len(callerSkip) > 0 {
		skip += callerSkip[0]
	}
	Fail(secrets.Redact(message), skip)
}

// failAs fails the running node with message, recording the verdict the failure stands for.
func failAs(v harness.Verdict, message string) {
	GinkgoHelper()
	AddReportEntry(verdictEntry, v.String(), ReportEntryVisibilityNever)
	failRedacted(message, 1)
}

// Report entries by which every process tells process 1 what it met.
const (
	verdictEntry   = "verdict"   // a failure's verdict, when it is not harness.ContractBroken
	violationEntry = "violation" // one report.ViolationRecord, as JSON
)

// recordViolations files the violations of errs under the running spec, with the exchange each
// was met on, for the reports.
func recordViolations(errs ...*conformance.ViolationError) {
	spec := CurrentSpecReport().FullText()
	for _, e := range errs {
		var x *harness.Exchange
		if suite != nil {
			x = suite.violations.exchange(e)
		}
		for _, rec := range report.Records(spec, e, x, secrets) {
			b, err := json.Marshal(rec)
			if err == nil {
				AddReportEntry(violationEntry, string(b), ReportEntryVisibilityNever)
			}
		}
	}
}

// suite is this process's target and instruments, set once in BeforeSuite and read-only after.
var suite *target

// target is what every spec talks to: the clients, the database under test, and the recorders.
type target struct {
	cfg        harness.Config
	validator  *conformance.Validator
	coverage   *conformance.Coverage
	violations *violationLog
	drift      *drift.Discovery // what the answers carry that the spec does not describe
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

// violationLog collects the contract violations the validating transport reports, and the
// exchange each was met on.
type violationLog struct {
	mu        sync.Mutex
	errs      []*conformance.ViolationError
	exchanges map[*conformance.ViolationError]*harness.Exchange
}

func (l *violationLog) add(e *conformance.ViolationError, x *harness.Exchange) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, e)
	if l.exchanges == nil {
		l.exchanges = map[*conformance.ViolationError]*harness.Exchange{}
	}
	l.exchanges[e] = x
}

// exchange returns the exchange e was met on, nil when unknown, and forgets it.
func (l *violationLog) exchange(e *conformance.ViolationError) *harness.Exchange {
	l.mu.Lock()
	defer l.mu.Unlock()
	x := l.exchanges[e]
	delete(l.exchanges, e)
	return x
}

// reset forgets every violation and exchange logged so far.
func (l *violationLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs, l.exchanges = nil, nil
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
	cfg, err := harness.FromEnviron(os.Environ())
	secrets.Add(cfg.Token, cfg.ForeignToken, mockToken, mockForeignToken)
	if err != nil {
		failAs(harness.SettingsWrong, "the contract suite is misconfigured:\n"+err.Error()+
			"\n(leave DBAPI_BASE_URL unset to run against the built-in mock)")
	}
	cwd, err := os.Getwd()
	Expect(err).NotTo(HaveOccurred())
	t := &target{cfg: cfg, violations: &violationLog{}, reportsDir: cfg.ResolveReportsDir(cwd)}
	Expect(os.MkdirAll(t.reportsDir, 0o755)).To(Succeed())
	_ = os.Remove(processCoverageFile(t.reportsDir, GinkgoParallelProcess()))
	_ = os.Remove(processDriftFile(t.reportsDir, GinkgoParallelProcess()))

	discovery := make(chan error, 1) // drift discovery loads the spec while the validators are built
	go func() {
		spec, err := dbapispec.GetSpec()
		if err == nil {
			t.drift, err = drift.NewDiscovery(spec)
		}
		discovery <- err
	}()
	t.coverage, t.validator = newCoverageValidator()
	Expect(<-discovery).To(Succeed(), "loading the spec for drift discovery")
	t.wire = harness.NewWireCounter(http.DefaultTransport.(*http.Transport).Clone())

	var rateLimited, failing string
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
		rateLimited = startMock(mv, mockserver.WithSeed(mockserver.DemoSeed()),
			mockserver.WithFaults(mockserver.Faults{RateLimitRate: 1, RetryAfter: 1}))
		failing = startMock(mv, mockserver.WithSeed(mockserver.DemoSeed()),
			mockserver.WithFaults(mockserver.Faults{ErrorRate: 1}))
		t.http = newHTTPClient(t.validator, t.drift, t.wire, cfg, t.base, t.violations, hostOf(rateLimited), hostOf(failing))
		t.rateLimited = newRawClient(rateLimited, t.http, "")
		t.failing = newRawClient(failing, t.http, "")
	case harness.ModeLive:
		t.base, t.db, t.es = cfg.SpecBaseURL(), cfg.DatabaseID, cfg.ESDatabaseID
		t.http = newHTTPClient(t.validator, t.drift, t.wire, cfg, t.base, t.violations)
		err := harness.CheckTarget(ctx, t.http, cfg, t.validator)
		var ce *harness.ConfigError
		var ue *harness.UnreachableError
		var ve *conformance.ViolationError
		switch {
		case errors.As(err, &ce):
			failAs(harness.SettingsWrong, "the live target failed the setup check:\n"+err.Error())
		case errors.As(err, &ue):
			failAs(harness.Unreachable, "the live target failed the setup check: "+err.Error()+
				"\n(check that "+harness.EnvBaseURL+" points at a reachable Database API)")
		case errors.As(err, &ve):
			recordViolations(ve)
			failAs(harness.ContractBroken, "the live target failed the setup check:\n"+err.Error())
		case err != nil:
			failAs(harness.ContractBroken, "the live target failed the setup check: "+err.Error())
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
	t.violations.reset() // the setup check's violations, if any, failed it above
	suite = t
}, NodeTimeout(setupTimeout()))

// setupTimeout bounds the setup: two requests of the per-request timeout, and the mocks' start.
func setupTimeout() time.Duration {
	cfg, _ := harness.FromEnv(os.Getenv)
	return max(30*time.Second, 3*cfg.Timeout)
}

// hostOf returns the host[:port] of a URL.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	Expect(err).NotTo(HaveOccurred())
	return u.Host
}

// startMock serves a mock on 127.0.0.1 until the suite ends and returns its base URL.
func startMock(v *conformance.Validator, opts ...mockserver.Option) string {
	s, err := mockserver.New(append(opts, mockserver.WithValidator(v))...)
	Expect(err).NotTo(HaveOccurred(), "starting the built-in mock")
	srv := httptest.NewServer(s.Handler())
	DeferCleanup(srv.Close)
	return srv.URL + "/api"
}

// newHTTPClient returns the suite's HTTP client (harness.NewHTTPClient), its violations logged
// for the running spec, and drift discovery seeing every answer, those the validator rejects
// included.
func newHTTPClient(v *conformance.Validator, found *drift.Discovery, wire http.RoundTripper, cfg harness.Config, base string, log *violationLog, extraHosts ...string) *http.Client {
	tokens := map[string]string{harness.EnvToken: cfg.Token, harness.EnvForeignToken: cfg.ForeignToken}
	if cfg.Mode == harness.ModeMock {
		tokens = map[string]string{harness.EnvToken: mockToken, harness.EnvForeignToken: mockForeignToken}
	}
	return harness.NewHTTPClient(v, wire, cfg, base, found, harness.ExchangeRecorder{Tokens: tokens}, log.add, extraHosts...)
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
	suite.violations.reset() // a violation belongs to the spec that caused it
	if !suite.cfg.AllowWrites && hasLabel(harness.Mutating) {
		Skip("writes disabled: set DBAPI_ALLOW_WRITES=1")
	}
})

// Every response that crossed the client was validated: a violation fails the spec whatever
// the spec asserted by hand.
var _ = AfterEach(func() {
	if errs := suite.violations.take(); len(errs) > 0 {
		recordViolations(errs...)
		failAs(harness.ContractBroken, violationMessage(errs))
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

// Coverage: each process writes what it saw; process 1 merges it and, against the mock, holds
// the run to 100%. The report of the whole run (below) writes and prints it.
var _ = SynchronizedAfterSuite(func() {
	if suite == nil {
		return
	}
	if !suite.cfg.AllowWrites {
		// The read-only proof of the whole run: nothing but GET reached the network.
		Expect(suite.wire.Writes()).To(BeZero(), "a read-only run sent writes: %v", suite.wire.Counts())
	}
	Expect(harness.WriteCoverage(processCoverageFile(suite.reportsDir, GinkgoParallelProcess()), suite.coverage.Report())).To(Succeed())
	Expect(drift.Write(processDriftFile(suite.reportsDir, GinkgoParallelProcess()), suite.drift.Report())).To(Succeed())
}, func() {
	if suite == nil {
		return
	}
	suiteCfg, _ := GinkgoConfiguration()
	files := make([]string, suiteCfg.ParallelTotal)
	for i := range files {
		files[i] = processCoverageFile(suite.reportsDir, i+1)
	}
	cov, err := harness.MergeCoverage(suite.validator, files...)
	Expect(err).NotTo(HaveOccurred())
	full := len(suiteCfg.FocusStrings) == 0 && len(suiteCfg.SkipStrings) == 0 &&
		suiteCfg.LabelFilter == "" && len(suiteCfg.FocusFiles) == 0 && len(suite.cfg.Mutations) == 0
	var gate error
	if suite.cfg.Mode == harness.ModeMock {
		// Against the mock, the pairs it cannot produce are marked and left out of the totals.
		gate = harness.CheckCoverage(cov, harness.MockUnproducible())
		cov = cov.Excluding(harness.Pairs(harness.MockUnproducible())...)
	}
	merged = &cov
	driftFiles := make([]string, suiteCfg.ParallelTotal)
	for i := range driftFiles {
		driftFiles[i] = processDriftFile(suite.reportsDir, i+1)
	}
	found, err := drift.Merge(driftFiles...)
	Expect(err).NotTo(HaveOccurred())
	mergedDrift = &found
	if gate != nil && full {
		Fail(gate.Error())
	}
	if suite.cfg.FailOnDrift && len(found.Findings) > 0 {
		Fail("the answers carry what the spec does not describe (" + harness.EnvFailOnDrift + "=1): " +
			found.Headline() + "\n  " + strings.Join(found.Lines(10), "\n  "))
	}
})

// mergedDrift is what drift discovery found in the whole run, set on process 1 after every
// process is done.
var mergedDrift *drift.Report

func processDriftFile(dir string, process int) string {
	return filepath.Join(dir, fmt.Sprintf("drift.p%d.json", process))
}

// merged is the coverage of the whole run, set on process 1 after every process is done.
var merged *conformance.Report

func processCoverageFile(dir string, process int) string {
	return filepath.Join(dir, fmt.Sprintf("contract-coverage.p%d.json", process))
}

// The report of the whole run, on process 1 once every process is done: the label check, the
// verdict, and the reports (JUnit, coverage JSON and table, HTML, and summary.txt when the run
// failed), every secret redacted; stdout gets the coverage summary once.
var _ = ReportAfterSuite("contract reports", func(r Report) {
	for _, s := range r.SpecReports {
		if s.LeafNodeType != types.NodeTypeIt {
			continue
		}
		if err := harness.CheckSpecLabels(s.FullText(), s.Labels()); err != nil {
			Fail(err.Error())
		}
		// Redaction rewrites values, never the words of a spec's name.
		if name := s.FullText(); secrets.Redact(name) != name {
			Fail(fmt.Sprintf("redaction rewrites the name of spec %q into %q", name, secrets.Redact(name)))
		}
	}
	cfg, _ := harness.FromEnv(os.Getenv)
	secrets.Add(cfg.Token, cfg.ForeignToken)
	cwd, err := os.Getwd()
	Expect(err).NotTo(HaveOccurred())
	dir := cfg.ResolveReportsDir(cwd)
	Expect(os.MkdirAll(dir, 0o755)).To(Succeed())

	run := report.Run{Mode: string(cfg.Mode), BaseURL: cfg.SafeBaseURL(), Time: r.StartTime, Settings: cfg.Settings(),
		ReadOnly: cfg.Mode == harness.ModeLive && !cfg.AllowWrites, Duration: time.Since(r.StartTime).Seconds(),
		Build: harness.CurrentBuild()}
	if cfg.Mode == harness.ModeMock {
		run.BaseURL = "built-in mock"
		if suite != nil {
			run.BaseURL += " (" + suite.base + ")"
		}
	}
	if merged != nil {
		run.Report = *merged
	}
	if mergedDrift != nil {
		run.Drift = redactDrift(*mergedDrift)
	}
	Expect(writeDrift(dir, run.Drift)).To(Succeed())
	verdict, failures := harness.Passed, []report.Failure(nil)
	for i := range r.SpecReports {
		s := &r.SpecReports[i]
		redactSpecReport(s)
		for _, e := range s.ReportEntries {
			var rec report.ViolationRecord
			if e.Name == violationEntry && json.Unmarshal([]byte(e.Value.String()), &rec) == nil {
				run.Violations = append(run.Violations, rec)
			}
		}
		if !s.State.Is(types.SpecStateFailureStates) {
			continue
		}
		// The failure's verdict is the one it recorded (failAs), else a broken contract.
		v := harness.Passed
		if s.State == types.SpecStateTimedout {
			v = harness.Unreachable
		}
		for _, e := range s.ReportEntries {
			if pv, ok := harness.ParseVerdict(e.Value.String()); ok && e.Name == verdictEntry {
				v = v.Worse(pv)
			}
		}
		if v == harness.Passed {
			v = harness.ContractBroken
		}
		verdict = verdict.Worse(v)
		name := s.FullText()
		if name == "" {
			name = "[" + s.LeafNodeType.String() + "]"
		}
		failures = append(failures, report.Failure{Spec: name, Message: s.Failure.Message, Verdict: v})
	}
	if verdict != harness.Passed {
		run.Verdict = verdict.String()
	}
	run.ExitCode, run.Failures = int(verdict), failures
	runVerdict = verdict

	Expect(run.WriteJSON(filepath.Join(dir, "contract-coverage.json"))).To(Succeed())
	var table strings.Builder
	Expect(run.Report.WriteTable(&table)).To(Succeed())
	Expect(os.WriteFile(filepath.Join(dir, "contract-coverage.txt"), []byte(table.String()), 0o644)).To(Succeed())
	var page strings.Builder
	Expect(run.WriteHTML(&page)).To(Succeed())
	Expect(os.WriteFile(filepath.Join(dir, "contract-report.html"), []byte(secrets.Redact(page.String())), 0o644)).To(Succeed())
	junit := filepath.Join(dir, "contract-junit.xml")
	Expect(reporters.GenerateJUnitReport(r, junit)).To(Succeed())
	Expect(harness.AddJUnitProperties(junit, run.Build.Properties()...)).To(Succeed())
	summary := filepath.Join(dir, "summary.txt")
	if verdict == harness.Passed {
		_ = os.Remove(summary)
	} else {
		var b strings.Builder
		Expect(report.WriteSummary(&b, verdict, run.Build, failures, run.Violations)).To(Succeed())
		if run.Drift != nil && len(run.Drift.Findings) > 0 {
			Expect(report.WriteDriftSummary(&b, *run.Drift, cfg.FailOnDrift)).To(Succeed())
		}
		Expect(os.WriteFile(summary, []byte(secrets.Redact(b.String())), 0o644)).To(Succeed())
	}
	printCoverage(cfg, run, dir, table.String())
	if run.Drift != nil && len(run.Drift.Findings) > 0 {
		fmt.Fprintf(os.Stdout, "  %s; see drift.json and drift-overlay.yaml\n", run.Drift.Headline())
	}
})

// writeDrift writes drift.json and drift-overlay.yaml (the latter only when something was
// found), or removes those of an earlier run when this one has none.
func writeDrift(dir string, r *drift.Report) error {
	found, overlay := filepath.Join(dir, "drift.json"), filepath.Join(dir, "drift-overlay.yaml")
	_ = os.Remove(overlay)
	if r == nil {
		_ = os.Remove(found)
		return nil
	}
	if err := drift.Write(found, *r); err != nil {
		return err
	}
	if ov := r.Overlay(); ov != nil {
		return os.WriteFile(overlay, ov, 0o644)
	}
	return nil
}

// redactDrift removes the secrets from the names drift discovery took from the answers.
func redactDrift(r drift.Report) *drift.Report {
	r.Findings = slices.Clone(r.Findings)
	for i := range r.Findings {
		r.Findings[i].Name = secrets.Redact(r.Findings[i].Name)
		r.Findings[i].In = secrets.Redact(r.Findings[i].In)
	}
	return &r
}

// printCoverage prints the coverage once: a summary line and what was never seen (see
// harness.Uncovered); the whole table with DBAPI_VERBOSE=1 (it is always in
// contract-coverage.txt).
func printCoverage(cfg harness.Config, run report.Run, dir, table string) {
	if len(run.Entries) == 0 {
		fmt.Fprintf(os.Stdout, "\nNo contract coverage: the run ended in its setup. Reports in %s\n", dir)
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nContract coverage against the %s target: operations %d/%d (%.1f%%), statuses %d/%d (%.1f%%); reports in %s\n",
		cfg.Mode, run.OperationsHit, run.OperationsTotal, run.OperationsPercent(), run.StatusesHit, run.StatusesTotal, run.StatusesPercent(), dir)
	if cfg.Verbose {
		b.WriteString(table)
	} else {
		for _, l := range harness.Uncovered(run.Report) {
			b.WriteString("  " + l + "\n")
		}
	}
	fmt.Fprint(os.Stdout, b.String())
}

// redactSpecReport removes the secrets from what the JUnit report takes from a spec report.
func redactSpecReport(s *types.SpecReport) {
	s.Failure.Message = secrets.Redact(s.Failure.Message)
	s.CapturedGinkgoWriterOutput = secrets.Redact(s.CapturedGinkgoWriterOutput)
	s.CapturedStdOutErr = secrets.Redact(s.CapturedStdOutErr)
	if s.Failure.AdditionalFailure != nil {
		s.Failure.AdditionalFailure.Failure.Message = secrets.Redact(s.Failure.AdditionalFailure.Failure.Message)
	}
	for i := range s.AdditionalFailures {
		s.AdditionalFailures[i].Failure.Message = secrets.Redact(s.AdditionalFailures[i].Failure.Message)
	}
}

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
