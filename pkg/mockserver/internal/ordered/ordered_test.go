package ordered

import (
	"slices"
	"testing"
)

// TestMap: the insertion-ordered map keeps its order through removals at either end and in the
// middle, refuses a key twice, and replaces in place.
func TestMap(t *testing.T) {
	tests := []struct {
		name   string
		add    []string
		remove []string
		want   []string
	}{
		{"empty", nil, nil, nil},
		{"order kept", []string{"a", "b", "c"}, nil, []string{"a", "b", "c"}},
		{"remove the first", []string{"a", "b", "c"}, []string{"a"}, []string{"b", "c"}},
		{"remove the middle", []string{"a", "b", "c"}, []string{"b"}, []string{"a", "c"}},
		{"remove the last", []string{"a", "b", "c"}, []string{"c"}, []string{"a", "b"}},
		{"remove all", []string{"a", "b"}, []string{"b", "a"}, nil},
		{"remove then add again", []string{"a", "b", "a"}, []string{"a", "x"}, []string{"b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var x Map[string]
			for _, k := range tc.add {
				_, had := x.Get(k)
				if x.Add(k, "v"+k) == had {
					t.Fatalf("add(%q): the result does not say whether it was there", k)
				}
			}
			for _, k := range tc.remove {
				_, had := x.Get(k)
				if x.Remove(k) != had {
					t.Fatalf("remove(%q): the result does not say whether it was there", k)
				}
			}
			var got []string
			for v := range x.All() {
				got = append(got, v[1:])
			}
			if !slices.Equal(got, tc.want) || x.Len() != len(tc.want) {
				t.Errorf("%v (len %d), want %v", got, x.Len(), tc.want)
			}
		})
	}
	var x Map[int]
	x.Add("a", 1)
	x.Add("b", 2)
	if !x.Set("a", 10) || x.Set("z", 0) {
		t.Error("set does not say whether the key was there")
	}
	if got := slices.Collect(x.All()); !slices.Equal(got, []int{10, 2}) {
		t.Errorf("after set: %v", got)
	}
}
