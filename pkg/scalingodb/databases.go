package scalingodb

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/apicall"
)

// DatabasesService reads and changes the database addon itself.
type DatabasesService struct{ service }

// DatabaseStatus is the lifecycle state of a database.
type DatabaseStatus string

// Database states.
const (
	DatabaseCreating  DatabaseStatus = "creating"
	DatabaseRunning   DatabaseStatus = "running"
	DatabaseMigrating DatabaseStatus = "migrating"
	DatabaseUpdating  DatabaseStatus = "updating"
	DatabaseUpgrading DatabaseStatus = "upgrading"
	DatabaseStopped   DatabaseStatus = "stopped"
)

// InstanceState is the lifecycle state of a node.
type InstanceState string

// Instance states.
const (
	InstanceBooting    InstanceState = "booting"
	InstanceRunning    InstanceState = "running"
	InstanceRestarting InstanceState = "restarting"
	InstanceMigrating  InstanceState = "migrating"
	InstanceUpgrading  InstanceState = "upgrading"
	InstanceStopped    InstanceState = "stopped"
	InstanceRemoving   InstanceState = "removing"
)

// InstanceType says what a node does.
type InstanceType string

// Instance types.
const (
	InstanceDBNode  InstanceType = "db-node"
	InstanceGateway InstanceType = "gateway"
	InstanceUtility InstanceType = "utility"
	InstanceHAProxy InstanceType = "haproxy"
)

// Instance is one node of a database.
type Instance struct {
	ID        string        `json:"id"`
	Hostname  string        `json:"hostname"`
	Port      int           `json:"port"`
	Status    InstanceState `json:"status"`
	Type      InstanceType  `json:"type"`
	Features  []string      `json:"features,omitempty"`
	PrivateIP string        `json:"private_ip,omitempty"`
}

// MaintenanceWindow is the weekly slot in which maintenance may run.
type MaintenanceWindow struct {
	// WeekdayUTC is the day the window starts (UTC).
	WeekdayUTC time.Weekday `json:"weekday_utc"`
	// StartingHourUTC is the hour (UTC) at which the window starts.
	StartingHourUTC int `json:"starting_hour_utc"`
	// DurationInHour is the length of the window in hours.
	DurationInHour int `json:"duration_in_hour"`
}

// Database is a database addon.
type Database struct {
	ID               string         `json:"id"`
	ResourceID       string         `json:"resource_id"`
	AppName          string         `json:"app_name"`
	CreatedAt        time.Time      `json:"created_at"`
	EncryptionAtRest bool           `json:"encryption_at_rest"`
	Plan             string         `json:"plan"`
	Status           DatabaseStatus `json:"status"`
	TypeID           string         `json:"type_id"`
	// TypeName is the engine: postgresql, mysql, mongodb, redis, influxdb, elasticsearch...
	TypeName        string `json:"type_name"`
	VersionID       string `json:"version_id"`
	ReadableVersion string `json:"readable_version"`
	// Hostname is the host and port of the database.
	Hostname  string     `json:"hostname"`
	Instances []Instance `json:"instances"`
	// NextVersionID is the version an upgrade would go to, or "".
	NextVersionID string    `json:"next_version_id"`
	Features      []Feature `json:"features"`
	// CurrentOperationID is the running asynchronous operation, or "".
	CurrentOperationID     string `json:"current_operation_id"`
	Cluster                bool   `json:"cluster"`
	PeriodicBackupsEnabled bool   `json:"periodic_backups_enabled"`
	// PeriodicBackupsScheduledAt holds the hours of the day (UTC) at which periodic backups run.
	PeriodicBackupsScheduledAt []int             `json:"periodic_backups_scheduled_at"`
	MaintenanceWindow          MaintenanceWindow `json:"maintenance_window"`
	MongoReplSetName           string            `json:"mongo_repl_set_name,omitempty"`
}

// UpdateDatabaseParams holds the settings to change; nil fields are left
// alone.
type UpdateDatabaseParams struct {
	// PeriodicBackupsEnabled turns periodic backups on or off.
	PeriodicBackupsEnabled *bool
	// PeriodicBackupsScheduledAt sets the hours (0-23, UTC) of the periodic
	// backups. One hour is sent as an integer, the documented form;
	// several are sent as a list.
	PeriodicBackupsScheduledAt []int
	// MaintenanceWindow moves the maintenance window.
	MaintenanceWindow *MaintenanceWindowParams
	// UsePUT sends the update with PUT (putDatabase) instead of PATCH
	// (updateDatabase); the API documents both, with the same body and
	// answer.
	UsePUT bool
}

// MaintenanceWindowParams holds the parts of the maintenance window to
// change; nil fields are left alone.
type MaintenanceWindowParams struct {
	// WeekdayUTC is the day the window starts (UTC), time.Sunday to
	// time.Saturday.
	WeekdayUTC *time.Weekday `json:"weekday_utc,omitempty"`
	// StartingHourUTC is the hour (0-23, UTC) at which the window starts.
	StartingHourUTC *int `json:"starting_hour_utc,omitempty"`
}

