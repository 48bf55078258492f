// Package metrics makes the metrics the mock serves: a database's current resource usage, and
// deterministic series of one metric over time (getDatabaseMetricsByType, getInstanceMetricsByType),
// derived from the database or instance, the metric and the time, so that a run is repeatable.
package metrics

import (
	"fmt"
	"hash/fnv"
	"net/http"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/respond"
)

// Metrics by type: the default and largest look-back in hours (the largest is the app metrics'
// bound; the database's is unknown), and the step of the series.
const (
	defaultSince = 3
	maxSince     = 71
	step         = 10 * time.Minute
)

// Point is one value of a metric series as the mock serves it (the shape of the app metrics'
// points; the JavaScript client types the database's series unknown).
type Point struct {
	Time  time.Time `json:"time"`
	Value float64   `json:"value"`
}

// Known tells whether the mock serves a metric type: the five the JavaScript client documents.
func Known(t string) bool {
	switch t {
	case "cpu", "memory", "swap", "disk", "diskio":
		return true
	}
	return false
}

// Answer is the answer to a request of metric for key (a database or instance ID): 404 for a
// metric the mock does not serve, the 422 of Series for a look-back out of bounds, else the series.
func Answer(key, metric string, since *int, last *bool, now time.Time) respond.Response {
	if !Known(metric) {
		return respond.NotFound("metric")
	}
	series, refusal := Series(key, metric, since, last, now)
	if refusal != nil {
		return *refusal
	}
	return respond.JSON(http.StatusOK, series)
}

// Series is a deterministic series of metric over the since hours before now, one point
// every 10 minutes, or its last point only. A look-back out of bounds gets the 422 to answer.
func Series(key, metric string, since *int, last *bool, now time.Time) ([]Point, *respond.Response) {
	hours := defaultSince
	if since != nil {
		hours = *since
	}
	if hours < 1 || hours > maxSince {
		refusal := respond.Invalid("since", fmt.Sprintf("should be between 1 and %d hours", maxSince))
		return nil, &refusal
	}
	end := now.UTC().Truncate(step)
	n := hours * int(time.Hour/step)
	from := 0
	if last != nil && *last {
		from = n - 1
	}
	out := make([]Point, 0, n-from)
	for i := from; i < n; i++ {
		t := end.Add(-time.Duration(n-1-i) * step)
		h := hash(fmt.Sprintf("%s/%s/%d", key, metric, t.Unix()))
		var v float64
		switch metric {
		case "cpu":
			v = float64(h%10000) / 100 // percent, two decimals
		case "diskio":
			v = float64(h % 1000)
		default: // bytes
			v = float64(64<<20 + h%(448<<20))
		}
		out = append(out, Point{Time: t, Value: v})
	}
	return out, nil
}

// Default is the metrics of a database with the given instances, until a seed says otherwise.
func Default(instances []dbapi.Instance) dbapi.Metrics {
	i64 := func(v int64) *int64 { return &v }
	stats := map[string]int64{"data_size": 11044896, "current_connections": 4}
	per := map[string]dbapi.InstanceMetrics{}
	for _, in := range instances {
		if in.Type != dbapi.InstanceTypeDBNode {
			continue
		}
		id, addr := in.ID, fmt.Sprintf("%s:%d", in.Hostname, in.Port)
		m := dbapi.InstanceMetrics{InstanceID: &id, InstanceAddress: &addr, RealDiskSize: i64(37825858),
			Memory: &dbapi.InstanceMemoryMetrics{MemoryUsage: i64(156426240), SwapUsage: i64(20480), MemoryLimit: i64(536870912),
				SwapLimit: i64(536870912), MaxMemoryUsage: i64(222314496), MaxSwapUsage: i64(0)}}
		per[in.ID] = m
	}
	return dbapi.Metrics{
		CPUUsage: 1.5, RealDiskSize: 37825858,
		Memory: dbapi.MemoryMetrics{Memory: i64(156426240), MemoryMax: i64(222314496), MemoryLimit: i64(536870912),
			Swap: i64(20480), SwapMax: i64(0), SwapLimit: i64(536870912)},
		DatabaseStats: &stats, InstancesMetrics: &per,
	}
}

// hash is a stable 64-bit hash of s.
func hash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}
