// Package archive makes the bytes of the mock's backup archives: each version of an archive is a
// pseudo-random block, derived from the backup ID and the version, repeated to the archive's size, so
// that any version can be served again and checked from those two. It also has the validators of a
// version (ETag, Last-Modified, If-Range), single byte ranges, a cache of the blocks served last, and
// a reader that streams an archive paced to a bandwidth.
package archive

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Version is one version of a backup's archive: its bytes are a function of the backup ID and
// gen, so that every version can be served again, and checked, from those two.
type Version struct {
	Gen      int
	Modified time.Time // Last-Modified, to the second
	WeakDate bool      // another version had the same Last-Modified
	ETag     string
}

// ETag is the strong validator of version gen of the archive of a backup.
func ETag(backupID string, gen int) string {
	return fmt.Sprintf(`"%016x-%d"`, hash(backupID), gen)
}

// IfRange evaluates an If-Range header against the version (RFC 9110, section 13.1.5): true when
// the version still has the entity tag or the date it names, so that the Range may be served. An
// entity tag is compared strongly (a weak one never matches); a date matches only exactly, and only
// when it identifies one version (no two versions shared its second).
func (a Version) IfRange(v string) bool {
	if strings.HasPrefix(v, `"`) || strings.HasPrefix(v, "W/") {
		return v == a.ETag
	}
	t, err := http.ParseTime(v)
	return err == nil && !a.WeakDate && t.Equal(a.Modified)
}

// ParseRange reads a single "bytes=" range against size. It answers 206 with the inclusive bounds,
// 416 when the range lies outside, and 200 when the header is to be ignored (RFC 9110: a syntactically
// invalid range is ignored). Positions are digits only, of any length: one past the largest int64 is
// as far past the end as any (RFC 9110 §14.1.2).
func ParseRange(h string, size int64) (start, end int64, status int) {
	spec, ok := strings.CutPrefix(h, "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return 0, 0, http.StatusOK
	}
	first, last, ok := strings.Cut(spec, "-")
	if !ok || (first == "" && last == "") {
		return 0, 0, http.StatusOK
	}
	if first == "" { // suffix: the last N bytes
		n, ok := parsePos(last)
		if !ok {
			return 0, 0, http.StatusOK
		}
		if n == 0 || size == 0 {
			return 0, 0, http.StatusRequestedRangeNotSatisfiable
		}
		return max(size-n, 0), size - 1, http.StatusPartialContent
	}
	start, ok = parsePos(first)
	if !ok {
		return 0, 0, http.StatusOK
	}
	end = size - 1
	if last != "" {
		end, ok = parsePos(last)
		if !ok || end < start {
			return 0, 0, http.StatusOK
		}
		end = min(end, size-1)
	}
	if start >= size {
		return 0, 0, http.StatusRequestedRangeNotSatisfiable
	}
	return start, end, http.StatusPartialContent
}

// parsePos reads a byte position: one or more ASCII digits (no sign), saturated at the largest
// int64.
func parsePos(s string) (int64, bool) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil { // only ErrRange is left: more than any archive holds
		return math.MaxInt64, true
	}
	return n, true
}

// BlockSize is the period of the archive content: byte o of an archive is block[o%size]. It
// is also the size of each write of a download: 512 KiB writes leave the mock far fewer system calls
// than 64 KiB ones (a 1 GiB download went from about 3 to 4-5 GB/s), so that a benchmark of a
// client against the mock measures the client. Making a block costs about 0.2 ms, once per version
// of an archive: a Server keeps the blocks it served last (Cache).
const BlockSize = 512 << 10

