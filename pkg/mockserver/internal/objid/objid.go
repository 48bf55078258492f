// Package objid hands out the IDs of what the mock creates: 24 hex digits, like the API's MongoDB
// ObjectIDs, unique across runs of the mock and ordered by the time they were made.
package objid

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"time"
)

// Generator hands out the IDs of the resources a mock server creates: 24 hex digits, like the API's MongoDB
// ObjectIDs, unique across runs of the mock and ordered by the time they were made, so that an ID
// kept from before a restart names nothing rather than another object. Its 12 bytes are:
//
//   - 4: the second the ID was made, big-endian, as in an ObjectID (tools that read an ObjectID's
//     time read this one);
//   - 4: the nanosecond within that second, which orders IDs made in the same second, across runs
//     too; within a run it is kept strictly increasing, one nanosecond further when the clock has
//     not moved or went back, so that it also serves as the counter of an ObjectID;
//   - 4: random, drawn once per Generator (per server), which keeps two runs apart even if the clock was
//     set back between them or two mocks run at once.
//
// The time is the real one (time.Now), not the Server's Clock: WithClock and -now restart from the
// same instant at each run. The zero Generator is ready to use; it is not safe for concurrent use (the store's mutex guards it).
type Generator struct {
	now    func() time.Time // nil: time.Now; tests set it
	last   int64            // Unix nanoseconds of the last ID
	random [4]byte
	seeded bool
}

// Next returns a new ID.
func (g *Generator) Next() string {
	if !g.seeded {
		_, _ = rand.Read(g.random[:]) // never fails (crypto/rand)
		g.seeded = true
	}
	now := time.Now
	if g.now != nil {
		now = g.now
	}
	t := max(now().UnixNano(), g.last+1)
	g.last = t
	var id [12]byte
	binary.BigEndian.PutUint32(id[0:4], uint32(t/1e9))
	binary.BigEndian.PutUint32(id[4:8], uint32(t%1e9))
	copy(id[8:], g.random[:])
	return hex.EncodeToString(id[:])
}
