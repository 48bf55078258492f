// Package specrules reads from the embedded spec the rules the mock enforces beyond what request
// validation checks: the x-must-equal pairs of fields, the features each engine takes (x-engines of
// FeatureName), and which operations take a request body. Each rule lives in openapi.yaml alone.
package specrules

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/scalingodb/dbapi-go/gen/dbapispec"
)

// The spec states rules that JSON Schema cannot as x- extensions; the mock enforces them from the
// spec, so the rule lives in one place. `x-must-equal: password` on a property says that the
// property and its sibling `password` are given together and hold the same value.

// mustEqual is one x-must-equal rule of a request body.
type mustEqual struct {
	parent []string // keys from the body's root to the object that holds both fields
	field  string   // the property that carries the extension
	other  string   // the sibling it must equal
}

// mustEqualRules maps each operation ID to the x-must-equal rules of its JSON request body.
var mustEqualRules = sync.OnceValues(func() (map[string][]mustEqual, error) {
	doc, err := dbapispec.GetSpec()
	if err != nil {
		return nil, err
	}
	return specMustEqual(doc), nil
})

// specMustEqual collects the x-must-equal rules of every operation of doc.
func specMustEqual(doc *openapi3.T) map[string][]mustEqual {
	out := map[string][]mustEqual{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			mt := op.RequestBody.Value.Content.Get("application/json")
			if mt == nil || mt.Schema == nil {
				continue
			}
			var rules []mustEqual
			collectMustEqual(mt.Schema.Value, nil, map[*openapi3.Schema]bool{}, &rules)
			if len(rules) > 0 {
				out[op.OperationID] = rules
			}
		}
	}
	return out
}

func collectMustEqual(s *openapi3.Schema, parent []string, seen map[*openapi3.Schema]bool, rules *[]mustEqual) {
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	defer delete(seen, s)
	for _, sub := range s.AllOf {
		collectMustEqual(sub.Value, parent, seen, rules)
	}
	for name, p := range s.Properties {
		if p.Value == nil {
			continue
		}
		if other, ok := p.Value.Extensions["x-must-equal"].(string); ok {
			*rules = append(*rules, mustEqual{parent: slices.Clone(parent), field: name, other: other})
		}
		collectMustEqual(p.Value, append(slices.Clone(parent), name), seen, rules)
	}
}

// MustEqual returns the 422 field errors (field, message pairs) of the x-must-equal rules of
// operation id that body breaks. body is the decoded request body of that operation.
func MustEqual(id string, body any) []string {
	all, err := mustEqualRules()
	if err != nil || len(all[id]) == 0 {
		return nil
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	var errs []string
	for _, r := range all[id] {
		obj, _ := v.(map[string]any)
		for _, k := range r.parent {
			obj, _ = obj[k].(map[string]any)
		}
		a, b := obj[r.field], obj[r.other]
		if a == nil && b == nil {
			continue
		}
		if a == nil || b == nil || !jsonEqual(a, b) {
			errs = append(errs, r.field, "doesn't match "+r.other)
		}
	}
	return errs
}

func jsonEqual(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

// featureEngines maps each feature to the engines (type names) that take it, "all" for every
// engine: the x-engines of the spec's FeatureName, so that the rule lives in one place.
var featureEngines = sync.OnceValues(func() (map[string][]string, error) {
	doc, err := dbapispec.GetSpec()
	if err != nil {
		return nil, err
	}
	ref := doc.Components.Schemas["FeatureName"]
	if ref == nil || ref.Value == nil {
		return nil, errors.New("specrules: the spec has no FeatureName schema")
	}
	raw, ok := ref.Value.Extensions["x-engines"].(map[string]any)
	if !ok {
		return nil, errors.New("specrules: FeatureName has no x-engines map")
	}
	out := make(map[string][]string, len(raw))
	for name, v := range raw {
		list, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("specrules: x-engines of %s is not a list", name)
		}
		for _, e := range list {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("specrules: x-engines of %s holds %v, not a name", name, e)
			}
			out[name] = append(out[name], s)
		}
	}
	return out, nil
})

// KnownFeature tells whether a feature exists for an engine, as x-engines of FeatureName says.
func KnownFeature(typeName, name string) bool {
	m, err := featureEngines()
	if err != nil {
		return false // the embedded spec is checked by the mock's tests
	}
	engines := m[name]
	return slices.Contains(engines, "all") || slices.Contains(engines, typeName)
}

// TakesBody tells which operations of the spec take a request body, by operationId. It is computed once:
// decoding the embedded spec costs milliseconds. The map is never written after.
var TakesBody = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	doc, err := dbapispec.GetSpec()
	if err != nil {
		return m
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			m[op.OperationID] = op.RequestBody != nil
		}
	}
	return m
})
