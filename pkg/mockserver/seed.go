package mockserver

import "github.com/scalingodb/dbapi-go/pkg/mockserver/seed"

// Seed is the initial data of a Server, given to WithSeed (see seed.Data).
type Seed = seed.Data

// SeedDatabase is one database and everything it holds (see seed.Database).
type SeedDatabase = seed.Database

// SeedPlan is a plan of a database type, served by getPlan and getDatabasePlan (see seed.Plan).
type SeedPlan = seed.Plan

// IDs of the demo data set (DemoSeed).
const (
	DemoDatabaseID      = seed.DemoDatabaseID      // PostgreSQL, the database of the examples
	DemoElasticsearchID = seed.DemoElasticsearchID // Elasticsearch: the only one with a health
	DemoMySQLID         = seed.DemoMySQLID         // MySQL: logical databases and SQL mode actions
	DemoBackupID        = seed.DemoBackupID        // a done backup of my-db-123, 1,234,567 bytes
	DemoLargeBackupID   = seed.DemoLargeBackupID   // a done backup of my-db-123, 64 MiB
	DemoProtectedUser   = seed.DemoProtectedUser   // the protected user of my-db-123
	DemoOperationID     = seed.DemoOperationID     // a finished point-in-time restore of my-db-123
	DemoRestorationID   = seed.DemoRestorationID   // a done restoration of DemoBackupID
)

// Types of the operations the mock starts.
const (
	OperationTypeUpgrade           = seed.OperationTypeUpgrade
	OperationTypePitrRestore       = seed.OperationTypePitrRestore
	OperationTypeBackupRestoration = seed.OperationTypeBackupRestoration
)

// DemoSeed returns the demo data set of the -seed flag (see seed.Demo).
func DemoSeed() Seed { return seed.Demo() }
