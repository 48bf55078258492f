package mockserver

import (
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// IDs of the demo data set's past asynchronous work on my-db-123 (DemoSeed).
const (
	DemoOperationID   = "5d2c8a604ffb090be1ac3d10" // a finished point-in-time restore
	DemoRestorationID = "5d2d6c004ffb090be1ac3d20" // a done restoration of DemoBackupID
)

// demoOperations are the past operations of my-db-123: a point-in-time restore that finished.
func demoOperations() []dbapi.Operation {
	typ, status := OperationTypePitrRestore, dbapi.OperationStatusFinished
	created := time.Date(2019, 7, 15, 14, 0, 0, 0, time.UTC)
	finished := created.Add(4*time.Minute + 12*time.Second)
	return []dbapi.Operation{{ID: DemoOperationID, Type: &typ, Status: &status, CreatedAt: &created, FinishedAt: &finished}}
}

// demoRestorations are the past backup restorations of the database dbID (my-db-123): DemoBackupID
// restored into it.
func demoRestorations(dbID string) []dbapi.BackupRestoration {
	created := time.Date(2019, 7, 16, 8, 0, 0, 0, time.UTC)
	started, ended := created.Add(5*time.Second), created.Add(3*time.Minute+40*time.Second)
	return []dbapi.BackupRestoration{{ID: DemoRestorationID, CreatedAt: created, StartedAt: &started, EndedAt: &ended,
		Method: dbapi.BackupRestorationMethodBackup, Status: dbapi.BackupRestorationStatusDone, DatabaseID: dbID, SourceBackupID: DemoBackupID}}
}

// demoDatabaseTypes are the database types of the demo data set: the engines of its databases (their
// TypeID and TypeName) and Redis, the engine of the API documents' examples.
func demoDatabaseTypes() []dbapi.DatabaseType {
	created := time.Date(2018, 11, 19, 14, 0, 0, 0, time.UTC)
	updated := time.Date(2024, 7, 8, 8, 0, 0, 0, time.UTC)
	t := func(id, name, short, long string) dbapi.DatabaseType {
		return dbapi.DatabaseType{ID: id, Name: name, LogoURL: "https://cdn.scalingo.com/databases/" + name + ".svg",
			ShortDescription: short, Description: long, CreatedAt: created, UpdatedAt: updated}
	}
	return []dbapi.DatabaseType{
		t("5bf30d1104c87f000161285a", "redis", "Redis, the in-memory data store", "A managed Redis database, with RDB and AOF persistence."),
		t("5bf30d1104c87f000161285c", "postgresql", "PostgreSQL, the relational database", "A managed PostgreSQL database with backups and point-in-time recovery."),
		t("5bf30d1104c87f000161285d", "elasticsearch", "Elasticsearch, the search engine", "A managed Elasticsearch cluster."),
		t("5bf30d1104c87f000161285e", "mysql", "MySQL, the relational database", "A managed MySQL database with backups."),
	}
}

// demoPlans are the plans of the demo data set: the plan of each of its databases, one larger
// PostgreSQL plan and the Redis plan of the JavaScript client's tests.
func demoPlans() []SeedPlan {
	i := func(v int) *int { return &v }
	return []SeedPlan{
		{TypeName: "postgresql", Plan: dbapi.DatabasePlan{ID: "5c9b95e801dcea2f34d49a01", Name: "postgresql-starter-512", Backup: true, Disk: 10240, Memory: 512,
			ManualBackupsCount: i(10), DailyScheduledBackups: i(7), WeeklyScheduledBackups: i(4), MonthlyScheduledBackups: i(0), PitrBackupDays: i(7), GatewayNodes: i(1)}},
		{TypeName: "postgresql", Plan: dbapi.DatabasePlan{ID: "5c9b95e801dcea2f34d49a02", Name: "postgresql-business-1024", Backup: true, Disk: 20480, Memory: 1024,
			ManualBackupsCount: i(20), DailyScheduledBackups: i(7), WeeklyScheduledBackups: i(8), MonthlyScheduledBackups: i(12), PitrBackupDays: i(7), GatewayNodes: i(2)}},
		{TypeName: "elasticsearch", Plan: dbapi.DatabasePlan{ID: "5c9b95e801dcea2f34d49a03", Name: "elasticsearch-starter-1024", Backup: true, Disk: 20480, Memory: 1024,
			ManualBackupsCount: i(10), DailyScheduledBackups: i(7), WeeklyScheduledBackups: i(4), MonthlyScheduledBackups: i(0)}},
		{TypeName: "mysql", Plan: dbapi.DatabasePlan{ID: "5c9b95e801dcea2f34d49a04", Name: "mysql-starter-512", Backup: true, Disk: 10240, Memory: 512,
			ManualBackupsCount: i(10), DailyScheduledBackups: i(7), WeeklyScheduledBackups: i(4), MonthlyScheduledBackups: i(0)}},
		{TypeName: "redis", Plan: dbapi.DatabasePlan{ID: "5c9b95e801dcea2f34d49a05", Name: "redis-starter-512", Backup: true, Disk: 1024, Memory: 512,
			ManualBackupsCount: i(5), DailyScheduledBackups: i(7)}},
	}
}
