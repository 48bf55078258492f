package seed

import (
	"fmt"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// IDs of the demo data set's past asynchronous work on my-db-123 (Demo).
const (
	DemoOperationID   = "5d2c8a604ffb090be1ac3d10" // a finished point-in-time restore
	DemoRestorationID = "5d2d6c004ffb090be1ac3d20" // a done restoration of DemoBackupID
)

// Demo returns the demo data set of the mock's -seed flag: a PostgreSQL database my-db-123 with users
// (a protected one), backups done, in error, running and scheduled (among them a 64 MiB done
// backup), 26 maintenance operations, features, firewall rules, a finished point-in-time restore
// (DemoOperationID) and a done backup restoration (DemoRestorationID); an Elasticsearch database
// my-es-123; a MySQL database my-mysql-123. Values follow the examples of the API documents.
func Demo() Data {
	t := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			panic(err)
		}
		return v
	}
	tp := func(s string) *time.Time { v := t(s); return &v }
	i64 := func(v int64) *int64 { return &v }
	str := func(s string) *string { return &s }
	yes, no := true, false
	scram := dbapi.PasswordEncryptionSCRAMSHA256
	manual, periodic := dbapi.BackupMethodManual, dbapi.BackupMethodPeriodic

	pgID := "5c599fd6f18b3202f7ab4e66"
	pg := Database{
		Database: dbapi.Database{
			ID: pgID, ResourceID: DemoDatabaseID, AppName: "my-app",
			CreatedAt:        t("2019-02-05T15:38:14.343+01:00"),
			EncryptionAtRest: true,
			Features:         []dbapi.Feature{{Name: "force-ssl", Status: dbapi.FeatureStatusACTIVATED}},
			MaintenanceWindow: dbapi.MaintenanceWindow{
				WeekdayUtc: 3, StartingHourUtc: 21, DurationInHour: 8,
			},
			Plan: "postgresql-starter-512", Status: dbapi.DatabaseStatusRunning,
			TypeID: "5bf30d1104c87f000161285c", TypeName: "postgresql",
			VersionID: "5f217c7a406c12000e889be3", NextVersionID: str("668be5e8b07f4c00121ab5e7"),
			ReadableVersion: "14.10.0-1",
			Hostname:        "my-db-123.postgresql.a.osc-fr1.scalingo-dbs.com:30123",
			Instances: []dbapi.Instance{
				{ID: "5b8a26d4-160b-484a-be7f-258ae4cad80d", Hostname: "5b8a26d4-160b-484a-be7f-258ae4cad80d.my-db-123.postgresql.dbs.scalingo.com", Port: 30123, Status: dbapi.InstanceStateRunning, Type: dbapi.InstanceTypeGateway},
				{ID: "a541dfb5-1fa6-40d7-87de-159ab721322c", Hostname: "a541dfb5-1fa6-40d7-87de-159ab721322c.my-db-123.postgresql.dbs.scalingo.com", Port: 5432, Status: dbapi.InstanceStateRunning, Type: dbapi.InstanceTypeDBNode},
				{ID: "9597fb2e-b3ee-4917-bca8-d7c4333c8cc6", Hostname: "9597fb2e-b3ee-4917-bca8-d7c4333c8cc6.my-db-123.postgresql.dbs.scalingo.com", Port: 5432, Status: dbapi.InstanceStateRunning, Type: dbapi.InstanceTypeDBNode},
			},
			Cluster:                    true,
			PeriodicBackupsEnabled:     true,
			PeriodicBackupsScheduledAt: []int{3},
		},
		Users: []dbapi.DatabaseUser{
			{Name: DemoProtectedUser, ReadOnly: false, Protected: &yes, DbmsAttributes: &dbapi.DbmsAttributes{PasswordEncryption: &scram}},
			{Name: "metabase", ReadOnly: true, Protected: &no, DbmsAttributes: &dbapi.DbmsAttributes{PasswordEncryption: &scram}},
			{Name: "reporting", ReadOnly: false, Protected: &no, DbmsAttributes: &dbapi.DbmsAttributes{PasswordEncryption: &scram}},
		},
		Backups: []dbapi.Backup{
			{ID: DemoLargeBackupID, CreatedAt: t("2018-09-02T03:00:00.178+02:00"), StartedAt: tp("2018-09-02T03:02:00.154+02:00"), Name: "20180902010000_my-db-123", Size: i64(64 << 20), Status: dbapi.BackupStatusDone, DatabaseID: pgID, Method: &periodic},
			{ID: "5bb95a904ffb096e9a2831b8", CreatedAt: t("2018-10-07T03:00:00.150+02:00"), StartedAt: tp("2018-10-07T03:05:00.154+02:00"), Name: "20181007010000_my-db-123", Size: i64(0), Status: dbapi.BackupStatusError, DatabaseID: pgID, Method: &manual},
			{ID: DemoBackupID, CreatedAt: t("2018-10-26T03:00:00.178+02:00"), StartedAt: tp("2018-10-26T03:01:00.154+02:00"), Name: "20181026010000_my-db-123", Size: i64(1234567), Status: dbapi.BackupStatusDone, DatabaseID: pgID, Method: &periodic},
			{ID: "5bde44904ffb096c714be89c", CreatedAt: t("2018-11-04T02:00:00.154+01:00"), StartedAt: tp("2018-11-04T02:01:00.154+01:00"), Name: "20181104010000_my-db-123", Status: dbapi.BackupStatusRunning, DatabaseID: pgID, Method: &periodic},
			{ID: "5bde44904ffb096c714be89d", CreatedAt: t("2018-11-04T09:30:00.000+01:00"), Name: "20181104083000_my-db-123", Status: dbapi.BackupStatusScheduled, DatabaseID: pgID, Method: &manual},
		},
		FirewallRules: []dbapi.FirewallRule{
			rule((*dbapi.FirewallRule).FromCustomRangeFirewallRule, dbapi.CustomRangeFirewallRule{ID: "6580a2c91ef5f0001b3c5d7e", Cidr: "203.0.113.0/24", Label: str("office"), DatabaseID: str(pgID)}),
			rule((*dbapi.FirewallRule).FromManagedRangeFirewallRule, dbapi.ManagedRangeFirewallRule{ID: "6580a2c91ef5f0001b3c5d7f", RangeID: "eu", Label: str("Scalingo Europe"), DatabaseID: str(pgID)}),
		},
		Operations:         demoOperations(),
		BackupRestorations: demoRestorations(pgID),
	}
	base := t("2023-07-04T15:59:50.407Z")
	for i := 1; i <= 26; i++ {
		m := dbapi.Maintenance{ID: fmt.Sprintf("my-maintenance-%d", i), DatabaseID: "my-db-123", Type: dbapi.MaintenanceTypeNoOp, Status: dbapi.MaintenanceStatusDone}
		if i%5 == 0 {
			m.Type = dbapi.MaintenanceTypeInstanceMigration
		}
		if i == 26 {
			m.Status = dbapi.MaintenanceStatusScheduled
		} else {
			start := base.AddDate(0, 0, 7*(i-25))
			end := start.Add(time.Millisecond)
			m.StartedAt, m.EndedAt = &start, &end
		}
		pg.Maintenance = append(pg.Maintenance, m)
	}

	// single is a running database of my-app with one node, as the Elasticsearch and MySQL ones are.
	single := func(id, resourceID, typeID, typeName, versionID, version, plan, created, node string, port, gatewayPort int, mw dbapi.MaintenanceWindow) dbapi.Database {
		return dbapi.Database{
			ID: id, ResourceID: resourceID, AppName: "my-app", CreatedAt: t(created), Features: []dbapi.Feature{}, MaintenanceWindow: mw,
			Plan: plan, Status: dbapi.DatabaseStatusRunning, TypeID: typeID, TypeName: typeName, VersionID: versionID, ReadableVersion: version,
			Hostname: fmt.Sprintf("%s.%s.a.osc-fr1.scalingo-dbs.com:%d", resourceID, typeName, gatewayPort),
			Instances: []dbapi.Instance{{ID: node, Hostname: node + "." + resourceID + "." + typeName + ".dbs.scalingo.com", Port: port,
				Status: dbapi.InstanceStateRunning, Type: dbapi.InstanceTypeDBNode}},
			PeriodicBackupsScheduledAt: []int{},
		}
	}
	esID := "5c599fd6f18b3202f7ab4e77"
	es := Database{
		Database: single(esID, DemoElasticsearchID, "5bf30d1104c87f000161285d", "elasticsearch", "5f217c7a406c12000e889be4", "7.10.2-1",
			"elasticsearch-starter-1024", "2019-02-22T12:43:47.000+01:00", "3c1d0c7e-2c9a-4e57-a1a4-0d0b2d3e4f50", 9200, 30456,
			dbapi.MaintenanceWindow{WeekdayUtc: 1, StartingHourUtc: 2, DurationInHour: 8}),
		Users: []dbapi.DatabaseUser{{Name: "my-es-123", Protected: &yes}},
		Backups: []dbapi.Backup{
			{ID: "5c70a2004ffb090be1ac3d01", CreatedAt: t("2019-02-23T03:00:00.000+01:00"), StartedAt: tp("2019-02-23T03:00:30.000+01:00"), Name: "20190223020000_my-es-123", Size: i64(524288), Status: dbapi.BackupStatusDone, DatabaseID: esID, Method: &periodic},
		},
		Health: &dbapi.Health{Epoch: "1550839427", Status: dbapi.HealthStatusGreen, Cluster: "my-cluster", Shards: "141", PendingTasks: str("0")},
	}

	my := Database{
		Database: single("5c599fd6f18b3202f7ab4e88", DemoMySQLID, "5bf30d1104c87f000161285e", "mysql", "5f217c7a406c12000e889be5", "8.0.36-1",
			"mysql-starter-512", "2020-05-10T09:00:00.000+02:00", "7d7c5e9a-8a1b-4c2d-9e3f-0a1b2c3d4e5f", 3306, 31234,
			dbapi.MaintenanceWindow{WeekdayUtc: 6, StartingHourUtc: 4, DurationInHour: 8}),
		Users: []dbapi.DatabaseUser{{Name: "my-mysql-123", Protected: &yes}, {Name: "readonly-app", ReadOnly: true, Protected: &no}},
	}
	my.Database.EncryptionAtRest, my.Database.PeriodicBackupsEnabled, my.Database.PeriodicBackupsScheduledAt = true, true, []int{1}

	v := func(id, typeID, created string, major, minor, patch, build int, next *dbapi.DatabaseTypeVersion) dbapi.DatabaseTypeVersion {
		return dbapi.DatabaseTypeVersion{ID: id, DatabaseTypeID: typeID, CreatedAt: t(created), UpdatedAt: t(created),
			Major: major, Minor: minor, Patch: patch, Build: build, Features: []string{"tls"}, NextUpgrade: next}
	}
	// PostgreSQL can be upgraded twice: 14.10 to 15.7, then to 16.4.
	pgLast := v("66f2a1c0b07f4c00121ab5e8", "5bf30d1104c87f000161285c", "2024-09-24T10:00:00.000+02:00", 16, 4, 0, 1, nil)
	pgNext := v("668be5e8b07f4c00121ab5e7", "5bf30d1104c87f000161285c", "2024-07-08T10:00:00.000+02:00", 15, 7, 0, 1, &pgLast)
	return Data{
		Databases: []Database{pg, es, my},
		TypeVersions: []dbapi.DatabaseTypeVersion{
			v("5f217c7a406c12000e889be3", "5bf30d1104c87f000161285c", "2020-07-29T15:41:14.326+02:00", 14, 10, 0, 1, &pgNext),
			pgNext,
			pgLast,
			v("5f217c7a406c12000e889be4", "5bf30d1104c87f000161285d", "2021-02-01T10:00:00.000+01:00", 7, 10, 2, 1, nil),
			v("5f217c7a406c12000e889be5", "5bf30d1104c87f000161285e", "2024-03-01T10:00:00.000+01:00", 8, 0, 36, 1, nil),
		},
		ManagedRanges: []dbapi.ManagedRange{{ID: "eu", Name: "Scalingo Europe"}, {ID: "osc-fr1-egress", Name: "Scalingo osc-fr1 egress"}},
		DatabaseTypes: demoDatabaseTypes(),
		Plans:         demoPlans(),
	}
}

// rule builds a firewall rule of one kind with its generated From method (which sets its type).
func rule[T any](from func(*dbapi.FirewallRule, T) error, v T) dbapi.FirewallRule {
	var r dbapi.FirewallRule
	if err := from(&r, v); err != nil {
		panic(err) // a struct of the generated types always marshals
	}
	return r
}

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
func demoPlans() []Plan {
	i := func(v int) *int { return &v }
	return []Plan{
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
