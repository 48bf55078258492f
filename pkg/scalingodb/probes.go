package scalingodb

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// The operations below are known only from the JavaScript client, which
// types their answers unknown: they return the raw JSON, checked to be JSON
// but of no known shape.

// SeriesParams are the optional inputs of Metrics.Series and
// Metrics.InstanceSeries. A nil *SeriesParams asks for the server's
// defaults (3 hours).
type SeriesParams struct {
	// SinceHours is how many hours to look back; 0 leaves the server's default.
	SinceHours int
	// Last asks for the last value only.
	Last bool
}

func (p *SeriesParams) database() *dbapi.GetDatabaseMetricsByTypeParams {
	out := &dbapi.GetDatabaseMetricsByTypeParams{}
	if p == nil {
		return out
	}
	if p.SinceHours != 0 {
		since := p.SinceHours
		out.Since = &since
	}
	if p.Last {
		last := true
		out.Last = &last
	}
	return out
}

var (
	opMetricsByType  = op{id: "getDatabaseMetricsByType", idempotent: true}
	opInstanceMetric = op{id: "getInstanceMetricsByType", idempotent: true}
	opLag            = op{id: "getDatabaseLag", idempotent: true}
	// A ping changes nothing: it is retried like a read.
	opPing = op{id: "pingDatabase", idempotent: true}
)

// Series returns one metric of a database over time ("cpu", "memory",
// "swap", "disk" or "diskio", as the JavaScript client documents them), as
// raw JSON: its shape is not documented.
//
// API: GET /databases/{database_id}/metrics/{metric_type} (getDatabaseMetricsByType)
func (s *MetricsService) Series(ctx context.Context, databaseID, metric string, p *SeriesParams) (json.RawMessage, error) {
	if err := pathID("database_id", databaseID); err != nil {
		return nil, err
	}
	if err := pathID("metric_type", metric); err != nil {
		return nil, err
	}
	if p != nil && p.SinceHours < 0 {
		return nil, &ValidationError{Field: "since", Reason: "must not be negative"}
	}
	var raw json.RawMessage
	_, err := s.c.do(ctx, opMetricsByType, func(ctx context.Context, e ...dbapi.RequestEditorFn) (*http.Response, error) {
		return s.c.api.GetDatabaseMetricsByType(ctx, databaseID, metric, p.database(), e...)
	}, &raw)
	return raw, err
}

// InstanceSeries returns one metric of one instance of a database over
// time, as Series does for the database.
//
// API: GET /databases/{database_id}/instances/{instance_id}/metrics/{metric_type} (getInstanceMetricsByType)
func (s *MetricsService) InstanceSeries(ctx context.Context, databaseID, instanceID, metric string, p *SeriesParams) (json.RawMessage, error) {
	if err := pathID("database_id", databaseID); err != nil {
		return nil, err
	}
	if err := pathID("instance_id", instanceID); err != nil {
		return nil, err
	}
	if err := pathID("metric_type", metric); err != nil {
		return nil, err
	}
	if p != nil && p.SinceHours < 0 {
		return nil, &ValidationError{Field: "since", Reason: "must not be negative"}
	}
	dp := p.database()
	var raw json.RawMessage
	_, err := s.c.do(ctx, opInstanceMetric, func(ctx context.Context, e ...dbapi.RequestEditorFn) (*http.Response, error) {
		return s.c.api.GetInstanceMetricsByType(ctx, databaseID, instanceID, metric,
			&dbapi.GetInstanceMetricsByTypeParams{Since: dp.Since, Last: dp.Last}, e...)
	}, &raw)
	return raw, err
}

// Lag returns the replication lag of a database's followers, as a JSON
// object whose fields are not documented.
//
// API: GET /databases/{database_id}/lag (getDatabaseLag)
func (s *MetricsService) Lag(ctx context.Context, databaseID string) (map[string]json.RawMessage, error) {
	if err := pathID("database_id", databaseID); err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	status, err := s.c.do(ctx, opLag, func(ctx context.Context, e ...dbapi.RequestEditorFn) (*http.Response, error) {
		return s.c.api.GetDatabaseLag(ctx, databaseID, e...)
	}, &m)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, malformed(opLag, status, "the lag is not a JSON object")
	}
	return m, nil
}

// Ping asks the database to answer; nil means it did. It changes nothing,
// so it is retried like a read.
//
// API: POST /databases/{database_id}/ping (pingDatabase)
func (s *DatabasesService) Ping(ctx context.Context, databaseID string) error {
	if err := pathID("database_id", databaseID); err != nil {
		return err
	}
	var m map[string]json.RawMessage
	status, err := s.c.do(ctx, opPing, func(ctx context.Context, e ...dbapi.RequestEditorFn) (*http.Response, error) {
		return s.c.api.PingDatabase(ctx, databaseID, e...)
	}, &m)
	if err != nil {
		return err
	}
	if m == nil {
		return malformed(opPing, status, "the answer is not a JSON object")
	}
	return nil
}
