//go:build unix

package scalingodb

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

func TestDownloadToFile_OneAtATime(t *testing.T) {
	data := randomBytes(1 << 20)
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	h := &downloadHost{size: int64(len(data)), dl: func(w http.ResponseWriter, r *http.Request) {
		select {
		case started <- struct{}{}:
			<-release // the first download waits here, holding the partial file
		default:
		}
		serveVersion(w, r, data, `"v1"`)
	}}
	c := hostClient(t, h)
	path := filepath.Join(t.TempDir(), "b.tar.gz")
	first := make(chan error, 1)
	go func() {
		_, err := c.Backups.DownloadToFile(context.Background(), "db", "b1", path)
		first <- err
	}()
	<-started
	_, err := c.Backups.DownloadToFile(context.Background(), "db", "b1", path)
	close(release)
	if !errors.Is(err, errPartBusy) {
		t.Errorf("second call: got %v, want it refused while the first one runs", err)
	}
	if err := <-first; err != nil {
		t.Fatalf("first call: %v", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, data) {
		t.Fatal("the file differs from the archive")
	}
}
