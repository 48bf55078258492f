// Package schemacheck judges JSON documents against the spec's schemas the way the generated Go
// types read them: "valid means usable". A Checker, compiled once per schema by a Compiler, gives
// kin-openapi's verdict (with this package's Formats) without building errors, and adds what a
// schema reading cannot see but encoding/json does: integer literals, text, repeated and
// case-folded keys, numbers float64 does not hold, escaped date-times (strict.go).
//
// ValidJSON is the fast path: it walks the bytes and builds no value (scan.go). OK judges a value
// decoded into any (checker.go). Strict reports, with JSON pointers, what keeps a document from
// decoding faithfully, for the slow path that explains a refusal. The caller, package conformance,
// turns kin-openapi's errors and these Problems into its violations.
package schemacheck
