// Package harness holds the plain-Go parts of the contract suite in contract/: the settings read
// from the environment, the closed label set, the transports of the suite's client (read-only,
// host guard, base path, idle timeout), the recording of the exchange a violation was met on,
// the one-line rendering of requests that got no answer, the redaction of secrets, the coverage
// plumbing that merges the reports of parallel Ginkgo processes and holds the run to 100%
// against the built-in mock, the request bodies and refusals the negative specs derive from the
// spec, the build the run reports, and the verdict that becomes the compiled suite's exit code.
//
// Drift discovery is contract/internal/drift and the reports (JSON, HTML, summary) are
// contract/internal/report. It lives outside the Ginkgo suite so that each piece has ordinary
// unit tests.
package harness
