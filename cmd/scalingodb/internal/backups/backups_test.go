package backups

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
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
