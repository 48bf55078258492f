package backupsync

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// Policy says which copies to keep, in restic's words (restic forget): a
// copy is kept when any rule keeps it. Days, weeks and months are those of
// UTC: a copy made at 00:30 in Paris on 5 December (23:30 UTC on the 4th)
// belongs to 4 December. The zero Policy keeps everything.
type Policy struct {
	// Last keeps the Last most recent copies.
	Last int
	// Daily keeps, for each of the last Daily days that have copies, the
	// most recent copy of that day.
	Daily int
	// Weekly keeps the most recent copy of each of the last Weekly ISO
	// weeks (Monday to Sunday) that have copies.
	Weekly int
	// Monthly keeps the most recent copy of each of the last Monthly
	// calendar months that have copies.
	Monthly int
	// Within keeps every copy made within this span of the most recent
	// copy (not of now, as restic: a sync that stops for a month does not
	// lose its history).
	Within Span
}

// maxRule bounds each count of a Policy and each field of its Span, as
// ParseSpan does: hours beyond it would overflow a time.Duration.
const maxRule = 100000

// check refuses a policy that would keep too little: a negative count or
// span keeps no copy at all, so that Sync would prune every one.
func (p Policy) check() error {
	for _, n := range []int{p.Last, p.Daily, p.Weekly, p.Monthly, p.Within.Years, p.Within.Months, p.Within.Days, p.Within.Hours} {
		if n < 0 || n > maxRule {
			return &scalingodb.InvalidInputError{Field: "policy",
				Reason: fmt.Sprintf("counts and spans must be 0 to %d (%s): a negative one would keep no copy", maxRule, p)}
		}
	}
	return nil
}

// IsZero reports whether p keeps everything (no rule given).
func (p Policy) IsZero() bool {
	return p.Last == 0 && p.Daily == 0 && p.Weekly == 0 && p.Monthly == 0 && p.Within.IsZero()
}

// String returns the rules of p as the CLI flags spell them.
func (p Policy) String() string {
	if p.IsZero() {
		return "keep everything"
	}
	s := ""
	add := func(name string, n int) {
		if n != 0 {
			s += fmt.Sprintf(" --keep-%s %d", name, n)
		}
	}
	add("last", p.Last)
	add("daily", p.Daily)
	add("weekly", p.Weekly)
	add("monthly", p.Monthly)
	if !p.Within.IsZero() {
		s += " --keep-within " + p.Within.String()
	}
	return s[1:]
}

// Span is a calendar span in restic's form, such as 1y5m7d2h: years,
// months, days and hours, each optional, in that order.
type Span struct {
	Years, Months, Days, Hours int
}

// ParseSpan parses a span such as 30d, 1y6m or 2d12h.
func ParseSpan(s string) (Span, error) {
	var sp Span
	if s == "" {
		return sp, &SpanError{Input: s, Reason: "empty"}
	}
	order := "ymdh"
	pos := 0
	rest := s
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i == len(rest) {
			return Span{}, &SpanError{Input: s, Reason: "want numbers each followed by y, m, d or h, such as 30d or 1y6m"}
		}
		n, err := strconv.Atoi(rest[:i])
		if err != nil || n > maxRule {
			return Span{}, &SpanError{Input: s, Reason: "number out of range"}
		}
		unit := rest[i]
		k := -1
		for j := pos; j < len(order); j++ {
			if order[j] == unit {
				k = j
			}
		}
		if k < 0 {
			return Span{}, &SpanError{Input: s, Reason: fmt.Sprintf("unit %q: want y, m, d or h, once each and in that order", unit)}
		}
		switch unit {
		case 'y':
			sp.Years = n
		case 'm':
			sp.Months = n
		case 'd':
			sp.Days = n
		case 'h':
			sp.Hours = n
		}
		pos = k + 1
		rest = rest[i+1:]
	}
	return sp, nil
}

// IsZero reports whether the span is empty.
func (s Span) IsZero() bool { return s == Span{} }

// String returns the span as ParseSpan reads it.
func (s Span) String() string {
	out := ""
	for _, p := range []struct {
		n    int
		unit string
	}{{s.Years, "y"}, {s.Months, "m"}, {s.Days, "d"}, {s.Hours, "h"}} {
		if p.n != 0 {
			out += strconv.Itoa(p.n) + p.unit
		}
	}
	if out == "" {
		return "0h"
	}
	return out
}

// before returns t moved back by the span, in UTC.
func (s Span) before(t time.Time) time.Time {
	return t.UTC().AddDate(-s.Years, -s.Months, -s.Days).Add(-time.Duration(s.Hours) * time.Hour)
}

// SpanError is a --keep-within span that does not parse.
type SpanError struct {
	Input  string
	Reason string
}

func (e *SpanError) Error() string {
	return fmt.Sprintf("backupsync: invalid span %q: %s", e.Input, e.Reason)
}

// Keep returns the subset of times that p keeps, as a set of indexes into
// times. It follows restic's forget: the times are taken newest first; a
// bucket rule (daily, weekly, monthly) keeps a time whose bucket differs
// from the last one it kept, while it has counts left; when a bucket rule
// still has counts left at the oldest time, that oldest time is kept too,
// so that the history is as long as the rule allows. A zero policy keeps
// all.
func (p Policy) Keep(times []time.Time) map[int]bool {
	keep := make(map[int]bool, len(times))
	if len(times) == 0 {
		return keep
	}
	order := make([]int, len(times))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return times[order[a]].After(times[order[b]]) })
	if p.IsZero() {
		for _, i := range order {
			keep[i] = true
		}
		return keep
	}
	type bucket struct {
		count int
		key   func(t time.Time) string
		last  string
	}
	buckets := []*bucket{
		{count: p.Last, key: nil},
		{count: p.Daily, key: func(t time.Time) string { return t.UTC().Format("2006-01-02") }},
		{count: p.Weekly, key: func(t time.Time) string {
			y, w := t.UTC().ISOWeek()
			return fmt.Sprintf("%04d-W%02d", y, w)
		}},
		{count: p.Monthly, key: func(t time.Time) string { return t.UTC().Format("2006-01") }},
	}
	var within time.Time
	if !p.Within.IsZero() {
		within = p.Within.before(times[order[0]])
	}
	for n, i := range order {
		t := times[i]
		if !p.Within.IsZero() && !t.Before(within) {
			keep[i] = true
		}
		for bi, b := range buckets {
			if b.count <= 0 {
				continue
			}
			if bi == 0 { // keep-last: every time counts
				keep[i] = true
				b.count--
				continue
			}
			k := b.key(t)
			if k != b.last || n == len(order)-1 {
				keep[i] = true
				b.last = k
				b.count--
			}
		}
	}
	return keep
}
