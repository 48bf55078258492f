package mockserver

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestServer_Concurrent runs creates, deletes, downloads and clock moves at once (run it with -race)
// and checks the final state: every created-and-not-deleted user is listed exactly once, no backup is
// lost, and every download is byte-exact.
func TestServer_Concurrent(t *testing.T) {
	s, c, clk := start(t, WithBackupTimings(time.Second, time.Second))
	const id, size = "5bd2c6104ffb090be1ac3ce2", 1234567
	url := archiveURL(t, c, "my-db-123", id)
	want, _ := io.ReadAll(ArchiveContent(id, size))

	const workers, perWorker = 4, 15
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for w := range workers {
		wg.Add(3)
		go func() { // users: create all, delete the odd ones
			defer wg.Done()
			for i := range perWorker {
				name := fmt.Sprintf("race-user-%d-%d", w, i)
				if r := c.do(http.MethodPost, "/databases/my-db-123/users", map[string]any{"database_user": map[string]any{"name": name}}); r.status != http.StatusCreated {
					errs <- fmt.Errorf("create %s: %d %s", name, r.status, r)
				}
				if i%2 == 1 {
					if r := c.do(http.MethodDelete, "/databases/my-db-123/users/"+name, nil); r.status != http.StatusNoContent {
						errs <- fmt.Errorf("delete %s: %d", name, r.status)
					}
				}
			}
		}()
		go func() { // backups
			defer wg.Done()
			for range perWorker {
				if r := c.do(http.MethodPost, "/databases/my-db-123/backups", nil); r.status != http.StatusCreated {
					errs <- fmt.Errorf("create backup: %d", r.status)
				}
				clk.Advance(100 * time.Millisecond)
			}
		}()
		go func() { // downloads
			defer wg.Done()
			for i := range 3 {
				from := int64(i) * 100000
				r := c.do(http.MethodGet, url, nil, "Range", fmt.Sprintf("bytes=%d-%d", from, from+99999))
				if r.status != http.StatusPartialContent || !bytes.Equal(r.body, want[from:from+100000]) {
					errs <- fmt.Errorf("download range %d: status %d, %d bytes", i, r.status, len(r.body))
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	count := map[string]int{}
	for _, u := range s.Users("my-db-123") {
		count[u.Name]++
	}
	for w := range workers {
		for i := range perWorker {
			name := fmt.Sprintf("race-user-%d-%d", w, i)
			if want := 1 - i%2; count[name] != want {
				t.Errorf("%s listed %d times, want %d", name, count[name], want)
			}
		}
	}
	ids := map[string]bool{}
	for _, b := range s.Backups("my-db-123") {
		ids[b.ID] = true
	}
	if want := 5 + workers*perWorker; len(ids) != want {
		t.Errorf("%d distinct backups, want %d", len(ids), want)
	}
}
