package mockserver

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/archive"
)

func TestBackups_Lifecycle(t *testing.T) {
	_, c, clk := start(t, WithBackupTimings(2*time.Second, 5*time.Second))
	created := c.do(http.MethodPost, "/databases/my-db-123/backups", nil)
	m := expect(t, created, http.StatusCreated)
	b, _ := m["database_backup"].(map[string]any)
	if b == nil {
		t.Fatalf("no database_backup envelope: %s", created)
	}
	for _, key := range []string{"started_at", "size"} {
		if v, ok := b[key]; !ok || v != nil {
			t.Errorf("%s = %v (present %v), want null", key, v, ok)
		}
	}
	if b["status"] != "scheduled" || b["method"] != "manual" {
		t.Errorf("new backup: %v", b)
	}
	id := b["id"].(string)

	steps := []struct {
		advance   time.Duration
		status    string
		started   bool
		size      bool
		archiveOK bool
	}{
		{0, "scheduled", false, false, false},
		{1999 * time.Millisecond, "scheduled", false, false, false},
		{time.Millisecond, "running", true, false, false},
		{4 * time.Second, "running", true, false, false},
		{time.Second, "done", true, true, true},
		{time.Hour, "done", true, true, true},
	}
	for i, st := range steps {
		clk.Advance(st.advance)
		got := expect(t, c.do(http.MethodGet, "/backups/"+id, nil), http.StatusOK)
		bk := got["database_backup"].(map[string]any)
		if bk["status"] != st.status || (bk["started_at"] != nil) != st.started || (bk["size"] != nil) != st.size {
			t.Errorf("step %d: backup %v, want status %s started %v size %v", i, bk, st.status, st.started, st.size)
		}
		want := http.StatusNotFound
		if st.archiveOK {
			want = http.StatusOK
		}
		a := expect(t, c.do(http.MethodGet, "/databases/my-db-123/backups/"+id+"/archive", nil), want)
		if !st.archiveOK && a["error"] != "backup archive not available yet" {
			t.Errorf("step %d: archive 404 body %v", i, a)
		}
	}
	// The list shows it first (newest first) and the size is deterministic.
	list := expect(t, c.do(http.MethodGet, "/databases/my-db-123/backups", nil), http.StatusOK)
	if at(list, "database_backups.0.id") != id {
		t.Errorf("newest backup is not first: %v", at(list, "database_backups.0"))
	}
	if got, want := at(list, "database_backups.0.size"), float64(archive.Size(id)); got != want {
		t.Errorf("size %v, want %v", got, want)
	}
	// getBackup knows backups of any database.
	expect(t, c.do(http.MethodGet, "/backups/5c70a2004ffb090be1ac3d01", nil), http.StatusOK)
	nf := expect(t, c.do(http.MethodGet, "/backups/does-not-exist", nil), http.StatusNotFound)
	if nf["resource"] != "backup" {
		t.Errorf("404 body %v", nf)
	}
	// The archive of a backup of another database is not found.
	expect(t, c.do(http.MethodGet, "/databases/my-mysql-123/backups/"+id+"/archive", nil), http.StatusNotFound)
}

func TestBackups_ErrorRate(t *testing.T) {
	s, c, clk := start(t, WithBackupErrorRate(0.5), WithBackupTimings(0, time.Second))
	var ids []string
	for range 4 {
		m := expect(t, c.do(http.MethodPost, "/databases/my-mysql-123/backups", nil), http.StatusCreated)
		ids = append(ids, at(m, "database_backup.id").(string))
	}
	clk.Advance(time.Second)
	got := map[string]dbapi.BackupStatus{}
	for _, b := range s.Backups("my-mysql-123") {
		got[b.ID] = b.Status
	}
	want := []dbapi.BackupStatus{"done", "error", "done", "error"}
	for i, id := range ids {
		if got[id] != want[i] {
			t.Errorf("backup %d: %s, want %s", i, got[id], want[i])
		}
	}
}

