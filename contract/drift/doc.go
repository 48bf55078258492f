// Package drift proves that the contract suite in contract/ catches drift: its test compiles
// the suite once, runs it against the built-in mock unmutated (it must pass), then once per
// contract mutation of pkg/mockserver/mutate (each run must fail, naming the mutated operation and the
// violation).
package drift
