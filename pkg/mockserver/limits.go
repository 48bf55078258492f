package mockserver

import (
	"fmt"
	"net/http"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/limits"
)

// MaxBodyBytes is the largest request body a Server accepts: 1 MiB. A larger one, sent to an
// operation that takes a body, is answered 413 with the spec's Error body before anything else looks
// at the request (authentication, validation, the operation), and the Server reads no more than
// MaxBodyBytes+1 bytes of it; a Content-Length above the cap is refused without reading the body at
// all. The connection is then closed. The body of a request to an operation that takes none is not
// read: the operation answers as if it had none.
const MaxBodyBytes = limits.MaxBodyBytes

// Timeouts bounds how long a Server waits on a client. A zero field takes its default; a negative
// one is an error.
//
// Read and Write are enforced by the Server's handler, through http.ResponseController, whatever
// http.Server runs it. ReadHeader and Idle are settings of the http.Server: HTTPServer and Start
// apply them.
type Timeouts struct {
	// ReadHeader bounds the reading of a request's line and header (default 10s).
	ReadHeader time.Duration
	// Read bounds the reading of a request's body, counted from when the handler starts (default
	// 30s). A body that trickles in slower is cut: the connection is closed with no answer. It does
	// not bound the answer, unlike http.Server.ReadTimeout, whose deadline also ends long downloads.
	Read time.Duration
	// Write bounds each write of an answer to the network (default 30s), not the whole answer: a
	// download slowed by WithBandwidthLimit may last much longer, as long as the client keeps reading.
	// A client that stops reading for longer loses the connection.
	Write time.Duration
	// Idle bounds how long a keep-alive connection may wait for its next request (default 60s).
	Idle time.Duration
}

// Default time limits (see Timeouts).
const (
	defaultReadHeaderTimeout = 10 * time.Second
	defaultReadTimeout       = 30 * time.Second
	defaultWriteTimeout      = 30 * time.Second
	defaultIdleTimeout       = 60 * time.Second
)

// WithTimeouts sets the time limits of the Server (see Timeouts for the defaults).
func WithTimeouts(t Timeouts) Option {
	return func(c *config) {
		if t.ReadHeader < 0 || t.Read < 0 || t.Write < 0 || t.Idle < 0 {
			c.errs = append(c.errs, fmt.Errorf("mockserver: WithTimeouts: negative duration in %+v", t))
			return
		}
		set := func(dst *time.Duration, v time.Duration) {
			if v > 0 {
				*dst = v
			}
		}
		set(&c.timeouts.ReadHeader, t.ReadHeader)
		set(&c.timeouts.Read, t.Read)
		set(&c.timeouts.Write, t.Write)
		set(&c.timeouts.Idle, t.Idle)
	}
}

func defaultTimeouts() Timeouts {
	return Timeouts{ReadHeader: defaultReadHeaderTimeout, Read: defaultReadTimeout, Write: defaultWriteTimeout, Idle: defaultIdleTimeout}
}

// HTTPServer returns an http.Server that serves s.Handler() with the header and idle time limits
// of WithTimeouts. Its Addr is empty: call Serve with a listener, or set Addr first.
func (s *Server) HTTPServer() *http.Server {
	hs := &http.Server{Handler: s.handler}
	s.configure(hs)
	return hs
}

// configure applies the Server's connection time limits to hs.
func (s *Server) configure(hs *http.Server) {
	hs.ReadHeaderTimeout = s.cfg.timeouts.ReadHeader
	hs.IdleTimeout = s.cfg.timeouts.Idle
}