// body checks the settings and encodes them as the spec's DatabaseUpdateRequest.
func (u *UpdateDatabaseParams) body() ([]byte, error) {
	if u == nil {
		return nil, &InvalidInputError{Field: "update", Reason: "must not be nil"}
	}
	w := dbapi.DatabaseUpdate{PeriodicBackupsEnabled: u.PeriodicBackupsEnabled}
	for _, h := range u.PeriodicBackupsScheduledAt {
		if h < 0 || h > 23 {
			return nil, &InvalidInputError{Field: "periodic_backups_scheduled_at", Reason: fmt.Sprintf("hour %d is not within 0-23", h)}
		}
	}
	if hours := u.PeriodicBackupsScheduledAt; len(hours) > 0 {
		var at dbapi.DatabaseUpdate_PeriodicBackupsScheduledAt
		// One hour goes as an integer, the documented form; several as a list.
		err := at.FromBackupHours(hours)
		if len(hours) == 1 {
			err = at.FromBackupHour(hours[0])
		}
		if err != nil {
			return nil, err
		}
		w.PeriodicBackupsScheduledAt = &at
	}
	if mw := u.MaintenanceWindow; mw != nil {
		w.MaintenanceWindow = &dbapi.MaintenanceWindowUpdate{StartingHourUtc: mw.StartingHourUTC}
		if mw.WeekdayUTC != nil {
			if *mw.WeekdayUTC < time.Sunday || *mw.WeekdayUTC > time.Saturday {
				return nil, &InvalidInputError{Field: "maintenance_window.weekday_utc", Reason: "must be within 0-6"}
			}
			day := int(*mw.WeekdayUTC)
			w.MaintenanceWindow.WeekdayUtc = &day
		}
		if mw.StartingHourUTC != nil && (*mw.StartingHourUTC < 0 || *mw.StartingHourUTC > 23) {
			return nil, &InvalidInputError{Field: "maintenance_window.starting_hour_utc", Reason: "must be within 0-23"}
		}
	}
	return json.Marshal(dbapi.DatabaseUpdateRequest{Database: w})
}

func (d *Database) missing() string { return missingIf(d.ID == "", `"database.id"`) }

// Get returns the settings, version, instances and features of a database.
//
// API: GET /databases/{database_id} (getDatabase)
func (s *DatabasesService) Get(ctx context.Context, databaseID string) (*Database, error) {
	return apicall.FetchOne[Database](ctx, s.c.caller, apicall.OpGetDatabase, apicall.Call1(s.c.api.GetDatabase, databaseID))
}

// Update changes the periodic backup schedule or the maintenance window of
// a database; nil fields of p are left alone. It is sent as PATCH, or as
// PUT when p.UsePUT is set: the API takes the same body with both verbs,
// so the client has one method for both. It sets values and is retried.
//
// API: PATCH /databases/{database_id} (updateDatabase)
// API: PUT /databases/{database_id} (putDatabase)
func (s *DatabasesService) Update(ctx context.Context, databaseID string, p *UpdateDatabaseParams) (*Database, error) {
	body, err := p.body()
	if err != nil {
		return nil, err
	}
	if p.UsePUT {
		return apicall.FetchOne[Database](ctx, s.c.caller, apicall.OpPutDatabase, apicall.Body1(s.c.api.PutDatabaseWithBody, databaseID, body))
	}
	return apicall.FetchOne[Database](ctx, s.c.caller, apicall.OpUpdateDatabase, apicall.Body1(s.c.api.UpdateDatabaseWithBody, databaseID, body))
}

// Upgrade is the answer to an upgrade request: the target version and the
// operation that runs the upgrade.
type Upgrade struct {
	// Message is the server's description, such as "Database upgrade to 12.6.0-1 is pending".
	Message string
	// OperationID names the asynchronous operation that runs the upgrade.
	OperationID string
	// WarningMessage is a warning about the target version, or "".
	WarningMessage string
	// Target is the version the database is upgraded to.
	Target DatabaseTypeVersion
}

// Upgrade starts an asynchronous upgrade of the engine to the next
// available version. It is sent again only after a 429: a lost answer may
// hide a started upgrade, and the error then matches ErrOutcomeUnknown. Operations.Wait with the answer's OperationID waits for its end.
//
// API: POST /databases/{database_id}/upgrade (upgradeDatabase)
func (s *DatabasesService) Upgrade(ctx context.Context, databaseID string) (*Upgrade, error) {
	w, err := apicall.FetchOne[upgradeWire](ctx, s.c.caller, apicall.OpUpgradeDatabase, apicall.Call1(s.c.api.UpgradeDatabase, databaseID))
	if err != nil {
		return nil, apicall.WithCheck(err, "the version and status of database "+databaseID+" (Databases.Get) for an upgrade that started")
	}
	return &Upgrade{Message: *w.Message, OperationID: *w.OperationID, WarningMessage: w.WarningMessage, Target: w.DatabaseTypeVersion}, nil
}

// upgradeWire is Upgrade on the wire: the target version with the
// message and operation of the upgrade; pointers tell missing fields.
type upgradeWire struct {
	Message        *string `json:"message"`
	OperationID    *string `json:"operation_id"`
	WarningMessage string  `json:"warning_message"`
	DatabaseTypeVersion
}

func (w *upgradeWire) missing() string {
	return missingIf(w.Message == nil || w.OperationID == nil || *w.OperationID == "" || w.ID == "", "(message, operation_id or id)")
}
