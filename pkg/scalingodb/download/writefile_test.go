package download

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteFile writes a new file and replaces an old one whole; a
// failed write (here its fsync) leaves the old content and no temporary
// file behind.
func TestWriteFile(t *testing.T) {
	errSync := errors.New("disk full")
	tests := []struct {
		name    string
		old     string // "" for no file
		sync    error
		want    string
		wantErr error
	}{
		{"new file", "", nil, "new", nil},
		{"replaces", "old content, longer", nil, "new", nil},
		{"failure keeps the old file", "old", errSync, "old", errSync},
		{"failure makes no file", "", errSync, "", errSync},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "ca.pem")
			if tt.old != "" {
				if err := os.WriteFile(path, []byte(tt.old), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if tt.sync != nil {
				syncHook = func(*os.File) error { return tt.sync }
				t.Cleanup(func() { syncHook = nil })
			}
			err := WriteFile(path, []byte("new"), 0o644)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("WriteFile: %v, want %v", err, tt.wantErr)
			}
			got, rerr := os.ReadFile(path)
			if string(got) != tt.want || (tt.want == "") != os.IsNotExist(rerr) {
				t.Errorf("file holds %q (%v), want %q", got, rerr, tt.want)
			}
			if fi, err := os.Stat(path); err == nil && tt.wantErr == nil && fi.Mode().Perm() != 0o644 {
				t.Errorf("mode %v, want 0644", fi.Mode().Perm())
			}
			if entries, _ := os.ReadDir(dir); len(entries) > 1 || (len(entries) == 1 && entries[0].Name() != "ca.pem") {
				t.Errorf("left in the directory: %v", entries)
			}
		})
	}
}