// Block is the pseudo-random block that version gen of an archive repeats, seeded by the
// backup ID and gen.
func Block(backupID string, gen int) []byte {
	rng := rand.New(rand.NewPCG(hash(backupID), 0x5ca1+uint64(gen)<<32))
	b := make([]byte, BlockSize)
	for i := 0; i < len(b); i += 8 {
		v := rng.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

// Content returns the bytes of the first version of the archive of a backup of the given size.
func Content(backupID string, size int64) io.Reader {
	return NewReader(context.Background(), Block(backupID, 0), 0, size, 0)
}

// NewReader returns a Reader of n bytes of the archive whose block is block, from offset off,
// paced to rate bytes per second when rate > 0 (a download ends when ctx does).
func NewReader(ctx context.Context, block []byte, off, n, rate int64) *Reader {
	return &Reader{block: block, off: off, remain: n, rate: rate, ctx: ctx}
}

// Reader streams remain bytes of an archive from offset off, paced to rate bytes per second
// when rate > 0. WriteTo writes straight from the block, with no copy.
type Reader struct {
	block       []byte
	off, remain int64
	rate        int64
	ctx         context.Context
}

func (r *Reader) Read(p []byte) (int, error) {
	if r.remain <= 0 {
		return 0, io.EOF
	}
	i := r.off % BlockSize
	n := copy(p, r.block[i:min(int64(len(r.block)), i+r.remain)])
	r.off += int64(n)
	r.remain -= int64(n)
	return n, nil
}

func (r *Reader) WriteTo(w io.Writer) (int64, error) {
	var sent int64
	chunk := int64(BlockSize)
	if r.rate > 0 {
		chunk = max(min(chunk, r.rate/50), 512) // about 50 writes a second
	}
	start := time.Now()
	for r.remain > 0 {
		i := r.off % BlockSize
		n := min(BlockSize-i, r.remain, chunk)
		m, err := w.Write(r.block[i : i+n])
		sent += int64(m)
		r.off += int64(m)
		r.remain -= int64(m)
		if err != nil {
			return sent, err
		}
		if r.rate > 0 {
			due := start.Add(time.Duration(float64(sent) / float64(r.rate) * float64(time.Second)))
			if d := time.Until(due); d > 0 {
				t := time.NewTimer(d)
				select {
				case <-r.ctx.Done():
					t.Stop()
					return sent, r.ctx.Err()
				case <-t.C:
				}
			}
		}
	}
	return sent, nil
}

// cacheSize is the number of archive blocks (512 KiB each, so 4 MiB) an Cache keeps.
const cacheSize = 8

// Cache keeps the blocks of the archive versions served most recently, so that the bytes of
// one version are generated once however many downloads (or ranges of it) are served. Blocks are
// read-only once made, so downloads share them.
type Cache struct {
	made    atomic.Int64 // blocks generated, for the tests
	mu      sync.Mutex
	entries []*entry // most recently used first, at most cacheSize
}

type entry struct {
	backupID string
	gen      int
	once     sync.Once
	block    []byte
}

// Block returns the block of version gen of the archive of backupID, generating it on first use.
// Concurrent first uses wait for one generation, made outside the cache's lock.
func (c *Cache) Block(backupID string, gen int) []byte {
	c.mu.Lock()
	var e *entry
	i := slices.IndexFunc(c.entries, func(e *entry) bool { return e.backupID == backupID && e.gen == gen })
	if i >= 0 {
		e = c.entries[i]
	} else {
		e = &entry{backupID: backupID, gen: gen}
		if len(c.entries) < cacheSize {
			c.entries = append(c.entries, nil)
		}
		i = len(c.entries) - 1 // the least recently used goes
	}
	copy(c.entries[1:i+1], c.entries[:i])
	c.entries[0] = e
	c.mu.Unlock()
	e.once.Do(func() {
		c.made.Add(1)
		e.block = Block(backupID, gen)
	})
	return e.block
}

// Made returns the number of blocks the cache has generated.
func (c *Cache) Made() int64 { return c.made.Load() }

// hash is a stable 64-bit hash of s.
func hash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// Size is the deterministic size of a created backup once done: 256 KiB to about 4.25 MiB,
// derived from its ID.
func Size(id string) int64 {
	return 256<<10 + int64(hash(id)%(4<<20))
}
