package mockserver

import (
	"fmt"
	"net/http"

	"github.com/scalingodb/dbapi-go/pkg/mockserver/faults"
)

// Faults describes the failures a Server injects, by WithFaults (see faults.Config).
type Faults = faults.Config

// FaultRecord is one injected fault in the Server's FaultLog (see faults.Record).
type FaultRecord = faults.Record

// FaultKind names a kind of injected fault in a FaultRecord (see faults.Kind).
type FaultKind = faults.Kind

// The kinds of fault a Server injects (see Faults).
const (
	FaultError         = faults.Error
	FaultRateLimit     = faults.RateLimit
	FaultReset         = faults.Reset
	FaultArchiveChange = faults.ArchiveChange
)

// FaultLogSize is the number of records the fault log keeps: Server.FaultLog returns the most
// recent FaultLogSize faults, and Server.FaultCounts counts them all.
const FaultLogSize = faults.LogSize

// FaultCount is how many faults of one kind a Server injected on one operation since it started
// (see faults.Count).
type FaultCount = faults.Count

// WithFaults makes the Server inject faults (default: none). Invalid rates make New fail.
func WithFaults(f Faults) Option {
	return func(c *config) {
		if err := f.Validate(); err != nil {
			c.errs = append(c.errs, fmt.Errorf("mockserver: WithFaults: %w", err))
			return
		}
		c.faults = f
	}
}

// FaultLog returns the journal of injected faults, oldest first: the FaultLogSize most recent
// (FaultCounts counts them all). For a write answered 5xx, Applied tells whether the operation took
// effect before the fault.
func (s *Server) FaultLog() []FaultRecord {
	if s.faults == nil {
		return nil
	}
	return s.faults.Records()
}

// FaultCounts returns the count of every kind of fault injected on every operation since the
// Server started, sorted by operation then kind: unlike FaultLog, it forgets nothing.
func (s *Server) FaultCounts() []FaultCount {
	if s.faults == nil {
		return nil
	}
	return s.faults.Counts()
}

// changeArchiveOf changes the archive a download request names (faults.Injector.ChangeArchives).
func (s *Server) changeArchiveOf(r *http.Request) { s.changeArchive(r.PathValue("backup_id")) }
