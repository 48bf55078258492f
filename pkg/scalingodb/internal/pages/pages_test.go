package pages

import (
	"errors"
	"slices"
	"testing"
)

// TestAll follows a list of pages keyed by cursor and checks the items
// yielded and the error that ends the iteration; each iteration is ranged
// twice, since an iterator may be.
func TestAll(t *testing.T) {
	errFetch := errors.New("fetch failed")
	// The list: cursor -> page. "" is the first page.
	list := func(pages map[string]Page[string, string]) func(string) (Page[string, string], error) {
		return func(c string) (Page[string, string], error) {
			p, ok := pages[c]
			if !ok {
				return p, errFetch
			}
			return p, nil
		}
	}
	newCheck := func() func(_, next string) error {
		seen := map[string]bool{}
		return func(_, next string) error {
			if seen[next] {
				return ErrRepeatedCursor
			}
			seen[next] = true
			return nil
		}
	}
	tests := []struct {
		name      string
		pages     map[string]Page[string, string]
		maxPages  int
		want      []string
		wantErr   error
		wantPages int
	}{
		{"to the end", map[string]Page[string, string]{"": {[]string{"a", "b"}, "2", true, ""}, "2": {[]string{"c"}, "", false, ""}}, 10, []string{"a", "b", "c"}, nil, 0},
		{"a fetch fails", map[string]Page[string, string]{"": {[]string{"a"}, "2", true, ""}}, 10, []string{"a"}, errFetch, 0},
		{"a repeated cursor", map[string]Page[string, string]{"": {[]string{"a"}, "2", true, ""}, "2": {[]string{"b"}, "2", true, ""}}, 10, []string{"a", "b"}, ErrRepeatedCursor, 2},
		{"the page limit", map[string]Page[string, string]{"": {[]string{"a"}, "2", true, ""}, "2": {[]string{"b"}, "3", true, ""}}, 2, []string{"a", "b"}, ErrPageLimit, 2},
		{"a page that says it answers the cursor asked", map[string]Page[string, string]{"": {[]string{"a"}, "2", true, ""}, "2": {[]string{"b"}, "", false, "2"}}, 10, []string{"a", "b"}, nil, 0},
		{"a page that says it answers another cursor", map[string]Page[string, string]{"": {[]string{"a"}, "2", true, ""}, "2": {[]string{"a"}, "2", true, "1"}}, 10, []string{"a"}, ErrPageLoop, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seq := All("listThings", tt.maxPages, "", list(tt.pages), newCheck)
			for range 2 {
				var got []string
				var gotErr error
				for v, err := range seq {
					if err != nil {
						gotErr = err
						continue
					}
					got = append(got, v)
				}
				if !slices.Equal(got, tt.want) || !errors.Is(gotErr, tt.wantErr) || (gotErr == nil) != (tt.wantErr == nil) {
					t.Errorf("got %v, %v; want %v, %v", got, gotErr, tt.want, tt.wantErr)
				}
				var pe *Error
				if tt.wantPages > 0 && (!errors.As(gotErr, &pe) || pe.Pages != tt.wantPages || pe.OperationID != "listThings" || !errors.Is(gotErr, ErrPagination)) {
					t.Errorf("error %v, want a *Error of listThings after %d pages", gotErr, tt.wantPages)
				}
			}
		})
	}
}

// TestAll_Break stops fetching when the caller breaks.
func TestAll_Break(t *testing.T) {
	fetches := 0
	seq := All("listThings", 10, 0, func(c int) (Page[int, int], error) {
		fetches++
		return Page[int, int]{Items: []int{c}, Next: c + 1, More: true}, nil
	}, func() func(_, _ int) error { return func(_, _ int) error { return nil } })
	for v, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		if v == 1 {
			break
		}
	}
	if fetches != 2 {
		t.Errorf("%d fetches, want 2", fetches)
	}
}
