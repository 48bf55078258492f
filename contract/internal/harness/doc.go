// Package harness holds the plain-Go parts of the contract suite in contract/: the target
// configuration read from the environment, the closed label set, the read-only transport that
// keeps a live smoke run from sending anything but GET, and the coverage plumbing that merges
// the reports of parallel Ginkgo processes and holds the run to 100% against the built-in mock.
//
// It lives outside the Ginkgo suite so that each piece has ordinary unit tests.
package harness
