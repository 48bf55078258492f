package archive

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"
	"time"
)

// TestArchiveVersion_IfRange covers the date rule: a Last-Modified that two versions shared is weak,
// and never lets a range through.
func TestArchiveVersion_IfRange(t *testing.T) {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	strong := Version{Gen: 1, Modified: at, ETag: ETag("b", 1)}
	weak := strong
	weak.WeakDate = true
	tests := []struct {
		ver     Version
		ifRange string
		want    bool
	}{
		{strong, ETag("b", 1), true},
		{strong, ETag("b", 0), false},
		{strong, ETag("c", 1), false},
		{strong, "W/" + ETag("b", 1), false},
		{strong, at.Format(http.TimeFormat), true},
		{strong, at.Add(time.Second).Format(http.TimeFormat), false},
		{weak, at.Format(http.TimeFormat), false},
		{weak, ETag("b", 1), true}, // the entity tag stays strong
		{strong, "", false},
	}
	for _, tc := range tests {
		if got := tc.ver.IfRange(tc.ifRange); got != tc.want {
			t.Errorf("version %+v, If-Range %q: %v, want %v", tc.ver, tc.ifRange, got, tc.want)
		}
	}
}

// TestArchiveCache_Bound: the cache keeps at most cacheSize blocks, drops the least
// recently used, and gives each version its own bytes.
func TestArchiveCache_Bound(t *testing.T) {
	var c Cache
	before := c.Made()
	first := c.Block("backup-0", 0)
	for i := 1; i < cacheSize; i++ {
		c.Block(fmt.Sprintf("backup-%d", i), 0)
	}
	c.Block("backup-0", 0) // used again: now the most recent
	if n := c.Made() - before; n != cacheSize {
		t.Fatalf("%d blocks made for %d versions", n, cacheSize)
	}
	if again := c.Block("backup-0", 0); &again[0] != &first[0] {
		t.Error("a cached block was made again")
	}
	c.Block("backup-x", 0) // evicts backup-1, the least recently used
	if len(c.entries) != cacheSize {
		t.Errorf("%d entries, want %d", len(c.entries), cacheSize)
	}
	before = c.Made()
	c.Block("backup-0", 0)
	if c.Made() != before {
		t.Error("the most recently used block was evicted")
	}
	c.Block("backup-1", 0)
	if c.Made() != before+1 {
		t.Error("the least recently used block was not evicted")
	}
	if bytes.Equal(c.Block("backup-0", 1), first) || !bytes.Equal(c.Block("backup-0", 0), Block("backup-0", 0)) {
		t.Error("two versions share their bytes, or a cached block differs from a fresh one")
	}
}

func TestParseRange(t *testing.T) {
	tests := []struct {
		h          string
		size       int64
		start, end int64
		status     int
	}{
		{"bytes=0-0", 10, 0, 0, 206},
		{"bytes=0-", 10, 0, 9, 206},
		{"bytes=-3", 10, 7, 9, 206},
		{"bytes=-30", 10, 0, 9, 206},
		{"bytes=9-100", 10, 9, 9, 206},
		{"bytes=10-", 10, 0, 0, 416},
		{"bytes=0-", 0, 0, 0, 416},
		{"bytes=-", 10, 0, 0, 200},
		{"bytes=5-2", 10, 0, 0, 200},
		{"bytes=0-1,3-4", 10, 0, 0, 200},
		{"items=0-1", 10, 0, 0, 200},
		{"bytes=x-1", 10, 0, 0, 200},
		// RFC 9110 §14.1.2: a last-pos past the end means the end, a first-pos past it is
		// unsatisfiable, and a suffix longer than the archive is all of it, however many digits.
		{"bytes=0-99999999999999999999", 10, 0, 9, 206},
		{"bytes=3-9223372036854775808", 10, 3, 9, 206},
		{"bytes=99999999999999999999-", 10, 0, 0, 416},
		{"bytes=99999999999999999999-99999999999999999999", 10, 0, 0, 416},
		{"bytes=-99999999999999999999", 10, 0, 9, 206},
		{"bytes=+1-2", 10, 0, 0, 200},
		{"bytes=-+2", 10, 0, 0, 200},
		{"bytes=--2", 10, 0, 0, 200},
	}
	for _, tc := range tests {
		s, e, st := ParseRange(tc.h, tc.size)
		if st != tc.status || (st == 206 && (s != tc.start || e != tc.end)) {
			t.Errorf("ParseRange(%q, %d) = %d, %d, %d; want %d, %d, %d", tc.h, tc.size, s, e, st, tc.start, tc.end, tc.status)
		}
	}
}
