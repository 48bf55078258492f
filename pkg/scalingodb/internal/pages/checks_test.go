package pages

import (
	"errors"
	"testing"
)

// TestChecks runs the page checks of the two kinds of list on sequences of
// next pages, each from a fresh check, and wants the error of each step.
func TestChecks(t *testing.T) {
	tests := []struct {
		name  string
		steps func() []error
		want  []error
	}{
		{"pages that go up", func() []error { c := Ascending(); return []error{c(1, 2), c(2, 5)} }, []error{nil, nil}},
		{"the same page again", func() []error { c := Ascending(); return []error{c(1, 2), c(2, 2)} }, []error{nil, ErrPageLoop}},
		{"a page back", func() []error { c := Ascending(); return []error{c(3, 1)} }, []error{ErrPageLoop}},
		{"new cursors", func() []error { c := Unfollowed(); return []error{c("", "a"), c("a", "b")} }, []error{nil, nil}},
		{"a cursor again", func() []error { c := Unfollowed(); return []error{c("", "a"), c("a", "b"), c("b", "a")} }, []error{nil, nil, ErrRepeatedCursor}},
		{"no cursor", func() []error { c := Unfollowed(); return []error{c("", "")} }, []error{ErrNoCursor}},
		{"each check remembers its own cursors", func() []error { first := Unfollowed()("", "a"); return []error{first, Unfollowed()("", "a")} }, []error{nil, nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.steps()
			for i := range tt.want {
				if !errors.Is(got[i], tt.want[i]) || (tt.want[i] == nil) != (got[i] == nil) {
					t.Errorf("step %d: got %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}
