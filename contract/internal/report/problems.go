package report

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
)

// maxProblemSpecs bounds the specs a problem names; the rest are counted.
const maxProblemSpecs = 8

// Problem is one distinct problem of a run: the violations met on one (operation, status, kind,
// pointer), however many specs met them.
type Problem struct {
	ID                        string // the HTML anchor: problem-1, problem-2…
	OperationID, Method, Path string // of its first violation
	Status                    int
	Kind, Pointer             string
	Expected, Got             string // of its first violation
	Count                     int    // its violations
	Specs                     []string
	MoreSpecs                 int               // specs met it beyond Specs
	Exchange                  *harness.Exchange // of the first violation that has one
}

// Problems groups the violations by (operation, status, kind, pointer), the most frequent first
// (then by operation, status and pointer), each with the specs that met it.
func (r Run) Problems() []Problem {
	type key struct {
		op     string
		status int
		kind   string
		ptr    string
	}
	index := map[key]int{}
	var out []Problem
	specs := []map[string]bool{}
	for _, v := range r.Violations {
		k := key{v.OperationID, v.Status, v.Kind, v.Pointer}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, Problem{OperationID: v.OperationID, Method: v.Method, Path: v.Path, Status: v.Status,
				Kind: v.Kind, Pointer: v.Pointer, Expected: v.Expected, Got: v.Got})
			specs = append(specs, map[string]bool{})
		}
		p := &out[i]
		p.Count++
		if p.Exchange == nil {
			p.Exchange = v.Exchange
		}
		if !specs[i][v.Spec] {
			specs[i][v.Spec] = true
			if len(p.Specs) < maxProblemSpecs {
				p.Specs = append(p.Specs, v.Spec)
			} else {
				p.MoreSpecs++
			}
		}
	}
	sort.SliceStable(out, func(a, b int) bool {
		x, y := out[a], out[b]
		if x.Count != y.Count {
			return x.Count > y.Count
		}
		if x.OperationID != y.OperationID {
			return x.OperationID < y.OperationID
		}
		if x.Status != y.Status {
			return x.Status < y.Status
		}
		return x.Kind+x.Pointer < y.Kind+y.Pointer
	})
	for i := range out {
		out[i].ID = "problem-" + strconv.Itoa(i+1)
	}
	return out
}

// Curl returns a curl command that sends the request of the exchange again, with the token as
// the environment variable it came from ($DB_BEARER_TOKEN), never its value; "" without an
// exchange.
func (p Problem) Curl() string {
	x := p.Exchange
	if x == nil || x.URL == "" {
		return ""
	}
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	parts := []string{"curl -sS -i"}
	if x.Method != "" && x.Method != "GET" {
		parts = append(parts, "-X "+x.Method)
	}
	if x.Token != "" {
		name := x.Token
		if !isEnvName(name) {
			name = "TOKEN"
		}
		parts = append(parts, `-H "Authorization: Bearer $`+name+`"`)
	}
	for _, h := range x.RequestHeader {
		parts = append(parts, "-H "+q(h.Name+": "+h.Value))
	}
	if x.RequestBody != "" {
		parts = append(parts, "--data-raw "+q(x.RequestBody))
	}
	parts = append(parts, q(x.URL))
	return strings.Join(parts, " \\\n  ")
}

func isEnvName(s string) bool {
	for i, c := range s {
		if !(c == '_' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

// Heading is the problem on one line: operation, status, kind and pointer.
func (p Problem) Heading() string {
	var b strings.Builder
	b.WriteString(p.OperationID)
	if p.OperationID == "" {
		b.WriteString(p.Method + " " + p.Path)
	}
	if p.Status != 0 {
		fmt.Fprintf(&b, " → %d", p.Status)
	}
	fmt.Fprintf(&b, ": %s", p.Kind)
	if p.Pointer != "" {
		fmt.Fprintf(&b, " at %s", p.Pointer)
	}
	return b.String()
}