// archiveURL asks for the download URL of a done backup.
func archiveURL(t *testing.T, c *client, db, id string) string {
	t.Helper()
	m := expect(t, c.do(http.MethodGet, "/databases/"+db+"/backups/"+id+"/archive", nil), http.StatusOK)
	u, _ := m["download_url"].(string)
	if !strings.HasPrefix(u, c.base+"/databases/"+db+"/backups/"+id+"/download?token=") {
		t.Fatalf("download_url %q is not on the mock (%s)", u, c.base)
	}
	return u
}

func TestDownload(t *testing.T) {
	const id, size = "5bd2c6104ffb090be1ac3ce2", 1234567
	_, c, clk := start(t, WithDownloadTTL(time.Minute))
	u := archiveURL(t, c, "my-db-123", id)
	want, _ := io.ReadAll(ArchiveContent(id, size))
	anon := *c
	anon.token = "" // the pre-signed URL needs no bearer token

	full := anon.do(http.MethodGet, u, nil)
	if full.status != http.StatusOK || !bytes.Equal(full.body, want) {
		t.Fatalf("full download: status %d, %d bytes, equal %v", full.status, len(full.body), bytes.Equal(full.body, want))
	}
	if full.header.Get("Accept-Ranges") != "bytes" || full.header.Get("Content-Length") != fmt.Sprint(size) {
		t.Errorf("headers %v", full.header)
	}

	ranges := []struct {
		header     string
		status     int
		start, end int64
	}{
		{"bytes=0-1023", 206, 0, 1023},
		{"bytes=65530-65545", 206, 65530, 65545}, // across the block boundary
		{"bytes=1234000-", 206, 1234000, size - 1},
		{"bytes=-100", 206, size - 100, size - 1},
		{"bytes=1234000-99999999", 206, 1234000, size - 1},
		{"bytes=1234567-", 416, 0, 0},
		{"bytes=-0", 416, 0, 0},
		{"bytes=10-5", 200, 0, size - 1}, // invalid: ignored
	}
	for _, rg := range ranges {
		r := anon.do(http.MethodGet, u, nil, "Range", rg.header)
		if r.status != rg.status {
			t.Errorf("%s: status %d, want %d", rg.header, r.status, rg.status)
			continue
		}
		switch rg.status {
		case 206:
			if !bytes.Equal(r.body, want[rg.start:rg.end+1]) {
				t.Errorf("%s: wrong bytes", rg.header)
			}
			if cr := fmt.Sprintf("bytes %d-%d/%d", rg.start, rg.end, size); r.header.Get("Content-Range") != cr {
				t.Errorf("%s: Content-Range %q, want %q", rg.header, r.header.Get("Content-Range"), cr)
			}
		case 416:
			if r.header.Get("Content-Range") != fmt.Sprintf("bytes */%d", size) {
				t.Errorf("%s: Content-Range %q", rg.header, r.header.Get("Content-Range"))
			}
		case 200:
			if len(r.body) != size {
				t.Errorf("%s: %d bytes", rg.header, len(r.body))
			}
		}
	}

	// Forged, foreign, missing and expired tokens.
	parsed, _ := url.Parse(u)
	token := parsed.Query().Get("token")
	forged := strings.Replace(u, token, "A"+token[1:], 1)
	if forged == u {
		forged = strings.Replace(u, token, "B"+token[1:], 1)
	}
	expect(t, anon.do(http.MethodGet, forged, nil), http.StatusForbidden)
	other := strings.Replace(u, id, "5b8b36104ffb090be1ac3ce1", 1)
	expect(t, anon.do(http.MethodGet, other, nil), http.StatusForbidden)
	noToken := strings.Split(u, "?")[0]
	expect(t, anon.do(http.MethodGet, noToken, nil), http.StatusBadRequest)
	clk.Advance(time.Minute)
	expect(t, anon.do(http.MethodGet, u, nil), http.StatusForbidden)
}

