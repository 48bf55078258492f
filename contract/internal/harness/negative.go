package harness

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// BodyCase is a request body that breaks one rule of an operation's request schema, built from
// the spec's example of that body: what the negative-data family sends.
type BodyCase struct {
	Rule    string // JSON, required, type, enum, pattern, minLength, maxLength, minimum, maximum, or an x- rule
	Pointer string // JSON pointer of the property whose rule is broken; "" for the whole body
	Body    []byte
}

// RuleJSON is the rule of the case whose body is not JSON at all: a Malformed refusal, where every
// other rule is a BreaksRule one.
const RuleJSON = "JSON"

// Name renders the case for a spec's name: "x-must-equal at /database_user/password_confirmation",
// or "a body that is not JSON".
func (c BodyCase) Name() string {
	if c.Rule == RuleJSON {
		return "a body that is not JSON"
	}
	return c.Rule + " at " + c.Pointer
}

// Refusal is how the API must refuse the case's body.
func (c BodyCase) Refusal() Refusal {
	if c.Rule == RuleJSON {
		return Malformed
	}
	return BreaksRule
}

// RequestExample returns the first example of op's JSON request body (the media type's example,
// else its examples in name order), and false when op has no JSON body or no example.
func RequestExample(op *openapi3.Operation) (any, *openapi3.Schema, bool) {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil, nil, false
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return nil, nil, false
	}
	if mt.Example != nil {
		return mt.Example, mt.Schema.Value, true
	}
	names := make([]string, 0, len(mt.Examples))
	for n, e := range mt.Examples {
		if e != nil && e.Value != nil {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	if len(names) == 0 {
		return nil, nil, false
	}
	return mt.Examples[names[0]].Value.Value, mt.Schema.Value, true
}

// NegativeBodies returns, for an operation with a JSON request body and its example, a body that
// is not JSON (the example cut after its first key, RuleJSON), then one BodyCase per rule of op's
// request schema that the example exercises: for each property the example holds, its
// requiredness, type, enum, pattern, length and bounds, and x-must-equal. The cases are ordered
// by pointer, then rule.
func NegativeBodies(op *openapi3.Operation) ([]BodyCase, error) {
	example, schema, ok := RequestExample(op)
	if !ok {
		return nil, nil
	}
	// The example cut after its first key: JSON that never ends.
	cut, err := json.Marshal(example)
	if err != nil {
		return nil, err
	}
	if i := bytes.IndexByte(cut, ':'); i > 0 {
		cut = cut[:i]
	} else {
		cut = append([]byte("{"), cut...) // a scalar example: no object ends it
	}
	cases := []BodyCase{{Rule: RuleJSON, Body: cut}}
	walkRules(schema, example, "", func(rule, ptr string, broken func(any) any) {
		body, err := json.Marshal(broken(deepCopy(example)))
		if err == nil {
			cases = append(cases, BodyCase{Rule: rule, Pointer: ptr, Body: body})
		}
	})
	slices.SortStableFunc(cases, func(a, b BodyCase) int { return strings.Compare(a.Pointer, b.Pointer) })
	return cases, nil
}

// walkRules calls emit for every rule of schema that value exercises at ptr; broken turns a copy
// of the whole example into the body that breaks that rule only.
func walkRules(s *openapi3.Schema, value any, ptr string, emit func(rule, ptr string, broken func(any) any)) {
	if s == nil {
		return
	}
	parent := emit
	for _, sub := range s.AllOf {
		if sub != nil {
			walkRules(sub.Value, value, ptr, emit)
		}
	}
	for _, alts := range [][]*openapi3.SchemaRef{s.OneOf, s.AnyOf} {
		for _, sub := range alts {
			// The branch the example takes.
			if sub != nil && sub.Value != nil && sub.Value.VisitJSON(value) == nil {
				walkRules(sub.Value, value, ptr, emit)
				break
			}
		}
	}
	obj, isObj := value.(map[string]any)
	if isObj {
		partners := mustEqualPartners(s, obj)
		for _, name := range slices.Sorted(maps.Keys(obj)) {
			p := ptr + "/" + name
			emit := emit
			if other, ok := partners[name]; ok {
				// A property that must equal another moves with it, so that a case breaks
				// one rule, not x-must-equal too.
				emit = func(rule, at string, broken func(any) any) {
					if rule == "x-must-equal" || at != p {
						parent(rule, at, broken)
						return
					}
					parent(rule, at, func(root any) any {
						root = broken(root)
						v, ok := get(root, p)
						return set(root, ptr+"/"+other, v, !ok)
					})
				}
			}
			if slices.Contains(s.Required, name) {
				emit("required", p, func(root any) any { return set(root, p, nil, true) })
			}
			prop := s.Properties[name]
			if prop == nil || prop.Value == nil {
				continue
			}
			if other, ok := prop.Value.Extensions["x-must-equal"].(string); ok {
				if v, ok := obj[other].(string); ok {
					emit("x-must-equal", p, func(root any) any { return set(root, p, v+"-differs", false) })
				}
			}
			if ptr != "" || !isEnvelope(s) {
				emitType(prop.Value, obj[name], p, emit)
			}
			walkRules(prop.Value, obj[name], p, emit)
		}
		return
	}
	if ptr == "" {
		return
	}
	emitScalar(s, value, ptr, emit)
}

// mustEqualPartners maps each property of obj that carries x-must-equal, and the property it
// names, to the other, when obj holds both.
func mustEqualPartners(s *openapi3.Schema, obj map[string]any) map[string]string {
	out := map[string]string{}
	for name, prop := range s.Properties {
		if prop == nil || prop.Value == nil {
			continue
		}
		other, ok := prop.Value.Extensions["x-must-equal"].(string)
		_, has1 := obj[name]
		_, has2 := obj[other]
		if ok && has1 && has2 {
			out[name], out[other] = other, name
		}
	}
	return out
}

// isEnvelope reports whether s is an envelope: an object of one required object property.
func isEnvelope(s *openapi3.Schema) bool {
	return len(s.Properties) == 1 && len(s.Required) == 1
}

// emitType emits the type rule of the property at ptr: a value of another JSON type.
func emitType(s *openapi3.Schema, value any, ptr string, emit func(string, string, func(any) any)) {
	var wrong any
	switch value.(type) {
	case string:
		wrong = 12345
	case float64, int, int64:
		wrong = "12345"
	case bool:
		wrong = "yes"
	case map[string]any:
		wrong = "an object"
	case []any:
		wrong = map[string]any{}
	default:
		return
	}
	if s.VisitJSON(jsonValue(wrong)) == nil {
		return // the schema takes both types
	}
	emit("type", ptr, func(root any) any { return set(root, ptr, wrong, false) })
}

// emitScalar emits the enum, pattern, length and bound rules of the scalar at ptr.
func emitScalar(s *openapi3.Schema, value any, ptr string, emit func(string, string, func(any) any)) {
	str, isStr := value.(string)
	num, isNum := value.(float64)
	add := func(rule string, v any) {
		if s.VisitJSON(jsonValue(v)) != nil {
			emit(rule, ptr, func(root any) any { return set(root, ptr, v, false) })
		}
	}
	if isStr {
		if len(s.Enum) > 0 {
			add("enum", "contract-not-in-enum")
		}
		if s.Pattern != "" {
			if re, err := regexp.Compile(s.Pattern); err == nil && !re.MatchString(str+" !") {
				add("pattern", str+" !")
			}
		}
		if s.MinLength > 0 && len(str) >= int(s.MinLength) {
			add("minLength", str[:s.MinLength-1])
		}
		if s.MaxLength != nil && len(str) > 0 {
			add("maxLength", str+strings.Repeat(str[len(str)-1:], int(*s.MaxLength)+1-len(str)))
		}
	}
	if isNum {
		if s.Min != nil {
			add("minimum", *s.Min-1)
		}
		if s.Max != nil {
			add("maximum", *s.Max+1)
		}
	}
	_ = num
}

// jsonValue round-trips v through JSON, so that VisitJSON sees what a server would decode.
func jsonValue(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

func deepCopy(v any) any { return jsonValue(v) }

// get returns the value at ptr in root.
func get(root any, ptr string) (any, bool) {
	cur := root
	for _, t := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[t]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// set puts v at ptr in root (removes the key when del) and returns root.
func set(root any, ptr string, v any, del bool) any {
	toks := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	cur := root
	for i, t := range toks {
		last := i == len(toks)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				if del {
					delete(c, t)
				} else {
					c[t] = v
				}
				return root
			}
			cur = c[t]
		case []any:
			n, err := strconv.Atoi(t)
			if err != nil || n >= len(c) {
				panic(fmt.Sprintf("harness: no %s in the example", ptr))
			}
			if last {
				c[n] = v
				return root
			}
			cur = c[n]
		}
	}
	return root
}
