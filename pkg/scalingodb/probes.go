package scalingodb

import (
	"context"
	"encoding/json"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/apicall"
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

// database checks p and returns its query parameters.
func (p *SeriesParams) database() (*dbapi.GetDatabaseMetricsByTypeParams, error) {
	out := &dbapi.GetDatabaseMetricsByTypeParams{}
	if p == nil {
		return out, nil
	}
	if p.SinceHours < 0 {
		return nil, &InvalidInputError{Field: "since", Reason: "must not be negative"}
	}
	if since := p.SinceHours; since != 0 {
		out.Since = &since
	}
	if last := p.Last; last {
		out.Last = &last
	}
	return out, nil
}

// Series returns one metric of a database over time ("cpu", "memory",
// "swap", "disk" or "diskio", as the JavaScript client documents them), as
// raw JSON: its shape is not documented.
//
// API: GET /databases/{database_id}/metrics/{metric_type} (getDatabaseMetricsByType)
func (s *MetricsService) Series(ctx context.Context, databaseID, metric string, p *SeriesParams) (json.RawMessage, error) {
	dp, err := p.database()
	if err != nil {
		return nil, err
	}
	return rawJSON(apicall.FetchOne[json.RawMessage](ctx, s.c.caller, apicall.OpGetDatabaseMetricsByType, apicall.Call2P(s.c.api.GetDatabaseMetricsByType, databaseID, metric, dp)))
}

// InstanceSeries returns one metric of one instance of a database over
// time, as Series does for the database.
//
// API: GET /databases/{database_id}/instances/{instance_id}/metrics/{metric_type} (getInstanceMetricsByType)
func (s *MetricsService) InstanceSeries(ctx context.Context, databaseID, instanceID, metric string, p *SeriesParams) (json.RawMessage, error) {
	dp, err := p.database()
	if err != nil {
		return nil, err
	}
	return rawJSON(apicall.FetchOne[json.RawMessage](ctx, s.c.caller, apicall.OpGetInstanceMetricsByType, apicall.Call3P(s.c.api.GetInstanceMetricsByType, databaseID, instanceID, metric, &dbapi.GetInstanceMetricsByTypeParams{Since: dp.Since, Last: dp.Last})))
}

// Lag returns the replication lag of a database's followers, as a JSON
// object whose fields are not documented.
//
// API: GET /databases/{database_id}/lag (getDatabaseLag)
func (s *MetricsService) Lag(ctx context.Context, databaseID string) (map[string]json.RawMessage, error) {
	m, status, err := apicall.Fetch[map[string]json.RawMessage](ctx, s.c.caller, apicall.OpGetDatabaseLag, apicall.Call1(s.c.api.GetDatabaseLag, databaseID))
	if err != nil {
		return nil, err
	}
	if *m == nil {
		return nil, apicall.Malformed(apicall.OpGetDatabaseLag, status, "the lag is not a JSON object")
	}
	return *m, nil
}

// Ping asks the database to answer; nil means it did. It changes nothing,
// so it is retried like a read.
//
// API: POST /databases/{database_id}/ping (pingDatabase)
func (s *DatabasesService) Ping(ctx context.Context, databaseID string) error {
	m, status, err := apicall.Fetch[map[string]json.RawMessage](ctx, s.c.caller, apicall.OpPingDatabase, apicall.Call1(s.c.api.PingDatabase, databaseID))
	if err != nil {
		return err
	}
	if *m == nil {
		return apicall.Malformed(apicall.OpPingDatabase, status, "the answer is not a JSON object")
	}
	return nil
}

// rawJSON returns the raw answer of fetchOne.
func rawJSON(raw *json.RawMessage, err error) (json.RawMessage, error) {
	if err != nil {
		return nil, err
	}
	return *raw, nil
}
