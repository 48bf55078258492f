package seed

import (
	"testing"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// TestDemo_IDs: every ID the package names for the demo data set is in it, as its comment says.
func TestDemo_IDs(t *testing.T) {
	d := Demo()
	var pg *Database
	for i := range d.Databases {
		if d.Databases[i].Database.ResourceID == DemoDatabaseID {
			pg = &d.Databases[i]
		}
	}
	if pg == nil {
		t.Fatalf("no database %s", DemoDatabaseID)
	}
	backup := func(id string) *dbapi.Backup {
		for i := range pg.Backups {
			if pg.Backups[i].ID == id {
				return &pg.Backups[i]
			}
		}
		return nil
	}
	tests := []struct {
		name string
		ok   bool
	}{
		{"DemoElasticsearchID is an Elasticsearch database with a health", func() bool {
			for _, db := range d.Databases {
				if db.Database.ResourceID == DemoElasticsearchID {
					return db.Database.TypeName == "elasticsearch" && db.Health != nil
				}
			}
			return false
		}()},
		{"DemoMySQLID is a MySQL database", func() bool {
			for _, db := range d.Databases {
				if db.Database.ResourceID == DemoMySQLID {
					return db.Database.TypeName == "mysql"
				}
			}
			return false
		}()},
		{"DemoBackupID is done, 1,234,567 bytes", func() bool {
			b := backup(DemoBackupID)
			return b != nil && b.Status == dbapi.BackupStatusDone && b.Size != nil && *b.Size == 1234567
		}()},
		{"DemoLargeBackupID is done, 64 MiB", func() bool {
			b := backup(DemoLargeBackupID)
			return b != nil && b.Status == dbapi.BackupStatusDone && b.Size != nil && *b.Size == 64<<20
		}()},
		{"DemoProtectedUser is protected", func() bool {
			for _, u := range pg.Users {
				if u.Name == DemoProtectedUser {
					return u.Protected != nil && *u.Protected
				}
			}
			return false
		}()},
		{"DemoOperationID is a finished point-in-time restore", len(pg.Operations) == 1 && pg.Operations[0].ID == DemoOperationID &&
			*pg.Operations[0].Type == OperationTypePitrRestore && *pg.Operations[0].Status == dbapi.OperationStatusFinished},
		{"DemoRestorationID restores DemoBackupID", len(pg.BackupRestorations) == 1 && pg.BackupRestorations[0].ID == DemoRestorationID &&
			pg.BackupRestorations[0].SourceBackupID == DemoBackupID},
	}
	for _, tc := range tests {
		if !tc.ok {
			t.Errorf("%s: not so in Demo()", tc.name)
		}
	}
}

// TestDemo_Fresh: each call returns its own data, so that a test changing one cannot change the
// next.
func TestDemo_Fresh(t *testing.T) {
	a, b := Demo(), Demo()
	a.Databases[0].Backups[0].Name = "changed"
	a.Databases[0].Users = nil
	if b.Databases[0].Backups[0].Name == "changed" || b.Databases[0].Users == nil {
		t.Error("two calls of Demo share their data")
	}
}
