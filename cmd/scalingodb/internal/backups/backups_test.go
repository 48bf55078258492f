package backups

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/backupsync"
)

// TestDestination resolves -O: nothing, a folder, a new folder with a
// trailing slash (created), a file.
func TestDestination(t *testing.T) {
	dir := t.TempDir()
	b := &scalingodb.Backup{ID: "b1", Name: "nightly"}
	for _, tc := range []struct {
		out, want string
	}{
		{"", "nightly.tar.gz"},
		{dir, filepath.Join(dir, "nightly.tar.gz")},
		{filepath.Join(dir, "new") + "/", filepath.Join(dir, "new", "nightly.tar.gz")},
		{filepath.Join(dir, "latest.tar.gz"), filepath.Join(dir, "latest.tar.gz")},
	} {
		got, err := destination(tc.out, b)
		if err != nil || got != tc.want {
			t.Errorf("destination(%q) = %q, %v; want %q", tc.out, got, err, tc.want)
		}
	}
	if st, err := os.Stat(filepath.Join(dir, "new")); err != nil || !st.IsDir() {
		t.Errorf("a folder given with a trailing slash was not created: %v", err)
	}
}

// TestArchiveName names archives after backups with safe characters only.
func TestArchiveName(t *testing.T) {
	for _, tc := range []struct {
		b    scalingodb.Backup
		want string
	}{
		{scalingodb.Backup{ID: "b1", Name: "20181026010000_my-db-123"}, "20181026010000_my-db-123.tar.gz"},
		{scalingodb.Backup{ID: "b1"}, "b1.tar.gz"},
		{scalingodb.Backup{ID: "b1", Name: "../../etc/passwd"}, "_.._etc_passwd.tar.gz"},
		{scalingodb.Backup{ID: "b1", Name: "dump.tgz"}, "dump.tgz"},
		{scalingodb.Backup{ID: "b1", Name: "..."}, "backup.tar.gz"},
	} {
		if got := archiveName(&tc.b); got != tc.want {
			t.Errorf("archiveName(%q) = %q, want %q", tc.b.Name, got, tc.want)
		}
	}
}

// TestSyncResult_JSON pins the -o json record of backups sync: a real
// run's keys as they always were, and a dry run's, which says so and
// has would_* keys instead of copied and pruned.
func TestSyncResult_JSON(t *testing.T) {
	res := []backupsync.Result{{DatabaseID: "db-1", Copied: []string{"b2"}, Skipped: []string{"b1"}, Pruned: []string{"b0"}, Bytes: 10, Seconds: 1.23456}}
	for _, tc := range []struct {
		dryRun bool
		want   string
	}{
		{false, `[{"database_id":"db-1","copied":1,"skipped":1,"pruned":1,"bytes":10,"seconds":1.234,"errors":[],"copied_backups":["b2"],"pruned_backups":["b0"]}]`},
		{true, `[{"database_id":"db-1","dry_run":true,"would_copy":1,"skipped":1,"would_prune":1,"bytes":10,"seconds":1.234,"errors":[],"would_copy_backups":["b2"],"would_prune_backups":["b0"]}]`},
	} {
		got, err := json.Marshal(syncResult(res, tc.dryRun).JSON)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.want {
			t.Errorf("dry run %t:\n got %s\nwant %s", tc.dryRun, got, tc.want)
		}
	}
}
