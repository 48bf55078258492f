package objid

import (
	"encoding/binary"
	"encoding/hex"
	"regexp"
	"testing"
	"time"
)

// steppingClock returns a clock that starts at start and moves by step at each reading.
func steppingClock(start time.Time, step time.Duration) func() time.Time {
	now := start
	return func() time.Time {
		t := now
		now = now.Add(step)
		return t
	}
}

// TestNewID checks the IDs of two successive generators, as of two runs of the mock: 24 hex digits,
// never twice the same, in the order they were handed out even when the clock stands still or steps
// back within a run, and, while it runs forward, starting with the second they were made (as a
// MongoDB ObjectID does).
func TestNewID(t *testing.T) {
	base := time.Date(2026, 12, 5, 4, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		step        time.Duration // between two readings of the clock within a run
		restartGap  time.Duration // from the first run's start to the second's
		ordered     bool          // the second run's IDs must sort after the first's
		stampsExact bool          // the first 4 bytes are the creation second
	}{
		{"clock moves", time.Millisecond, 2 * time.Second, true, true},
		{"restart within the same millisecond", time.Nanosecond, 2000 * time.Nanosecond, true, true},
		{"clock stands still", 0, time.Second, true, false},
		{"clock steps back within a run", -time.Second, 3000 * time.Second, true, false},
		{"clock set back between runs", time.Millisecond, -time.Hour, false, true},
		{"two runs at the same instants", time.Microsecond, 0, false, true},
	}
	hex24 := regexp.MustCompile(`^[0-9a-f]{24}$`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const n = 1000
			var ids []string
			var made []time.Time
			for run := range 2 {
				var g Generator
				clock := steppingClock(base.Add(time.Duration(run)*tt.restartGap), tt.step)
				g.now = func() time.Time {
					now := clock()
					made = append(made, now)
					return now
				}
				for range n {
					ids = append(ids, g.Next())
				}
			}
			seen := map[string]bool{}
			for i, id := range ids {
				if !hex24.MatchString(id) {
					t.Fatalf("ID %q is not 24 lower-case hex digits", id)
				}
				if seen[id] {
					t.Fatalf("ID %s handed out twice", id)
				}
				seen[id] = true
				if i%n > 0 && id <= ids[i-1] {
					t.Fatalf("ID %d %s sorts before the one handed out before it, %s", i, id, ids[i-1])
				}
			}
			if len(made) != len(ids) {
				t.Fatalf("%d IDs for %d readings of the clock, want one reading each", len(ids), len(made))
			}
			for i, id := range ids {
				raw, _ := hex.DecodeString(id)
				if got, want := int64(binary.BigEndian.Uint32(raw)), made[i].Unix(); tt.stampsExact && got != want {
					t.Fatalf("ID %s starts with second %d, want %d", id, got, want)
				}
			}
			if tt.ordered && ids[n] <= ids[n-1] {
				t.Errorf("the second run's first ID %s sorts before the first run's last %s", ids[n], ids[n-1])
			}
		})
	}
}
