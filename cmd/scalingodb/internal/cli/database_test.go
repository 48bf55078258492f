package cli

import "testing"

func TestParseWeekday(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"0", 0, true}, {"6", 6, true}, {"7", 7, false}, {"-1", -1, false},
		{"sunday", 0, true}, {"Mon", 1, true}, {"sat", 6, true}, {"s", 0, false}, {"someday", 0, false},
	} {
		got, ok := parseWeekday(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("parseWeekday(%q) = %d, %t; want %d, %t", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
