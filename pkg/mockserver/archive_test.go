package mockserver

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/archive"
)

var etagPattern = regexp.MustCompile(`^"[0-9a-f]{16}-[0-9]+"$`)

// TestDownload_IfRange checks that If-Range makes Range conditional (RFC 9110, section 13.1.5): a
// validator of the current version lets the range through (206), any other gets the whole archive
// (200). Every answer is checked against the spec by Start.
func TestDownload_IfRange(t *testing.T) {
	const id, size = DemoBackupID, 1234567
	_, c, _ := start(t)
	u := archiveURL(t, c, "my-db-123", id)
	want, _ := io.ReadAll(ArchiveContent(id, size))

	first := c.do(http.MethodGet, u, nil)
	etag, modified := first.header.Get("ETag"), first.header.Get("Last-Modified")
	if first.status != http.StatusOK || !etagPattern.MatchString(etag) {
		t.Fatalf("status %d, ETag %q", first.status, etag)
	}
	lm, err := http.ParseTime(modified)
	if err != nil || modified != lm.UTC().Format(http.TimeFormat) {
		t.Fatalf("Last-Modified %q is not an IMF-fixdate: %v", modified, err)
	}
	// The seeded backup's archive dates from its start (2018-10-26T01:01:00Z), to the second.
	if lm.Nanosecond() != 0 || lm.After(time.Now()) {
		t.Errorf("Last-Modified %v", lm)
	}

	tests := []struct {
		name    string
		rng     string // "" sends no Range
		ifRange string // "" sends no If-Range
		status  int
	}{
		{"no If-Range", "bytes=100-199", "", http.StatusPartialContent},
		{"the current ETag", "bytes=100-199", etag, http.StatusPartialContent},
		{"another ETag", "bytes=100-199", `"0000000000000000-0"`, http.StatusOK},
		{"the current ETag, weak", "bytes=100-199", "W/" + etag, http.StatusOK},
		{"the ETag unquoted", "bytes=100-199", etag[1 : len(etag)-1], http.StatusOK},
		{"the Last-Modified date", "bytes=100-199", modified, http.StatusPartialContent},
		{"the same date, RFC 850 form", "bytes=100-199", lm.Format(time.RFC850), http.StatusPartialContent},
		{"a second earlier", "bytes=100-199", lm.Add(-time.Second).Format(http.TimeFormat), http.StatusOK},
		{"a second later", "bytes=100-199", lm.Add(time.Second).Format(http.TimeFormat), http.StatusOK},
		{"not a validator", "bytes=100-199", "yesterday", http.StatusOK},
		{"If-Range without Range", "", etag, http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.rng != "" {
				hdr = append(hdr, "Range", tc.rng)
			}
			if tc.ifRange != "" {
				hdr = append(hdr, "If-Range", tc.ifRange)
			}
			r := c.do(http.MethodGet, u, nil, hdr...)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d", r.status, tc.status)
			}
			wantBody := want
			if tc.status == http.StatusPartialContent {
				wantBody = want[100:200]
			}
			if !bytes.Equal(r.body, wantBody) {
				t.Errorf("%d bytes, not the expected %d", len(r.body), len(wantBody))
			}
			if r.header.Get("ETag") != etag || r.header.Get("Last-Modified") != modified {
				t.Errorf("validators %q %q changed without a fault: want %q %q",
					r.header.Get("ETag"), r.header.Get("Last-Modified"), etag, modified)
			}
		})
	}
}

