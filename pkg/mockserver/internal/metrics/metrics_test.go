package metrics

import (
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// TestSeries: a look-back out of bounds is refused with a 422, one in bounds gives a point every
// 10 minutes ending at the last step before now (or only that point), the same series every time.
func TestSeries(t *testing.T) {
	now := time.Date(2026, 12, 5, 10, 17, 0, 0, time.UTC)
	i := func(v int) *int { return &v }
	yes := true
	tests := []struct {
		name   string
		metric string
		since  *int
		last   *bool
		points int // -1: refused
	}{
		{"default look-back", "cpu", nil, nil, 18},
		{"one hour", "memory", i(1), nil, 6},
		{"the largest look-back", "diskio", i(maxSince), nil, maxSince * 6},
		{"last point only", "swap", i(2), &yes, 1},
		{"zero hours", "cpu", i(0), nil, -1},
		{"over the largest", "cpu", i(maxSince + 1), nil, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, refusal := Series("db-1", tc.metric, tc.since, tc.last, now)
			if tc.points < 0 {
				if refusal == nil || refusal.Status != http.StatusUnprocessableEntity {
					t.Fatalf("refusal %+v, want a 422", refusal)
				}
				return
			}
			if refusal != nil || len(got) != tc.points {
				t.Fatalf("%d points, refusal %+v; want %d points", len(got), refusal, tc.points)
			}
			if end := got[len(got)-1].Time; !end.Equal(time.Date(2026, 12, 5, 10, 10, 0, 0, time.UTC)) {
				t.Errorf("the series ends at %v", end)
			}
			again, _ := Series("db-1", tc.metric, tc.since, tc.last, now)
			if !reflect.DeepEqual(got, again) {
				t.Error("two series of the same metric differ")
			}
		})
	}
}

// TestKnown: the five metric types of the JavaScript client, and no other.
func TestKnown(t *testing.T) {
	for _, m := range []string{"cpu", "memory", "swap", "disk", "diskio"} {
		if !Known(m) {
			t.Errorf("Known(%q) = false", m)
		}
	}
	for _, m := range []string{"", "CPU", "network"} {
		if Known(m) {
			t.Errorf("Known(%q) = true", m)
		}
	}
}

// TestDefault: the per-instance metrics cover the database nodes, not the gateways.
func TestDefault(t *testing.T) {
	m := Default([]dbapi.Instance{
		{ID: "gw", Type: dbapi.InstanceTypeGateway, Hostname: "gw.example", Port: 30123},
		{ID: "n1", Type: dbapi.InstanceTypeDBNode, Hostname: "n1.example", Port: 5432},
	})
	per := *m.InstancesMetrics
	if len(per) != 1 || per["n1"].InstanceAddress == nil || *per["n1"].InstanceAddress != "n1.example:5432" {
		t.Errorf("instances metrics %+v, want n1 only", per)
	}
}
