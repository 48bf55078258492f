package report

import (
	"sort"
	"strconv"
	"strings"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// Cell states of the HTML matrix.
const (
	CellHit      = "hit"
	CellMissed   = "missed"
	CellExcluded = "excluded"
	CellSkipped  = "skipped" // a write a read-only run did not send on purpose
	CellFailed   = "failed"  // a violation was met on this operation and status
	CellNone     = "none"    // not documented, and no violation
)

// MatrixRow is one operation of the HTML matrix.
type MatrixRow struct {
	OperationID, Method, Path string
	Cells                     []MatrixCell // one per Matrix.Statuses
}

// MatrixCell is one (operation, status) cell.
type MatrixCell struct {
	Status  string
	State   string // one of the Cell constants
	Hits    int
	Problem string // the id of the first problem met here, for a failed cell
}

// Matrix is the operation × status view of a Run.
type Matrix struct {
	Statuses []string // the columns: every documented status, and every status a violation came with
	Rows     []MatrixRow
	// Folded are the columns no operation hit or failed in this run (statuses only a target
	// that fails on purpose gives, in a live run): the page lists them instead of drawing them.
	Folded []string
}

// Matrix builds the operation × status view: each documented pair is hit, missed, excluded or
// (in a read-only run, for an operation that writes) skipped, and failed when a violation was
// met on it (a violation on an undocumented status adds its column).
func (r Run) Matrix() Matrix {
	type key struct{ op, status string }
	documented := map[string][]string{}
	entries := map[key]conformance.ReportEntry{}
	var ops []MatrixRow
	cols := map[string]bool{}
	for _, e := range r.Entries {
		if _, seen := documented[e.OperationID]; !seen {
			ops = append(ops, MatrixRow{OperationID: e.OperationID, Method: e.Method, Path: e.Path})
		}
		documented[e.OperationID] = append(documented[e.OperationID], e.Status)
		entries[key{e.OperationID, e.Status}] = e
		cols[e.Status] = true
	}
	failed := map[key]string{}
	for _, p := range r.Problems() {
		if p.Status == 0 {
			continue
		}
		k := key{p.OperationID, StatusKey(documented[p.OperationID], p.Status)}
		if failed[k] == "" {
			failed[k] = p.ID
		}
		cols[k.status] = true
	}
	var m Matrix
	for s := range cols {
		m.Statuses = append(m.Statuses, s)
	}
	sort.Strings(m.Statuses)
	seen := map[string]bool{}
	for _, row := range ops {
		for _, s := range m.Statuses {
			k := key{row.OperationID, s}
			e, ok := entries[k]
			c := MatrixCell{Status: s, State: CellNone, Hits: e.Hits}
			switch {
			case failed[k] != "":
				c.State, c.Problem = CellFailed, failed[k]
			case !ok:
			case e.Excluded:
				c.State = CellExcluded
			case e.Hits > 0:
				c.State = CellHit
			case r.ReadOnly && row.Method != "GET":
				c.State = CellSkipped
			default:
				c.State = CellMissed
			}
			if c.State == CellHit || c.State == CellFailed {
				seen[s] = true
			}
			row.Cells = append(row.Cells, c)
		}
		m.Rows = append(m.Rows, row)
	}
	for _, s := range m.Statuses {
		if !seen[s] {
			m.Folded = append(m.Folded, s)
		}
	}
	return m
}

// Visible returns m without its folded columns.
func (m Matrix) Visible() Matrix {
	if len(m.Folded) == 0 {
		return m
	}
	folded := map[string]bool{}
	for _, s := range m.Folded {
		folded[s] = true
	}
	out := Matrix{Folded: m.Folded}
	for _, s := range m.Statuses {
		if !folded[s] {
			out.Statuses = append(out.Statuses, s)
		}
	}
	for _, row := range m.Rows {
		v := MatrixRow{OperationID: row.OperationID, Method: row.Method, Path: row.Path}
		for _, c := range row.Cells {
			if !folded[c.Status] {
				v.Cells = append(v.Cells, c)
			}
		}
		out.Rows = append(out.Rows, v)
	}
	return out
}

// StatusKey returns the documented status key of the operation that status files under ("5XX"
// for 503 when the operation documents 5XX), or the status itself when none does.
func StatusKey(documented []string, status int) string {
	s := strconv.Itoa(status)
	for _, d := range documented {
		if d == s {
			return d
		}
	}
	for _, d := range documented {
		if len(d) == 3 && strings.EqualFold(d[1:], "XX") && d[0] == s[0] {
			return d
		}
	}
	return s
}
