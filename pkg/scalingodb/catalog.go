package scalingodb

import (
	"context"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/apicall"
)

// TypesService lists the database engines the platform offers. Its
// operations are known only from the JavaScript client.
type TypesService struct{ service }

// PlansService describes the plans of the database types. Its operation is
// known only from the JavaScript client.
type PlansService struct{ service }

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

func (t *DatabaseType) missing() string {
	return missingIf(t.ID == "" || t.Name == "", `"id" or "name" of a database type`)
}

func (p *Plan) missing() string {
	return missingIf(p.ID == "" || p.Name == "", `"plan.id" or "plan.name"`)
}

// List returns the database types.
//
// API: GET /database_types (listDatabaseTypes)
func (s *TypesService) List(ctx context.Context) ([]*DatabaseType, error) {
	return apicall.FetchList[DatabaseType](ctx, s.c.caller, apicall.OpListDatabaseTypes, apicall.Call0(s.c.api.ListDatabaseTypes))
}

// Get returns a database type by its ID (a database's TypeID).
//
// API: GET /database_types/{database_type_id} (getDatabaseType)
func (s *TypesService) Get(ctx context.Context, typeID string) (*DatabaseType, error) {
	return apicall.FetchOne[DatabaseType](ctx, s.c.caller, apicall.OpGetDatabaseType, apicall.Call1(s.c.api.GetDatabaseType, typeID))
}

// Get returns the plan named planName of the database type typeName (a
// database's TypeName, such as "postgresql").
//
// API: GET /plans/{plan_name} (getPlan)
func (s *PlansService) Get(ctx context.Context, typeName, planName string) (*Plan, error) {
	if typeName == "" {
		return nil, &InvalidInputError{Field: "type", Reason: "must not be empty"}
	}
	return apicall.FetchOne[Plan](ctx, s.c.caller, apicall.OpGetPlan, apicall.Call1P(s.c.api.GetPlan, planName, &dbapi.GetPlanParams{Type: dbapi.DatabaseTypeName(typeName)}))
}

// Plan returns the plan a database runs on.
//
// API: GET /databases/{database_id}/plan (getDatabasePlan)
func (s *DatabasesService) Plan(ctx context.Context, databaseID string) (*Plan, error) {
	return apicall.FetchOne[Plan](ctx, s.c.caller, apicall.OpGetDatabasePlan, apicall.Call1(s.c.api.GetDatabasePlan, databaseID))
}
