package drift

import (
	"fmt"
	"os"

	"github.com/scalingodb/dbapi-go/contract/internal/jsonfile"
)

// Write writes r as indented JSON to path.
func Write(path string, r Report) error { return jsonfile.Write(path, r) }

// Read reads a report written by Write.
func Read(path string) (Report, error) { return jsonfile.Read[Report](path) }

// Merge reads the per-process reports in files, adds them up into one, and removes the
// files. A missing or unreadable file is an error: a process whose findings are lost would make
// the report lie.
func Merge(files ...string) (Report, error) {
	var out Report
	byKey := map[driftKey]*Finding{}
	for _, name := range files {
		r, err := Read(name)
		if err != nil {
			return Report{}, fmt.Errorf("drift of a parallel process: %w", err)
		}
		out.Answers += r.Answers
		out.Dropped += r.Dropped
		out.Unparsed += r.Unparsed
		for _, f := range r.Findings {
			k := driftKey{f.OperationID, f.Kind, f.Status, f.ContentType, f.Name}
			m := byKey[k]
			if m == nil {
				c := f
				c.Types = map[string]int{}
				m = &c
				byKey[k] = m
			} else {
				m.Count += f.Count
			}
			for t, n := range f.Types {
				m.Types[t] += n
			}
		}
		_ = os.Remove(name)
	}
	out.Findings = make([]Finding, 0, len(byKey))
	for _, f := range byKey {
		out.Findings = append(out.Findings, *f)
	}
	sortFindings(out.Findings)
	return out, nil
}
