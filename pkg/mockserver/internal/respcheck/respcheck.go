// Package respcheck validates the JSON answers of the mock against the spec on their way out,
// memoised: the mock's answers are very repetitive (the same list, byte for byte, until something
// changes), so an answer identical to one that already passed (same operation, status, headers and
// body) is not validated again. Answers that fail are reported every time. A list answer served
// from its cached body (respond.List) is validated (or found in the memo) once per body, when first
// served; after that a long list is not even hashed again.
package respcheck

import (
	"bytes"
	"hash/maphash"
	"net/http"
	"strconv"
	"sync"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/respond"
)

const memoLimit = 4096 // distinct valid answers remembered before the memo starts afresh

type validationMemo struct {
	seed maphash.Seed
	mu   sync.RWMutex
	ok   map[uint64]struct{}
}

func newValidationMemo() *validationMemo {
	return &validationMemo{seed: maphash.MakeSeed(), ok: map[uint64]struct{}{}}
}

// key hashes everything validation looks at. Header pairs are hashed one by one and summed, so their
// order does not matter; X-Request-Id, unique to each answer and undocumented, is left out. The parts
// are written to the hashes one by one rather than concatenated: no string is built per request.
func (m *validationMemo) key(method, path string, status int, h http.Header, body []byte) uint64 {
	var sum uint64
	var ph maphash.Hash
	ph.SetSeed(m.seed)
	for k, vs := range h {
		if k == "X-Request-Id" {
			continue
		}
		for _, v := range vs {
			ph.Reset()
			ph.WriteString(k)
			ph.WriteByte(0)
			ph.WriteString(v)
			sum += ph.Sum64()
		}
	}
	var hh maphash.Hash
	hh.SetSeed(m.seed)
	hh.WriteString(method)
	hh.WriteByte(' ')
	hh.WriteString(path)
	var st [8]byte
	hh.Write(strconv.AppendInt(st[:0], int64(status), 10))
	hh.Write(body)
	return hh.Sum64() ^ sum
}

func (m *validationMemo) seen(k uint64) bool {
	m.mu.RLock()
	_, ok := m.ok[k]
	m.mu.RUnlock()
	return ok
}

func (m *validationMemo) add(k uint64) {
	m.mu.Lock()
	if len(m.ok) >= memoLimit {
		clear(m.ok)
	}
	m.ok[k] = struct{}{}
	m.mu.Unlock()
}

// heldPool recycles heldWriters with their buffers: Middleware runs on every JSON answer, and a
// writer allocated per answer was garbage that the pooled buffer alone did not avoid.
var heldPool = sync.Pool{New: func() any { return new(heldWriter) }}

// heldWriter buffers an answer until the handler returns.
type heldWriter struct {
	w      http.ResponseWriter
	status int
	buf    bytes.Buffer
	cached *respond.List // set by an answer of a cached list body, validated once
}

// TagList records that the answer is written from a cached list body (respond.Tagger).
func (hw *heldWriter) TagList(l *respond.List) { hw.cached = l }

var _ respond.Tagger = (*heldWriter)(nil)

func (hw *heldWriter) Header() http.Header { return hw.w.Header() }

func (hw *heldWriter) WriteHeader(code int) {
	if hw.status == 0 && code >= 200 {
		hw.status = code
	}
}

func (hw *heldWriter) Write(p []byte) (int, error) {
	if hw.status == 0 {
		hw.status = http.StatusOK
	}
	return hw.buf.Write(p)
}

// Checker validates the JSON answers of the operations it wraps. It is safe for concurrent use.
type Checker struct {
	v           *conformance.Validator
	memo        *validationMemo // nil: every answer is validated
	onViolation func(error)
}

// New returns a Checker that validates with v and reports each answer that breaks the spec to
// onViolation (a *conformance.ViolationError). With memo false, every answer is validated in full.
func New(v *conformance.Validator, memo bool, onViolation func(error)) *Checker {
	c := &Checker{v: v, onViolation: onViolation}
	if memo {
		c.memo = newValidationMemo()
	}
	return c
}

// Middleware validates the JSON answers of next (memoised) and sends them unchanged.
func (c *Checker) Middleware(next http.Handler) http.Handler {
	v := c.v
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hw := heldPool.Get().(*heldWriter)
		hw.w, hw.status, hw.cached = w, 0, nil
		hw.buf.Reset()
		defer func() {
			hw.w, hw.cached = nil, nil // keep nothing of a finished request alive in the pool
			heldPool.Put(hw)
		}()
		next.ServeHTTP(hw, r)
		if hw.status == 0 {
			hw.status = http.StatusOK
		}
		h := w.Header()
		body := hw.buf.Bytes()
		if ct := h["Content-Type"]; (len(ct) == 0 || ct[0] == "") && len(body) > 0 {
			h.Set("Content-Type", http.DetectContentType(body))
		}
		switch {
		case c.memo == nil:
			if err := v.ValidateResponse(r, hw.status, h, body); err != nil {
				c.onViolation(err)
			}
		case hw.cached != nil && hw.cached.Valid.Load():
			// A cached list body, with the headers it always has: validated when first served.
		default:
			// A list re-encoded after a change that was undone (a create then its delete) is the
			// body the memo knows: it is hashed, not validated again.
			if k := c.memo.key(r.Method, r.URL.Path, hw.status, h, body); c.memo.seen(k) {
				if hw.cached != nil {
					hw.cached.Valid.Store(true)
				}
			} else if err := v.ValidateResponse(r, hw.status, h, body); err != nil {
				c.onViolation(err)
			} else {
				c.memo.add(k)
				if hw.cached != nil {
					hw.cached.Valid.Store(true)
				}
			}
		}
		w.WriteHeader(hw.status)
		if len(body) > 0 {
			_, _ = w.Write(body)
		}
	})
}
