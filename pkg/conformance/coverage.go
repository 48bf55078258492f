package conformance

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
)

// Coverage records which (operation, documented status) pairs were seen. It is safe for concurrent
// use. Build it with NewCoverage and pass it to New with WithCoverage, or call Record yourself.
type Coverage struct {
	ops  []Operation
	byID map[string]int // index into ops

	mu   sync.Mutex
	hits map[[2]string]int // (operationID, documented status key) -> count
}

// NewCoverage returns an empty Coverage over the operations of v.
func NewCoverage(v *Validator) *Coverage {
	c := &Coverage{ops: v.Operations(), byID: map[string]int{}, hits: map[[2]string]int{}}
	for i, o := range c.ops {
		c.byID[o.ID] = i
	}
	return c
}

// Record counts one response of status to the operation operationID. The status counts for its
// exact documented key ("404"), or else for the documented range that holds it ("5XX" for 500-599).
// Unknown operations and undocumented statuses are ignored: they are violations, not coverage.
func (c *Coverage) Record(operationID string, status int) {
	i, ok := c.byID[operationID]
	if !ok {
		return
	}
	key := documentedKey(c.ops[i].Statuses, status)
	if key == "" {
		return
	}
	c.mu.Lock()
	c.hits[[2]string{operationID, key}]++
	c.mu.Unlock()
}

func documentedKey(statuses []string, status int) string {
	exact := strconv.Itoa(status)
	if slices.Contains(statuses, exact) {
		return exact
	}
	if status >= 100 && status < 600 {
		rng := string(rune('0'+status/100)) + "XX"
		if slices.Contains(statuses, rng) {
			return rng
		}
	}
	return ""
}

// Merge adds the hits of other to c. Both must cover the same spec.
func (c *Coverage) Merge(other *Coverage) {
	if other == nil || other == c {
		return
	}
	other.mu.Lock()
	snapshot := make(map[[2]string]int, len(other.hits))
	for k, n := range other.hits {
		snapshot[k] = n
	}
	other.mu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, n := range snapshot {
		c.hits[k] += n
	}
}

// Report is a snapshot of a Coverage: one entry per operation and documented status, hit or not,
// and totals over the entries that are not excluded. An operation is hit when any of its
// (non-excluded) statuses is.
type Report struct {
	Entries         []ReportEntry `json:"entries"` // sorted by Path, Method, then Status
	OperationsHit   int           `json:"operations_hit"`
	OperationsTotal int           `json:"operations_total"`
	StatusesHit     int           `json:"statuses_hit"`
	StatusesTotal   int           `json:"statuses_total"`
}

// ReportEntry is one (operation, documented status) pair and how often it was seen. An excluded
// entry (see Report.Excluding) is listed but left out of the totals.
type ReportEntry struct {
	OperationID string `json:"operation_id"`
	Method      string `json:"method"`
	Path        string `json:"path"`
	Status      string `json:"status"`
	Hits        int    `json:"hits"`
	Excluded    bool   `json:"excluded,omitempty"`
}

// Report returns a snapshot of the coverage with its totals.
func (c *Coverage) Report() Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	var r Report
	for _, o := range c.ops {
		for _, s := range o.Statuses {
			r.Entries = append(r.Entries, ReportEntry{
				OperationID: o.ID, Method: o.Method, Path: o.Path, Status: s,
				Hits: c.hits[[2]string{o.ID, s}],
			})
		}
	}
	r.recount()
	return r
}

// Excluding returns a copy of r in which the given (operationID, status) pairs are marked excluded:
// statuses that the target cannot produce, which then count neither as hit nor in the totals. Either
// element may be "*" to match every operation or every status, e.g. {"*", "5XX"}. An operation
// whose statuses are all excluded leaves the operation totals.
func (r Report) Excluding(pairs ...[2]string) Report {
	out := r
	out.Entries = slices.Clone(r.Entries)
	for i := range out.Entries {
		e := &out.Entries[i]
		for _, p := range pairs {
			if (p[0] == "*" || p[0] == e.OperationID) && (p[1] == "*" || p[1] == e.Status) {
				e.Excluded = true
			}
		}
	}
	out.recount()
	return out
}

// recount computes the totals from the entries, leaving excluded entries out: an operation counts
// when at least one of its statuses is not excluded, and is hit when one of those is.
func (r *Report) recount() {
	r.OperationsHit, r.OperationsTotal, r.StatusesHit, r.StatusesTotal = 0, 0, 0, 0
	type opState struct{ counted, hit bool }
	ops := map[string]*opState{}
	var order []string
	for _, e := range r.Entries {
		st := ops[e.OperationID]
		if st == nil {
			st = &opState{}
			ops[e.OperationID] = st
			order = append(order, e.OperationID)
		}
		if e.Excluded {
			continue
		}
		st.counted = true
		r.StatusesTotal++
		if e.Hits > 0 {
			st.hit = true
			r.StatusesHit++
		}
	}
	for _, id := range order {
		if st := ops[id]; st.counted {
			r.OperationsTotal++
			if st.hit {
				r.OperationsHit++
			}
		}
	}
}

// OperationsPercent is the share of operations hit, from 0 to 100 (100 when there are none).
func (r Report) OperationsPercent() float64 { return percent(r.OperationsHit, r.OperationsTotal) }

// StatusesPercent is the share of documented, non-excluded statuses hit, from 0 to 100.
func (r Report) StatusesPercent() float64 { return percent(r.StatusesHit, r.StatusesTotal) }

func percent(n, total int) float64 {
	if total == 0 {
		return 100
	}
	return 100 * float64(n) / float64(total)
}

// WriteJSON writes r as indented JSON, readable back with ReadReportJSON.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// ReadReportJSON reads a Report written by WriteJSON.
func ReadReportJSON(rd io.Reader) (Report, error) {
	var r Report
	if err := json.NewDecoder(rd).Decode(&r); err != nil {
		return Report{}, fmt.Errorf("conformance: read coverage report: %w", err)
	}
	return r, nil
}

// WriteTable writes r as an aligned table, one row per entry, followed by the summary percentages.
func (r Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "OPERATION\tMETHOD\tPATH\tSTATUS\tHITS\t")
	for _, e := range r.Entries {
		hits := strconv.Itoa(e.Hits)
		switch {
		case e.Excluded:
			hits += " (excluded)"
		case e.Hits == 0:
			hits = "MISSED"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", e.OperationID, e.Method, e.Path, e.Status, hits)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "operations: %d/%d (%.1f%%)\n", r.OperationsHit, r.OperationsTotal, r.OperationsPercent())
	fmt.Fprintf(&b, "statuses:   %d/%d (%.1f%%)\n", r.StatusesHit, r.StatusesTotal, r.StatusesPercent())
	_, err := io.WriteString(w, b.String())
	return err
}
