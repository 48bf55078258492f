// Package contract holds the Ginkgo contract suite of the Database API: it proves that a target,
// the built-in mock or a live server, keeps the contract of openapi.yaml. The code is in the test
// files (package contract_test), with one Describe per resource, and its plain-Go parts (settings,
// labels, the read-only transport, coverage) in contract/internal/harness.
//
// Run it against the built-in mock (each parallel process starts its own, in memory):
//
//	make contract
//
// or against a live target, read-only unless DBAPI_ALLOW_WRITES=1:
//
//	DBAPI_BASE_URL=https://db-api.osc-fr1.scalingo.com/api DB_BEARER_TOKEN=... \
//	DBAPI_DATABASE_ID=my-db-123 [DBAPI_ES_DATABASE_ID=...] [DBAPI_FOREIGN_TOKEN=...] \
//	[DBAPI_ALLOW_WRITES=1] make contract-live
//
// The bearer token is an addon token: it grants one database. DBAPI_FOREIGN_TOKEN, the token of
// another database, lets the suite check that the operations on DBAPI_DATABASE_ID refuse it with
// 403 (the irreversible ones only against the mock); without it those specs are skipped. The
// built-in mock holds such a token itself, scoped to my-mysql-123 (see
// mockserver.WithDatabaseToken).
//
// Every response that crosses the suite's HTTP client is validated by pkg/conformance, and any
// violation fails the running spec whatever it asserts by hand. In a read-only run the client
// refuses anything but GET before dialing, specs labelled mutating are skipped, and the run fails
// at its end if a single write reached the network. Irreversible operations (an upgrade, a
// point-in-time restore) and changes to protected users run against the mock only.
//
// After a run, the reports folder (DBAPI_REPORTS_DIR, default ./reports of the current folder)
// holds contract-junit.xml, contract-coverage.json and .txt (every operation × documented status,
// hit or not, and every violation), contract-report.html (the same data as one page) and, when
// the run failed, summary.txt; stdout gets a summary line and what was never seen, once. Against
// the mock a full run fails below 100% of the operations and of the statuses the mock can produce
// (harness.MockUnproducible lists the others, with reasons). No bearer token and no pre-signed
// token reaches stdout or a report: failure messages are redacted and transport errors are
// rendered on one line (harness.RequestFailure).
//
// Every run also records drift: each property (JSON pointer, * for array items), header, status
// and media type the answers carry and the spec does not describe, per operation, with the JSON
// types seen and how often, never a value (contract/internal/drift). The reports folder gets
// drift.json and drift-overlay.yaml, an OpenAPI Overlay 1.0 document that adds them to
// openapi.yaml as optional; stdout gets one line, summary.txt and the HTML report a section. Drift fails the run
// (exit 1) only with DBAPI_FAIL_ON_DRIFT=1.
//
// The compiled suite (make contract-binary) is a tool for any CI: its TestMain exits with the
// run's harness.Verdict (1 contract broken, 3 settings wrong, 4 unreachable or timed out). It
// explains itself: -h lists the settings (harness.SettingDocs, where a new setting is one line),
// the labels and the exit codes before Ginkgo's flags; --version prints the suite's version and
// commit and the spec's info.version, which every report also carries. NO_COLOR or CI turns
// colour off, and a DBAPI_* variable the suite does not know is a settings error that names the
// closest setting.
//
// The HTML report leads with the verdict and the distinct problems (each with expected and got,
// the answer, and a curl command that reproduces the request with $DB_BEARER_TOKEN); the
// operation × status matrix comes after.
//
// Labels (a closed set, see harness.Labels): read-only, mutating, slow, unverified, and one per
// resource, e.g. `ginkgo --label-filter='read-only && backups' ./contract`. unverified marks the
// specs of the operations known from one client only (x-sources in openapi.yaml);
// --label-filter='!unverified' leaves exactly those 13 operations out.
//
// DBAPI_MOCK_MUTATIONS=name[,name] makes the built-in mock drift (see mutate.Catalogue);
// contract/drift proves that the suite fails on every breach of the spec and reports every
// addition to it.
package contract