// TestFaults_ArchiveChange checks that the archive-change fault gives an archive new bytes of the
// same size, a new ETag and a Last-Modified that never goes back, that a resume with the old ETag
// then gets the whole new archive, and that Server.Archive serves every version it had.
func TestFaults_ArchiveChange(t *testing.T) {
	const id, size = DemoBackupID, 1234567
	s, c, clk := start(t, WithFaults(Faults{ArchiveChangeRate: 1}))
	u := archiveURL(t, c, "my-db-123", id)

	first := c.do(http.MethodGet, u, nil)
	gen0, _ := io.ReadAll(ArchiveContent(id, size))
	if first.status != http.StatusOK || !bytes.Equal(first.body, gen0) {
		t.Fatalf("first download: status %d, %d bytes, the unchanged archive: %v", first.status, len(first.body), bytes.Equal(first.body, gen0))
	}
	etag1 := first.header.Get("ETag")

	// A resume with the first answer's ETag: the archive changed after it, so the whole new one.
	second := c.do(http.MethodGet, u, nil, "Range", "bytes=600000-", "If-Range", etag1)
	etag2 := second.header.Get("ETag")
	if second.status != http.StatusOK || len(second.body) != size {
		t.Fatalf("resume after a change: status %d, %d bytes; want 200 and the whole archive", second.status, len(second.body))
	}
	if etag2 == etag1 || !etagPattern.MatchString(etag2) {
		t.Errorf("ETag %q after a change, before %q", etag2, etag1)
	}
	if bytes.Equal(second.body, first.body) || bytes.Equal(second.body[600000:], first.body[600000:]) {
		t.Error("the archive's bytes did not change")
	}

	// The first change happened at the clock's time, after the seeded start: a strong, later date.
	lm1, _ := http.ParseTime(first.header.Get("Last-Modified"))
	lm2, _ := http.ParseTime(second.header.Get("Last-Modified"))
	if !lm2.Equal(t0) || !lm2.After(lm1) {
		t.Errorf("Last-Modified %v then %v, want the second at the clock's %v", lm1, lm2, t0)
	}
	// The second change falls in the same second: its date is weak and lets no range through,
	// where its ETag does.
	third := c.do(http.MethodGet, u, nil, "Range", "bytes=0-9", "If-Range", second.header.Get("Last-Modified"))
	if third.status != http.StatusOK {
		t.Errorf("If-Range with a date two versions shared: status %d, want 200", third.status)
	}
	lm3, _ := http.ParseTime(third.header.Get("Last-Modified"))
	if lm3.Before(lm2) {
		t.Errorf("Last-Modified went back: %v then %v", lm2, lm3)
	}
	fourth := c.do(http.MethodGet, u, nil, "Range", "bytes=0-9", "If-Range", "W/"+third.header.Get("ETag"))
	if fourth.status != http.StatusOK {
		t.Errorf("If-Range with a weak ETag: status %d, want 200", fourth.status)
	}
	clk.Advance(time.Minute)

	// Every version can be read back by its ETag, and "" is the current one.
	for _, r := range []reply{first, second, third, fourth} {
		rd, err := s.Archive(id, r.header.Get("ETag"))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rd)
		if !bytes.Equal(got, r.body) {
			t.Errorf("Archive(%s) is not what was served", r.header.Get("ETag"))
		}
	}
	cur, err := s.Archive(id, "")
	if err != nil {
		t.Fatal(err)
	}
	fifth := c.do(http.MethodGet, u, nil)
	got, _ := io.ReadAll(cur)
	if !bytes.Equal(got, fifth.body) {
		t.Error(`Archive(id, "") is not what the next download served`)
	}
	for _, bad := range []struct{ id, etag string }{
		{id, `"0000000000000000-0"`}, {id, archive.ETag(id, 99)}, {"no-such-backup", ""}, {"5bde44904ffb096c714be89c", ""}, // the last is running
	} {
		if _, err := s.Archive(bad.id, bad.etag); err == nil {
			t.Errorf("Archive(%q, %q) succeeded", bad.id, bad.etag)
		}
	}

	// One record per change, after the download that preceded it.
	var changes int
	for _, rec := range s.FaultLog() {
		if rec.Kind != FaultArchiveChange || rec.OperationID != "downloadBackup" || !rec.Applied || rec.RequestID == "" {
			t.Errorf("record %+v", rec)
		}
		changes++
	}
	if changes != 5 {
		t.Errorf("%d changes recorded after 5 downloads at rate 1", changes)
	}
}

