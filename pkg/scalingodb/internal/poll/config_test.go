package poll

import (
	"testing"
	"time"
)

// TestSetInterval sets the intervals of a wait from the defaults.
func TestSetInterval(t *testing.T) {
	tests := []struct {
		name             string
		first, longest   time.Duration
		wantFirst, wantM time.Duration
	}{
		{"both", 2 * time.Second, 20 * time.Second, 2 * time.Second, 20 * time.Second},
		{"a longest shorter than the first is raised", 5 * time.Second, time.Second, 5 * time.Second, 5 * time.Second},
		{"a zero first keeps the default", 0, 30 * time.Second, time.Second, 30 * time.Second},
		{"a negative first keeps the default", -time.Second, 0, time.Second, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Defaults()
			c.SetInterval(tt.first, tt.longest)
			if c.First != tt.wantFirst || c.Max != tt.wantM {
				t.Errorf("SetInterval(%v, %v) = %v, %v; want %v, %v", tt.first, tt.longest, c.First, c.Max, tt.wantFirst, tt.wantM)
			}
		})
	}
	if d := Defaults(); d.First != time.Second || d.Max != 15*time.Second {
		t.Errorf("Defaults() = %v, %v; want 1s, 15s", d.First, d.Max)
	}
}
