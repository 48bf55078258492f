// Package seed holds the data a mock server starts with (mockserver.WithSeed) and the demo data
// set of the mock's -seed flag (Demo): databases with their users, backups, maintenance,
// features, firewall rules and past operations, engine versions, managed ranges, database types
// and plans.
package seed

import (
	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// IDs of the demo data set (Demo).
const (
	DemoDatabaseID      = "my-db-123"                // PostgreSQL, the database of the examples
	DemoElasticsearchID = "my-es-123"                // Elasticsearch: the only one with a health
	DemoMySQLID         = "my-mysql-123"             // MySQL: logical databases and SQL mode actions
	DemoBackupID        = "5bd2c6104ffb090be1ac3ce2" // a done backup of my-db-123, 1,234,567 bytes
	DemoLargeBackupID   = "5b8b36104ffb090be1ac3ce1" // a done backup of my-db-123, 64 MiB
	DemoProtectedUser   = "my-db-123"                // the protected user of my-db-123
)

// Types of the operations the mock starts, which the Type of a seeded Operation may name too.
const (
	OperationTypeUpgrade           = "upgrade"
	OperationTypePitrRestore       = "pitr_restore"
	OperationTypeBackupRestoration = "backup_restoration"
)

// Data is the initial data of a mock server (mockserver.Seed, given to mockserver.WithSeed).
type Data struct {
	// Databases are the databases the mock knows. Each answers under its ID and its ResourceID.
	Databases []Database
	// TypeVersions are served by getDatabaseTypeVersion.
	TypeVersions []dbapi.DatabaseTypeVersion
	// ManagedRanges are the ranges a managed_range firewall rule may name.
	ManagedRanges []dbapi.ManagedRange
	// DatabaseTypes are served by listDatabaseTypes and getDatabaseType.
	DatabaseTypes []dbapi.DatabaseType
	// Plans are served by getPlan and, for the plan a database names, getDatabasePlan.
	Plans []Plan
}

// Database is one database and everything it holds.
type Database struct {
	// Database is the resource itself; its Features are the initial feature states.
	Database dbapi.Database
	// Users of the engine. Passwords are ignored: they are never listed.
	Users []dbapi.DatabaseUser
	// Backups, oldest first. Seeded backups keep the status they are given; a done backup needs a Size.
	Backups []dbapi.Backup
	// Maintenance operations, in the order they are listed.
	Maintenance []dbapi.Maintenance
	// FirewallRules of the database.
	FirewallRules []dbapi.FirewallRule
	// InstancesStatus overrides the status derived from Database.Instances.
	InstancesStatus []dbapi.InstanceStatus
	// Metrics overrides the default metrics.
	Metrics *dbapi.Metrics
	// Health overrides the default cluster health (Elasticsearch databases only).
	Health *dbapi.Health
	// Operations are past asynchronous operations (upgrades, point-in-time restores), served by
	// getDatabaseOperation with the state they are given. ID, Type, Status and CreatedAt are required.
	Operations []dbapi.Operation
	// BackupRestorations are past restorations of its backups, served by getBackupRestoration with
	// the state they are given. An empty DatabaseID is the database's ID.
	BackupRestorations []dbapi.BackupRestoration
}

// Plan is a plan of a database type, served by getPlan and getDatabasePlan.
type Plan struct {
	// TypeName is the database type the plan belongs to, as in a database's TypeName.
	TypeName string
	// Plan is the plan; its Name is what a database's Plan names.
	Plan dbapi.DatabasePlan
}
