package download

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzPartFile_LoadState feeds any sidecar beside a partial file of any
// length: a sidecar that loadState accepts must be of this backup and
// size, hold a strong validator, and claim only sorted, disjoint ranges
// that the partial file holds.
func FuzzPartFile_LoadState(f *testing.F) {
	f.Add([]byte(`{"version":2,"backup_id":"b1","size":100,"etag":"\"v1\"","done":[[0,50]]}`), uint8(60))
	f.Add([]byte(`{"version":2,"backup_id":"b1","size":100,"last_modified":"Mon, 01 Dec 2026 03:15:00 GMT","done":[[0,10],[20,100]]}`), uint8(100))
	f.Add([]byte(`{"version":1,"backup_id":"b1","size":100,"etag":"W/\"v1\"","done":[[0,50]]}`), uint8(60))
	f.Add([]byte(`{"version":2,"backup_id":"b1","size":100,"etag":"\"v1\"","done":[[40,50],[0,45]]}`), uint8(60))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, sidecar []byte, fileSize uint8) {
		path := filepath.Join(dir, "b.tar.gz")
		if err := os.WriteFile(path+stateSuffix, sidecar, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path+partSuffix, make([]byte, fileSize), 0o600); err != nil {
			t.Fatal(err)
		}
		file, err := os.Open(path + partSuffix)
		if err != nil {
			t.Fatal(err)
		}
		defer file.Close()
		d, err := newDownloader(Source{URL: "http://127.0.0.1:1/dl", Size: 100, ID: "b1"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		p := &partFile{path: path, part: path + partSuffix, state: path + stateSuffix, d: d, f: file}
		st, ok := p.loadState()
		if !ok {
			return
		}
		if st.BackupID != "b1" || st.Size != 100 {
			t.Fatalf("accepted the sidecar of %q, %d bytes", st.BackupID, st.Size)
		}
		if !isStrongETag(st.ETag) && (st.ETag != "" || st.LastModified == "" || st.Version != partStateVersion) {
			t.Fatalf("accepted a sidecar without a strong validator: %+v", st)
		}
		at := int64(0)
		for _, r := range st.Done {
			if r[0] < at || r[1] <= r[0] || r[1] > st.Size || r[1] > int64(fileSize) {
				t.Fatalf("accepted range %v (after %d) of a partial file of %d bytes", r, at, fileSize)
			}
			at = r[1]
		}
	})
}