// TestFaults_ArchiveChangeRate checks that the rate is a share of downloads, drawn from the seed, and
// that answers which served no archive change nothing.
func TestFaults_ArchiveChangeRate(t *testing.T) {
	s, c, _ := start(t, WithFaults(Faults{ArchiveChangeRate: 0.5, Seed: 3}))
	u := archiveURL(t, c, "my-db-123", DemoBackupID)
	etags := map[string]bool{}
	for range 40 {
		r := c.do(http.MethodGet, u, nil, "Range", "bytes=0-9")
		etags[r.header.Get("ETag")] = true
	}
	expect(t, c.do(http.MethodGet, u, nil, "Range", "bytes=99999999-"), http.StatusRequestedRangeNotSatisfiable)
	n := len(s.FaultLog())
	if n < 10 || n > 30 || len(etags) != n+1 && len(etags) != n {
		t.Errorf("%d changes and %d ETags over 40 downloads at rate 0.5", n, len(etags))
	}
	for range 5 {
		c.do(http.MethodGet, u+"x", nil) // a forged token: 403
	}
	if len(s.FaultLog()) != n {
		t.Errorf("answers that served no archive changed it: %d changes, then %d", n, len(s.FaultLog()))
	}
}

// TestDownload_ArchiveBytesOnce: the bytes of one version of an archive are generated once for
// any number of downloads, a 416 generates none, and every range is the same slice of the whole;
// the bytes themselves are those the mock always served (pinned by their SHA-256, for version 0 and
// for version 1).
func TestDownload_ArchiveBytesOnce(t *testing.T) {
	const id, size = DemoBackupID, 1234567
	s, c, _ := start(t)
	u := s.downloadURLForTest(c.base, DemoDatabaseID, id)
	sum := func(r io.Reader) string {
		h := sha256.New()
		if _, err := io.Copy(h, r); err != nil {
			t.Fatal(err)
		}
		return hex.EncodeToString(h.Sum(nil))
	}
	const gen0SHA = "4be6867536adee4806ddc89d4cb091fe93ec127c1a9dfffd4b358c92d8986db0"
	if got := sum(ArchiveContent(id, size)); got != gen0SHA {
		t.Errorf("ArchiveContent: SHA-256 %s, want %s", got, gen0SHA)
	}

	before := s.store.archives.Made()
	r := c.do(http.MethodGet, u, nil, "Range", fmt.Sprintf("bytes=%d-", size))
	if r.status != http.StatusRequestedRangeNotSatisfiable {
		t.Fatalf("range past the end: status %d", r.status)
	}
	if n := s.store.archives.Made() - before; n != 0 {
		t.Errorf("a 416 generated %d archive blocks, want 0", n)
	}

	whole := c.do(http.MethodGet, u, nil)
	if whole.status != http.StatusOK || len(whole.body) != size {
		t.Fatalf("whole archive: status %d, %d bytes", whole.status, len(whole.body))
	}
	if got := sum(bytes.NewReader(whole.body)); got != gen0SHA {
		t.Errorf("download: SHA-256 %s, want %s", got, gen0SHA)
	}
	ranges := []struct{ start, end int64 }{
		{0, 65535}, {archive.BlockSize - 10, archive.BlockSize + 65525}, {1048576, 1114111}, {size - 100, size - 1}, {7, 7},
	}
	for _, rg := range ranges {
		r := c.do(http.MethodGet, u, nil, "Range", fmt.Sprintf("bytes=%d-%d", rg.start, rg.end))
		if r.status != http.StatusPartialContent || !bytes.Equal(r.body, whole.body[rg.start:rg.end+1]) {
			t.Errorf("bytes=%d-%d: status %d, %d bytes, not the same slice of the whole", rg.start, rg.end, r.status, len(r.body))
		}
	}
	if n := s.store.archives.Made() - before; n > 1 {
		t.Errorf("%d downloads of one version generated %d archive blocks, want 1", len(ranges)+1, n)
	}

	// Version 1, after a change: new bytes, served and returned by Archive alike.
	s.changeArchive(id)
	const gen1SHA = "cd5317e47e125cdd5f9da980a5a57d44829bba0a778004e8e51526b75e340568"
	rd, err := s.Archive(id, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := sum(rd); got != gen1SHA {
		t.Errorf("Archive, version 1: SHA-256 %s, want %s", got, gen1SHA)
	}
	if got := sum(bytes.NewReader(c.do(http.MethodGet, u, nil).body)); got != gen1SHA {
		t.Errorf("download, version 1: SHA-256 %s, want %s", got, gen1SHA)
	}
	rd, err = s.Archive(id, whole.header.Get("ETag"))
	if err != nil {
		t.Fatal(err)
	}
	if got := sum(rd); got != gen0SHA {
		t.Errorf("Archive of the first ETag: SHA-256 %s, want %s", got, gen0SHA)
	}
}
