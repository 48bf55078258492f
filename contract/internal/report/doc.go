// Package report writes what a contract-suite run found, for people and for CI: the run's JSON
// (contract-coverage.json, a superset of the conformance coverage report), the self-contained
// HTML page (verdict first, then the distinct problems with a curl command each, the failed
// specs, the drift found and the operation × status matrix), and summary.txt. Violations reach
// it as records with every secret redacted.
//
// It reads the run's settings, build, verdict and exchanges from contract/internal/harness and
// the drift from contract/internal/drift; neither imports it.
package report
