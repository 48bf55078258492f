package harness

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// WriteCoverage writes r as JSON to path.
func WriteCoverage(path string, r conformance.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := r.WriteJSON(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// MergeCoverage reads the per-process coverage reports in files, adds up their hits into one
// report over v's operations, and removes the files. A missing or unreadable file is an error:
// a process whose coverage is lost would make the totals lie.
func MergeCoverage(v *conformance.Validator, files ...string) (conformance.Report, error) {
	merged := conformance.NewCoverage(v)
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return conformance.Report{}, fmt.Errorf("coverage of a parallel process: %w", err)
		}
		r, err := conformance.ReadReportJSON(f)
		f.Close()
		if err != nil {
			return conformance.Report{}, fmt.Errorf("read %s: %w", name, err)
		}
		for _, e := range r.Entries {
			status, err := recordStatus(e.Status)
			if err != nil {
				return conformance.Report{}, fmt.Errorf("read %s: %s %s: %w", name, e.OperationID, e.Status, err)
			}
			for range e.Hits {
				merged.Record(e.OperationID, status)
			}
		}
		_ = os.Remove(name)
	}
	return merged.Report(), nil
}

// recordStatus turns a documented status key ("201", "5XX") into a status that Record files
// under that key.
func recordStatus(key string) (int, error) {
	if len(key) == 3 && strings.HasSuffix(strings.ToUpper(key), "XX") && key[0] >= '1' && key[0] <= '5' {
		return int(key[0]-'0') * 100, nil
	}
	n, err := strconv.Atoi(key)
	if err != nil || n < 100 || n > 599 {
		return 0, fmt.Errorf("not a status: %q", key)
	}
	return n, nil
}

// Exclusion is a documented (operation, status) pair that the built-in mock cannot produce,
// with the reason. The coverage gate does not count it, and fails if it is ever hit, so the
// list cannot go stale.
type Exclusion struct {
	OperationID string
	Status      string
	Reason      string
}

// CoverageError lists what keeps a run below 100% of the producible (operation, status) pairs.
type CoverageError struct {
	Missing []conformance.ReportEntry // documented, producible and never seen
	Stale   []Exclusion               // excluded, yet seen: the exclusion is wrong
	Unknown []Exclusion               // excluded, but not documented by the spec
}

// Error lists every missing pair and every wrong exclusion, one per line.
func (e *CoverageError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "contract coverage below 100%% of what the mock can produce:")
	for _, m := range e.Missing {
		fmt.Fprintf(&b, "\n  never seen: %s %s %s -> %s", m.OperationID, m.Method, m.Path, m.Status)
	}
	for _, s := range e.Stale {
		fmt.Fprintf(&b, "\n  excluded but seen (remove it from MockUnproducible): %s -> %s", s.OperationID, s.Status)
	}
	for _, s := range e.Unknown {
		fmt.Fprintf(&b, "\n  excluded but not documented (remove it from MockUnproducible): %s -> %s", s.OperationID, s.Status)
	}
	return b.String()
}

// CheckCoverage returns a *CoverageError unless every documented pair of r that excl does not
// name was seen at least once, every excluded pair was never seen, and every excluded pair is
// documented.
func CheckCoverage(r conformance.Report, excl []Exclusion) error {
	if len(r.Entries) == 0 {
		return errNoCoverage
	}
	type pair struct{ op, status string }
	excluded := map[pair]Exclusion{}
	for _, x := range excl {
		excluded[pair{x.OperationID, x.Status}] = x
	}
	var ce CoverageError
	documented := map[pair]bool{}
	for _, e := range r.Entries {
		p := pair{e.OperationID, e.Status}
		documented[p] = true
		x, isExcluded := excluded[p]
		switch {
		case isExcluded && e.Hits > 0:
			ce.Stale = append(ce.Stale, x)
		case !isExcluded && e.Hits == 0:
			ce.Missing = append(ce.Missing, e)
		}
	}
	for _, x := range excl {
		if !documented[pair{x.OperationID, x.Status}] {
			ce.Unknown = append(ce.Unknown, x)
		}
	}
	if len(ce.Missing)+len(ce.Stale)+len(ce.Unknown) > 0 {
		return &ce
	}
	return nil
}

// errNoCoverage is returned when a report holds no entries: nothing was measured.
var errNoCoverage = errors.New("empty coverage report")

// Pairs returns the exclusions as the (operation, status) pairs that Report.Excluding takes, so
// the written report marks them and leaves them out of its totals.
func Pairs(excl []Exclusion) [][2]string {
	out := make([][2]string, len(excl))
	for i, x := range excl {
		out[i] = [2]string{x.OperationID, x.Status}
	}
	return out
}

// Uncovered lists what r never saw, in a few lines for stdout: the operations never called at
// all on one line, then one line per set of missed statuses naming the operations that missed
// exactly that set. Excluded pairs are left out.
func Uncovered(r conformance.Report) []string {
	var order []string
	missed := map[string][]string{}
	counted := map[string]bool{}
	hit := map[string]bool{}
	for _, e := range r.Entries {
		if e.Excluded {
			continue
		}
		if !counted[e.OperationID] {
			counted[e.OperationID] = true
			order = append(order, e.OperationID)
		}
		if e.Hits > 0 {
			hit[e.OperationID] = true
		} else {
			missed[e.OperationID] = append(missed[e.OperationID], e.Status)
		}
	}
	var never []string
	var groups []string
	byGroup := map[string][]string{}
	for _, op := range order {
		switch {
		case !hit[op]:
			never = append(never, op)
		case len(missed[op]) > 0:
			g := strings.Join(missed[op], " ")
			if byGroup[g] == nil {
				groups = append(groups, g)
			}
			byGroup[g] = append(byGroup[g], op)
		}
	}
	var out []string
	if len(never) > 0 {
		out = append(out, fmt.Sprintf("never called (%d): %s", len(never), strings.Join(never, ", ")))
	}
	for _, g := range groups {
		out = append(out, fmt.Sprintf("never answered %s (%d): %s", g, len(byGroup[g]), strings.Join(byGroup[g], ", ")))
	}
	return out
}
