// Package mutate is the catalogue of contract mutations: rewrites of the answers of one operation
// into a specific breach of the spec, or into an answer that keeps the spec but carries what it
// does not describe, so that a checker (the mock's own tests, the contract suite's drift tests and
// its drift discovery) can prove it notices. The mock applies them (mockserver.WithMutations); this package
// knows nothing of the mock, only of HTTP and of the generated types.
package mutate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Kind says what a mutation does to the contract.
type Kind string

// The kinds of mutation.
const (
	// Breach: the answer breaks the spec; a validator must reject it, the suite must fail.
	Breach Kind = "breach"
	// Addition: the answer keeps the spec (its objects are open) but carries a property, header
	// or nested object the spec does not describe; the suite passes and its drift discovery must
	// report it. Every added value is Sentinel or SentinelNumber, so that a test can prove no
	// value reaches a report.
	Addition Kind = "addition"
)

// The values an Addition plants, unique enough to grep for.
const (
	Sentinel       = "drift-sentinel-5f1c9a7e"
	SentinelNumber = 7368154093
)

// Mutation is a contract mutation: it rewrites the answers of one operation into a specific breach of
// the spec, or adds to them what the spec does not describe. Mutated answers are not validated by the
// mock; they never change its state.
type Mutation struct {
	Name        string // the name given to mockserver.WithMutations and to the mock's -mutate flag
	OperationID string // the operation whose answers it rewrites
	Description string // the breach or the addition, in a sentence
	Kind        Kind
	apply       func(w http.ResponseWriter, r *http.Request, next http.Handler)
}

// Apply serves r through next and writes the answer to w rewritten by the mutation. A Mutation
// built outside the catalogue (the zero value) passes the answer through unchanged.
func (m Mutation) Apply(w http.ResponseWriter, r *http.Request, next http.Handler) {
	if m.apply == nil {
		next.ServeHTTP(w, r)
		return
	}
	m.apply(w, r, next)
}

// Catalogue returns the contract mutations, breaches and additions, sorted by name.
func Catalogue() []Mutation {
	out := catalogue()
	slices.SortFunc(out, func(a, b Mutation) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Select returns the mutations named, keyed by the operation they rewrite. Blank names are
// skipped; an unknown name, or two mutations of one operation, is an error.
func Select(names []string) (map[string]*Mutation, error) {
	if len(names) == 0 {
		return nil, nil
	}
	all := map[string]Mutation{}
	for _, m := range catalogue() {
		all[m.Name] = m
	}
	byOp := map[string]*Mutation{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		m, ok := all[n]
		if !ok {
			return nil, fmt.Errorf("mockserver: unknown mutation %q (see mockserver.Mutations)", n)
		}
		if prev := byOp[m.OperationID]; prev != nil && prev.Name != n {
			return nil, fmt.Errorf("mockserver: mutations %q and %q both rewrite %s", prev.Name, n, m.OperationID)
		}
		byOp[m.OperationID] = &m
	}
	return byOp, nil
}

// captured is an answer held back so that a mutation can rewrite it.
type captured struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (c *captured) Header() http.Header { return c.header }
func (c *captured) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c.body.Write(p)
}
func (c *captured) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
}

func capture(w http.ResponseWriter, r *http.Request, next http.Handler) *captured {
	c := &captured{header: http.Header{}}
	next.ServeHTTP(c, r)
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c
}

// send writes a (rewritten) answer, keeping the X-Request-Id already set on w.
func (c *captured) send(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range c.header {
		h[k] = v
	}
	h.Set("Content-Length", strconv.Itoa(c.body.Len()))
	w.WriteHeader(c.status)
	_, _ = w.Write(c.body.Bytes())
}

// rewriteJSON applies f to the decoded body of answers with the given status (numbers kept as
// json.Number); f returns the new body.
func rewriteJSON(status int, f func(v any) any) func(http.ResponseWriter, *http.Request, http.Handler) {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		c := capture(w, r, next)
		if c.status == status {
			dec := json.NewDecoder(bytes.NewReader(c.body.Bytes()))
			dec.UseNumber()
			var v any
			if dec.Decode(&v) == nil {
				b, err := json.Marshal(f(v))
				if err == nil {
					c.body.Reset()
					c.body.Write(b)
				}
			}
		}
		c.send(w)
	}
}

// first returns the first element of the array at key of an object, or nil.
func first(v any, key string) map[string]any {
	m, _ := v.(map[string]any)
	arr, _ := m[key].([]any)
	if len(arr) == 0 {
		return nil
	}
	e, _ := arr[0].(map[string]any)
	return e
}

// setInFirst sets field of the first element of the array at key.
func setInFirst(key, field string, value any) func(v any) any {
	return func(v any) any {
		if e := first(v, key); e != nil {
			e[field] = value
		}
		return v
	}
}

// contentType sends the answer with another Content-Type.
func contentType(ct string) func(http.ResponseWriter, *http.Request, http.Handler) {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		c := capture(w, r, next)
		c.header.Set("Content-Type", ct)
		c.send(w)
	}
}
