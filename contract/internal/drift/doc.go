// Package drift is the contract suite's drift discovery: it records what a target's answers
// carry that the spec does not describe (undocumented properties, headers, statuses and media
// types, by operation; types and counts, never a value), merges what parallel processes found,
// and writes it down: drift.json, an OpenAPI Overlay that adds it to openapi.yaml
// (drift-overlay.yaml), and the lines and HTML section the suite's reports show.
//
// It knows nothing of the suite's settings or reports; contract/internal/harness puts its
// Transport in the suite's client and contract/internal/report shows what it found.
package drift
