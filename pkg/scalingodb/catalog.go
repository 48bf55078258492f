package scalingodb

import (
	"context"
	"net/http"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// TypesService lists the database engines the platform offers. Its
// operations are known only from the JavaScript client.
type TypesService service

// PlansService describes the plans of the database types. Its operation is
// known only from the JavaScript client.
type PlansService service

// DatabaseType is a database engine the platform offers.
type DatabaseType struct {
	ID               string    `json:"id"`
	Name             string    `json:"name"`
	LogoURL          string    `json:"logo_url"`
	ShortDescription string    `json:"short_description"`
	Description      string    `json:"description"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// Plan is a plan of a database type. Sizes are in MB; a count the server
// does not give is 0.
type Plan struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Backup bool   `json:"backup"`
	Disk   int64  `json:"disk"`
	Memory int64  `json:"memory"`

	ManualBackupsCount      int `json:"manual_backups_count,omitempty"`
	DailyScheduledBackups   int `json:"daily_scheduled_backups,omitempty"`
	WeeklyScheduledBackups  int `json:"weekly_scheduled_backups,omitempty"`
	MonthlyScheduledBackups int `json:"monthly_scheduled_backups,omitempty"`
	PITRBackupDays          int `json:"pitr_backup_days,omitempty"`
	GatewayNodes            int `json:"gateway_nodes,omitempty"`
}

var (
	opListTypes       = op{id: "listDatabaseTypes", idempotent: true}
	opGetType         = op{id: "getDatabaseType", idempotent: true}
	opGetPlan         = op{id: "getPlan", idempotent: true}
	opGetDatabasePlan = op{id: "getDatabasePlan", idempotent: true}
)

// List returns the database types.
//
// API: GET /database_types (listDatabaseTypes)
func (s *TypesService) List(ctx context.Context) ([]*DatabaseType, error) {
	var w struct {
		Types *[]*DatabaseType `json:"database_types"`
	}
	status, err := s.c.do(ctx, opListTypes, func(ctx context.Context, e ...dbapi.RequestEditorFn) (*http.Response, error) {
		return s.c.api.ListDatabaseTypes(ctx, e...)
	}, &w)
	if err != nil {
		return nil, err
	}
	if w.Types == nil {
		return nil, malformed(opListTypes, status, `missing envelope key "database_types"`)
	}
	for _, t := range *w.Types {
		if t == nil || t.ID == "" || t.Name == "" {
			return nil, malformed(opListTypes, status, `missing required field "id" or "name" of a database type`)
		}
	}
	return *w.Types, nil
}

// Get returns a database type by its ID (a database's TypeID).
//
// API: GET /database_types/{database_type_id} (getDatabaseType)
func (s *TypesService) Get(ctx context.Context, typeID string) (*DatabaseType, error) {
	if err := pathID("database_type_id", typeID); err != nil {
		return nil, err
	}
	var w struct {
		Type *DatabaseType `json:"database_type"`
	}
	status, err := s.c.do(ctx, opGetType, func(ctx context.Context, e ...dbapi.RequestEditorFn) (*http.Response, error) {
		return s.c.api.GetDatabaseType(ctx, typeID, e...)
	}, &w)
	if err != nil {
		return nil, err
	}
	if w.Type == nil {
		return nil, malformed(opGetType, status, `missing envelope key "database_type"`)
	}
	if w.Type.ID == "" || w.Type.Name == "" {
		return nil, malformed(opGetType, status, `missing required field "database_type.id" or "database_type.name"`)
	}
	return w.Type, nil
}

// Get returns the plan named planName of the database type typeName (a
// database's TypeName, such as "postgresql").
//
// API: GET /plans/{plan_name} (getPlan)
func (s *PlansService) Get(ctx context.Context, typeName, planName string) (*Plan, error) {
	if typeName == "" {
		return nil, &ValidationError{Field: "type", Reason: "must not be empty"}
	}
	if err := pathID("plan_name", planName); err != nil {
		return nil, err
	}
	return getPlan(ctx, s.c, opGetPlan, func(ctx context.Context, e ...dbapi.RequestEditorFn) (*http.Response, error) {
		return s.c.api.GetPlan(ctx, planName, &dbapi.GetPlanParams{Type: typeName}, e...)
	})
}

// Plan returns the plan a database runs on.
//
// API: GET /databases/{database_id}/plan (getDatabasePlan)
func (s *DatabasesService) Plan(ctx context.Context, databaseID string) (*Plan, error) {
	if err := pathID("database_id", databaseID); err != nil {
		return nil, err
	}
	return getPlan(ctx, s.c, opGetDatabasePlan, func(ctx context.Context, e ...dbapi.RequestEditorFn) (*http.Response, error) {
		return s.c.api.GetDatabasePlan(ctx, databaseID, e...)
	})
}

func getPlan(ctx context.Context, c *Client, o op, send func(context.Context, ...dbapi.RequestEditorFn) (*http.Response, error)) (*Plan, error) {
	var w struct {
		Plan *Plan `json:"plan"`
	}
	status, err := c.do(ctx, o, send, &w)
	if err != nil {
		return nil, err
	}
	if w.Plan == nil {
		return nil, malformed(o, status, `missing envelope key "plan"`)
	}
	if w.Plan.ID == "" || w.Plan.Name == "" {
		return nil, malformed(o, status, `missing required field "plan.id" or "plan.name"`)
	}
	return w.Plan, nil
}
