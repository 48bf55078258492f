package scalingodb

import (
	"context"
	"strconv"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/apicall"
)

// MetricsService reports resource usage and cluster health.
type MetricsService struct{ service }

// MemoryMetrics is the memory usage of a database, in bytes.
type MemoryMetrics struct {
	Memory      int64 `json:"memory"`
	MemoryMax   int64 `json:"memory_max"`
	MemoryLimit int64 `json:"memory_limit"`
	Swap        int64 `json:"swap"`
	SwapMax     int64 `json:"swap_max"`
	SwapLimit   int64 `json:"swap_limit"`
}

// InstanceMemoryMetrics is the memory usage of one instance, in bytes.
type InstanceMemoryMetrics struct {
	MemoryUsage    int64 `json:"memory_usage"`
	SwapUsage      int64 `json:"swap_usage"`
	MemoryLimit    int64 `json:"memory_limit"`
	SwapLimit      int64 `json:"swap_limit"`
	MaxMemoryUsage int64 `json:"max_memory_usage"`
	MaxSwapUsage   int64 `json:"max_swap_usage"`
}

// InstanceMetrics is the resource usage of one instance.
type InstanceMetrics struct {
	InstanceID      string                `json:"instance_id"`
	InstanceAddress string                `json:"instance_address"`
	RealDiskSize    int64                 `json:"real_disk_size"`
	CPU             InstanceCPUMetrics    `json:"cpu"`
	Memory          InstanceMemoryMetrics `json:"memory"`
}

// InstanceCPUMetrics is the CPU usage of one instance.
type InstanceCPUMetrics struct {
	// UsageInPercents is a percentage, 0 to 100.
	UsageInPercents float64 `json:"usage_in_percents"`
}

// Metrics is the resource usage of a database.
type Metrics struct {
	// CPUUsage is a percentage, 0 to 100.
	CPUUsage     float64       `json:"cpu_usage"`
	RealDiskSize int64         `json:"real_disk_size"`
	Memory       MemoryMetrics `json:"memory"`
	// DatabaseStats holds engine-specific counters, such as data_size.
	DatabaseStats map[string]int64 `json:"database_stats,omitempty"`
	// InstancesMetrics is keyed by instance ID.
	InstancesMetrics map[string]InstanceMetrics `json:"instances_metrics,omitempty"`
	DatabaseSize     int64                      `json:"database_size,omitempty"`
}

// HealthStatus is the colour of an Elasticsearch cluster.
type HealthStatus string

// Cluster health colours.
const (
	HealthGreen  HealthStatus = "green"
	HealthYellow HealthStatus = "yellow"
	HealthRed    HealthStatus = "red"
)

// Health is the health of an Elasticsearch cluster.
type Health struct {
	// Epoch is the time of the measure.
	Epoch        time.Time
	Status       HealthStatus
	Cluster      string
	Shards       int64
	PendingTasks int64
}

// metricsWire is Metrics on the wire; pointers tell the required figures
// that are missing.
type metricsWire struct {
	CPUUsage     *float64 `json:"cpu_usage"`
	RealDiskSize *int64   `json:"real_disk_size"`
	Metrics
}

func (w *metricsWire) missing() string {
	return missingIf(w.CPUUsage == nil || w.RealDiskSize == nil, `"cpu_usage" or "real_disk_size"`)
}

// Get returns the CPU, memory and disk usage of a database and of each instance.
//
// API: GET /databases/{database_id}/metrics (getDatabaseMetrics)
func (s *MetricsService) Get(ctx context.Context, databaseID string) (*Metrics, error) {
	w, err := apicall.FetchOne[metricsWire](ctx, s.c.caller, apicall.OpGetDatabaseMetrics, apicall.Call1(s.c.api.GetDatabaseMetrics, databaseID))
	if err != nil {
		return nil, err
	}
	m := w.Metrics
	m.CPUUsage, m.RealDiskSize = *w.CPUUsage, *w.RealDiskSize
	return &m, nil
}

// Health returns the cluster health of an Elasticsearch database.
//
// API: GET /databases/{database_id}/health (getDatabaseHealth)
func (s *MetricsService) Health(ctx context.Context, databaseID string) (*Health, error) {
	w, status, err := apicall.Fetch[dbapi.Health](ctx, s.c.caller, apicall.OpGetDatabaseHealth, apicall.Call1(s.c.api.GetDatabaseHealth, databaseID))
	if err != nil {
		return nil, err
	}
	epoch, err1 := strconv.ParseInt(w.Epoch, 10, 64)
	shards, err2 := strconv.ParseInt(w.Shards, 10, 64)
	if err1 != nil || err2 != nil || w.Status == "" {
		return nil, apicall.Malformed(apicall.OpGetDatabaseHealth, status, `"epoch", "shards" or "status" missing or not decimal`)
	}
	h := &Health{Epoch: time.Unix(epoch, 0).UTC(), Status: HealthStatus(w.Status), Cluster: w.Cluster, Shards: shards}
	if w.PendingTasks != nil && *w.PendingTasks != "" {
		n, err := strconv.ParseInt(*w.PendingTasks, 10, 64)
		if err != nil {
			return nil, apicall.Malformed(apicall.OpGetDatabaseHealth, status, `"pending_tasks" is not decimal`)
		}
		h.PendingTasks = n
	}
	return h, nil
}
