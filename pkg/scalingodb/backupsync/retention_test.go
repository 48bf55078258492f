package backupsync

import (
	"errors"
	"sort"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Paris even where the system has no zone database

	"github.com/google/go-cmp/cmp"
)

func TestPolicy_Keep(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	// parser returns a parser of instants written with layout, in loc unless
	// they give their offset.
	parser := func(layout string, loc *time.Location) func(string) time.Time {
		return func(s string) time.Time {
			v, err := time.ParseInLocation(layout, s, loc)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
	at, local := parser(time.RFC3339, time.UTC), parser("2006-01-02 15:04", paris)
	tests := []struct {
		name   string
		policy Policy
		times  []time.Time
		want   []time.Time // the survivors
	}{
		{
			name: "no rule keeps everything", policy: Policy{},
			times: []time.Time{at("2026-01-01T00:00:00Z"), at("2026-01-02T00:00:00Z")},
			want:  []time.Time{at("2026-01-01T00:00:00Z"), at("2026-01-02T00:00:00Z")},
		},
		{name: "nothing to keep", policy: Policy{Last: 3}},
		{
			// Paris goes to summer time on 29 March 2026. Copies made at
			// 00:30 and 23:30 Paris time fall on UTC days: the days are
			// UTC's, not Paris's (where 30 March 00:30 and 29 March 23:30
			// would be two days and both kept).
			name: "daily across the spring DST change, days in UTC", policy: Policy{Daily: 2},
			times: []time.Time{local("2026-03-28 00:30"), local("2026-03-29 00:30"), local("2026-03-29 23:30"), local("2026-03-30 00:30")},
			want:  []time.Time{local("2026-03-29 00:30"), local("2026-03-30 00:30")},
		},
		{
			// Paris leaves summer time on 25 October 2026: 02:30 happens
			// twice (00:30Z and 01:30Z). In UTC these are two days, 24 and
			// 25 October; in Paris they would be 25 and 26.
			name: "daily across the autumn DST change", policy: Policy{Daily: 3},
			times: []time.Time{at("2026-10-24T23:30:00Z"), at("2026-10-25T00:30:00Z"), at("2026-10-25T01:30:00Z"), at("2026-10-25T23:30:00Z")},
			want:  []time.Time{at("2026-10-24T23:30:00Z"), at("2026-10-25T23:30:00Z")},
		},
		{
			name: "monthly over month ends and a leap day", policy: Policy{Monthly: 3},
			times: []time.Time{at("2027-12-31T23:59:59Z"), at("2028-01-31T23:00:00Z"), at("2028-02-01T01:00:00Z"), at("2028-02-29T12:00:00Z"),
				at("2028-03-01T00:00:00Z"), at("2028-03-31T23:59:59Z")},
			want: []time.Time{at("2028-01-31T23:00:00Z"), at("2028-02-29T12:00:00Z"), at("2028-03-31T23:59:59Z")},
		},
		{
			name: "daily over a leap day", policy: Policy{Daily: 2},
			times: []time.Time{at("2028-02-28T10:00:00Z"), at("2028-02-29T10:00:00Z"), at("2028-02-29T20:00:00Z"), at("2028-03-01T00:00:00Z")},
			want:  []time.Time{at("2028-02-29T20:00:00Z"), at("2028-03-01T00:00:00Z")},
		},
		{
			// 2026 has an ISO week 53, from Monday 28 December to Sunday 3 January.
			name: "weekly across the year end (ISO weeks)", policy: Policy{Weekly: 2},
			times: []time.Time{at("2026-12-27T03:00:00Z"), at("2026-12-28T03:00:00Z"), at("2027-01-03T03:00:00Z"), at("2027-01-04T03:00:00Z")},
			want:  []time.Time{at("2027-01-03T03:00:00Z"), at("2027-01-04T03:00:00Z")},
		},
		{
			name: "last and within together", policy: Policy{Last: 2, Within: Span{Days: 2}},
			times: []time.Time{at("2026-12-01T03:00:00Z"), at("2026-12-02T03:00:00Z"), at("2026-12-03T03:00:00Z"), at("2026-12-04T03:00:00Z"), at("2026-12-05T03:00:00Z")},
			want:  []time.Time{at("2026-12-03T03:00:00Z"), at("2026-12-04T03:00:00Z"), at("2026-12-05T03:00:00Z")},
		},
		{
			// 31 March minus a month is "31 February", which Go (and restic)
			// normalise to 3 March: the bound is inclusive.
			name: "within a month from a month end", policy: Policy{Within: Span{Months: 1}},
			times: []time.Time{at("2026-03-02T03:00:00Z"), at("2026-03-03T03:00:00Z"), at("2026-03-31T03:00:00Z")},
			want:  []time.Time{at("2026-03-03T03:00:00Z"), at("2026-03-31T03:00:00Z")},
		},
		{
			name: "within is counted from the newest copy, not from now", policy: Policy{Within: Span{Days: 1}},
			times: []time.Time{at("2020-01-01T00:00:00Z"), at("2020-01-05T00:00:00Z"), at("2020-01-05T12:00:00Z")},
			want:  []time.Time{at("2020-01-05T00:00:00Z"), at("2020-01-05T12:00:00Z")},
		},
		{
			// restic keeps the oldest copy when a rule still has counts left.
			name: "a rule with counts left keeps the oldest copy", policy: Policy{Daily: 3},
			times: []time.Time{at("2026-12-01T08:00:00Z"), at("2026-12-01T09:00:00Z"), at("2026-12-02T08:00:00Z")},
			want:  []time.Time{at("2026-12-01T08:00:00Z"), at("2026-12-01T09:00:00Z"), at("2026-12-02T08:00:00Z")},
		},
		{
			name: "daily and monthly overlap", policy: Policy{Daily: 1, Monthly: 2},
			times: []time.Time{at("2026-10-15T03:00:00Z"), at("2026-10-31T03:00:00Z"), at("2026-11-15T03:00:00Z"), at("2026-11-30T03:00:00Z")},
			want:  []time.Time{at("2026-10-31T03:00:00Z"), at("2026-11-30T03:00:00Z")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Shuffle the order: Keep must not depend on it.
			in := append([]time.Time(nil), tt.times...)
			for i, j := 0, len(in)-1; i < j; i, j = i+1, j-1 {
				in[i], in[j] = in[j], in[i]
			}
			keep := tt.policy.Keep(in)
			var got []time.Time
			for i, t := range in {
				if keep[i] {
					got = append(got, t)
				}
			}
			sort.Slice(got, func(i, j int) bool { return got[i].Before(got[j]) })
			if diff := cmp.Diff(utc(tt.want), utc(got)); diff != "" {
				t.Errorf("survivors (-want +got):\n%s", diff)
			}
		})
	}
}

// utc returns the times in UTC, for readable diffs.
func utc(ts []time.Time) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.UTC().Format(time.RFC3339))
	}
	return out
}

func TestParseSpan(t *testing.T) {
	tests := []struct {
		in      string
		want    Span
		wantErr bool
	}{
		{in: "30d", want: Span{Days: 30}},
		{in: "1y5m7d2h", want: Span{Years: 1, Months: 5, Days: 7, Hours: 2}},
		{in: "6m", want: Span{Months: 6}},
		{in: "12h", want: Span{Hours: 12}},
		{in: "", wantErr: true},
		{in: "30", wantErr: true},
		{in: "d", wantErr: true},
		{in: "30s", wantErr: true},
		{in: "2d1y", wantErr: true},
		{in: "1d1d", wantErr: true},
		{in: "-1d", wantErr: true},
		{in: "99999999999999999999d", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSpan(tt.in)
			var se *SpanError
			if tt.wantErr {
				if !errors.As(err, &se) {
					t.Fatalf("ParseSpan(%q) = %v, %v; want a *SpanError", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseSpan(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
			if back, err := ParseSpan(got.String()); err != nil || back != got {
				t.Errorf("String %q does not parse back: %+v, %v", got.String(), back, err)
			}
		})
	}
}