func TestDownload_BandwidthLimit(t *testing.T) {
	const id, size = "5bd2c6104ffb090be1ac3ce2", 1234567
	_, c, _ := start(t, WithBandwidthLimit(4<<20))
	u := archiveURL(t, c, "my-db-123", id)
	startAt := time.Now()
	r := c.do(http.MethodGet, u, nil, "Range", "bytes=0-1048575")
	if r.status != http.StatusPartialContent || len(r.body) != 1<<20 {
		t.Fatalf("status %d, %d bytes", r.status, len(r.body))
	}
	// 1 MiB at 4 MiB/s cannot take less than about 250 ms (a lower bound only: never flaky).
	if d := time.Since(startAt); d < 200*time.Millisecond {
		t.Errorf("1 MiB took %v at 4 MiB/s", d)
	}
}

func TestDownload_LargeSeededBackup(t *testing.T) {
	const gib = int64(1) << 30
	seed := DemoSeed()
	big := seed.Databases[0].Backups[0]
	big.ID, big.Size = "6b0000000000000000000001", &[]int64{gib}[0]
	seed.Databases[0].Backups = append(seed.Databases[0].Backups, big)
	_, c, _ := start(t, WithSeed(seed))
	u := archiveURL(t, c, "my-db-123", big.ID)
	r := c.do(http.MethodGet, u, nil, "Range", fmt.Sprintf("bytes=%d-", gib-1000))
	if r.status != http.StatusPartialContent || len(r.body) != 1000 {
		t.Fatalf("status %d, %d bytes", r.status, len(r.body))
	}
	block := archive.Block(big.ID, 0)
	for i, b := range r.body {
		if o := gib - 1000 + int64(i); b != block[o%archive.BlockSize] {
			t.Fatalf("byte %d differs", o)
		}
	}
	if cr := r.header.Get("Content-Range"); cr != fmt.Sprintf("bytes %d-%d/%d", gib-1000, gib-1, gib) {
		t.Errorf("Content-Range %q", cr)
	}
}

// TestDownload_LinkLifetime: a download link is valid for exactly the download TTL from when it was
// handed out, whatever fraction of a second the clock is at: not a second less (a TTL under a second
// once gave links expired on arrival), not a moment more.
func TestDownload_LinkLifetime(t *testing.T) {
	const id = "5bd2c6104ffb090be1ac3ce2"
	tests := []struct {
		name   string
		offset time.Duration // of the clock past t0 (a whole second) when the link is handed out
		ttl    time.Duration
	}{
		{"whole second, 1 minute", 0, time.Minute},
		{"0.7s past, 1 minute", 700 * time.Millisecond, time.Minute},
		{"0.7s past, 500ms", 700 * time.Millisecond, 500 * time.Millisecond},
		{"0.2s past, 500ms", 200 * time.Millisecond, 500 * time.Millisecond},
		{"0.999999999s past, 1ns", time.Second - time.Nanosecond, time.Nanosecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, c, clk := start(t, WithDownloadTTL(tc.ttl))
			clk.Advance(tc.offset)
			u := archiveURL(t, c, "my-db-123", id)
			anon := *c
			anon.token = ""
			get := func() int {
				return anon.do(http.MethodGet, u, nil, "Range", "bytes=0-0").status
			}
			if st := get(); st != http.StatusPartialContent {
				t.Errorf("at once: status %d, want 206", st)
			}
			if tc.ttl > time.Nanosecond {
				clk.Advance(tc.ttl - time.Nanosecond)
				if st := get(); st != http.StatusPartialContent {
					t.Errorf("%s later (the TTL less 1ns): status %d, want 206", tc.ttl-time.Nanosecond, st)
				}
				clk.Advance(time.Nanosecond)
			} else {
				clk.Advance(tc.ttl)
			}
			if st := get(); st != http.StatusForbidden {
				t.Errorf("the TTL later: status %d, want 403", st)
			}
		})
	}
}
