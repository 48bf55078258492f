package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

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

func TestParseWeekday(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"0", 0, true}, {"6", 6, true}, {"7", 7, false}, {"-1", -1, false},
		{"sunday", 0, true}, {"Mon", 1, true}, {"sat", 6, true}, {"s", 0, false}, {"someday", 0, false},
	} {
		got, ok := parseWeekday(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("parseWeekday(%q) = %d, %t; want %d, %t", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestBytesText(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1234567, "1.2 MiB"}, {1 << 30, "1.0 GiB"},
	} {
		if got := bytesText(tc.n); got != tc.want {
			t.Errorf("bytesText(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		pw := generatePassword()
		if err := scalingodb.ValidatePassword(pw); err != nil {
			t.Fatalf("generated password breaks the rules: %v", err)
		}
		if seen[pw.Reveal()] {
			t.Fatal("the same password twice")
		}
		seen[pw.Reveal()] = true
	}
}
