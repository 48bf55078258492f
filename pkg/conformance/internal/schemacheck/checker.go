package schemacheck

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/getkin/kin-openapi/openapi3"
)

// A Checker answers "is this decoded JSON value valid against its schema?" with the verdict of
// kin-openapi's OpenAPI 3.0 validator (given this package's format validators), without building any
// error. It is compiled once per schema by a Compiler and is the fast path of every validation: most traffic
// is valid, and only when a Checker says no does the validator run kin-openapi again to build the
// error tree it reports. Keywords a Checker does not implement are delegated to kin-openapi for that
// subschema, so the verdict never depends on a keyword being forgotten. TestChecker_AgreesWithKinOpenAPI (package conformance) compares the
// verdicts with kin-openapi's on valid and broken documents.
type Checker struct {
	// Schema is the schema the checker was compiled from; Items, Props, Addl and the branches
	// are the checkers of its subschemas (nil or empty where it has none), as the generated type
	// nests them.
	Schema   *openapi3.Schema
	delegate bool // let kin-openapi judge this subschema
	opts     []openapi3.SchemaValidationOption

	empty    bool // the schema has no constraint: any non-null value passes
	nullable bool
	types    *openapi3.Types // nil permits every type
	enum     map[string]bool // string enums only

	minLen  uint64
	maxLen  *uint64
	pattern *regexp.Regexp
	strFmt  openapi3.StringFormatValidator
	intFmt  openapi3.IntegerFormatValidator
	numFmt  openapi3.NumberFormatValidator
	min     *float64
	max     *float64
	intBits int // for an integer-only schema: the bits of the Go integer it decodes into, else 0

	minItems uint64
	maxItems *uint64
	Items    *Checker

	Props         map[string]*Checker
	lowerProps    map[string]string // lower-cased name to name, when the names are ASCII and distinct so
	required      []string
	Addl          *Checker
	addlForbidden bool
	addlAny       bool // additionalProperties: true, kept by the generated type as interface{} values
	minProps      uint64
	maxProps      *uint64

	AllOf []*Checker
	OneOf []*Checker
	AnyOf []*Checker // for Strict only: a schema with anyOf is delegated

	// What the generated type decodes, for Strict. A delegated Checker has its
	// properties, items and branches compiled too, for the same reason.
	goAny      bool // x-go-type interface{}: the value decodes into interface{} whatever the schema
	decodedFmt bool // a format the generated type parses itself (decodedFormats)
	cycle      bool // the schema reaches itself through allOf, oneOf or anyOf
}

// Compiler builds checkers, sharing one per schema (schemas may be recursive).
type Compiler struct {
	done    map[*openapi3.Schema]*Checker
	anyJSON map[*openapi3.Schema]bool // the untyped schemas made nullable by NullUntyped
	formats Formats
	opts    []openapi3.SchemaValidationOption // fail-fast options for delegated subschemas
}

// NewCompiler returns a Compiler whose checkers judge formats with f and give delegated subschemas
// to kin-openapi with opts (fail-fast options: only the verdict is used). anyJSON holds the untyped
// schemas that NullUntyped made nullable (nil when it was not called).
func NewCompiler(f Formats, anyJSON map[*openapi3.Schema]bool, opts []openapi3.SchemaValidationOption) *Compiler {
	return &Compiler{done: map[*openapi3.Schema]*Checker{}, anyJSON: anyJSON, formats: f, opts: opts}
}

// Compile returns the Checker of s, compiling it and its subschemas once.
func (cp *Compiler) Compile(s *openapi3.Schema) *Checker {
	if c, ok := cp.done[s]; ok {
		return c
	}
	c := &Checker{Schema: s, opts: cp.opts}
	cp.done[s] = c
	if s.Type != nil && s.Type.Includes(openapi3.TypeInteger) && !s.Type.Includes(openapi3.TypeNumber) {
		// Set even when the schema is delegated: kin-openapi cannot see an integer's text.
		// oapi-codegen: int32 → int32, int64 → int64, no format → int.
		switch s.Format {
		case "int32":
			c.intBits = 32
		case "int64":
			c.intBits = 64
		default:
			c.intBits = strconv.IntSize
		}
	}
	if s.Type != nil && len(*s.Type) > 0 {
		c.types = s.Type
	}
	c.decodedFmt = decodedFormats[s.Format]
	switch s.Extensions["x-go-type"] {
	case "interface{}", "any":
		c.goAny = true
	}
	c.cycle = sameValueCycle(s, nil)
	if !cp.shape(c, s) || !supported(s) || c.cycle {
		c.delegate = true
		return c
	}
	c.empty = s.IsEmpty() || cp.anyJSON[s]
	c.nullable = s.Nullable || s.Type.IncludesNull()
	if len(s.Enum) > 0 {
		c.enum = map[string]bool{}
		for _, e := range s.Enum {
			str, ok := e.(string)
			if !ok {
				c.delegate = true
				return c
			}
			c.enum[str] = true
		}
	}
	c.minLen, c.maxLen = s.MinLength, s.MaxLength
	if s.Pattern != "" {
		if strings.Contains(s.Pattern, `\u`) || strings.Contains(s.Pattern, `\x`) {
			c.delegate = true // kin-openapi rewrites code points: leave such patterns to it
			return c
		}
		re, err := regexp.Compile(s.Pattern)
		if err != nil {
			c.delegate = true
			return c
		}
		c.pattern = re
	}
	if f := s.Format; f != "" {
		c.strFmt = cp.formats.Strings[f]
		if c.strFmt == nil {
			c.strFmt = openapi3.SchemaStringFormats[f]
		}
		c.intFmt = cp.formats.Integers[f]
		if c.intFmt == nil {
			c.intFmt = openapi3.SchemaIntegerFormats[f]
		}
		c.numFmt = openapi3.SchemaNumberFormats[f]
	}
	c.min, c.max = s.Min, s.Max
	c.minItems, c.maxItems = s.MinItems, s.MaxItems
	c.required = s.Required
	c.minProps, c.maxProps = s.MinProps, s.MaxProps
	return c
}

// shape compiles the subschemas of s into c: properties, items, additional properties and
// branches. It reports false when one of them is unresolved.
func (cp *Compiler) shape(c *Checker, s *openapi3.Schema) bool {
	ok := true
	sub := func(ref *openapi3.SchemaRef) *Checker {
		if ref == nil || ref.Value == nil {
			ok = false
			return nil
		}
		return cp.Compile(ref.Value)
	}
	if s.Items != nil {
		c.Items = sub(s.Items)
	}
	if len(s.Properties) > 0 {
		c.Props = make(map[string]*Checker, len(s.Properties))
		c.lowerProps = map[string]string{}
		for name, ref := range s.Properties {
			if p := sub(ref); p != nil {
				c.Props[name] = p
			}
			lower := strings.ToLower(name)
			if _, dup := c.lowerProps[lower]; dup || !isASCII(name) {
				c.lowerProps = nil
			}
			if c.lowerProps != nil {
				c.lowerProps[lower] = name
			}
		}
	}
	if ref := s.AdditionalProperties.Schema; ref != nil {
		c.Addl = sub(ref)
	}
	if has := s.AdditionalProperties.Has; has != nil {
		c.addlForbidden = !*has
		c.addlAny = *has
	}
	if len(s.Properties) == 0 && s.AdditionalProperties.Schema == nil && s.AdditionalProperties.Has == nil &&
		len(s.AllOf)+len(s.OneOf)+len(s.AnyOf) == 0 {
		c.addlAny = true // an object without properties: oapi-codegen makes it a map[string]interface{}
	}
	for _, refs := range []struct {
		in  openapi3.SchemaRefs
		out *[]*Checker
	}{{s.AllOf, &c.AllOf}, {s.OneOf, &c.OneOf}, {s.AnyOf, &c.AnyOf}} {
		for _, ref := range refs.in {
			if b := sub(ref); b != nil {
				*refs.out = append(*refs.out, b)
			}
		}
	}
	return ok
}

// supported reports whether every validation keyword of s is one a Checker implements.
func supported(s *openapi3.Schema) bool {
	return len(s.AnyOf) == 0 && s.Not == nil && s.Discriminator == nil && !s.UniqueItems &&
		!s.ExclusiveMin.IsSet() && !s.ExclusiveMax.IsSet() && s.MultipleOf == nil &&
		!s.ReadOnly && !s.WriteOnly && s.Always == nil && s.Const == nil &&
		len(s.PrefixItems) == 0 && s.Contains == nil && s.MinContains == nil && s.MaxContains == nil &&
		len(s.PatternProperties) == 0 && len(s.DependentSchemas) == 0 && s.PropertyNames == nil &&
		s.UnevaluatedItems.Schema == nil && s.UnevaluatedItems.Has == nil &&
		s.UnevaluatedProperties.Schema == nil && s.UnevaluatedProperties.Has == nil &&
		s.If == nil && s.Then == nil && s.Else == nil && len(s.DependentRequired) == 0 &&
		s.DynamicRef == "" && s.ContentSchema == nil
}

// sameValueCycle reports whether s reaches itself through allOf, oneOf or anyOf alone, that is while
// validating the same value; kin-openapi cuts such cycles, a Checker would loop.
func sameValueCycle(s *openapi3.Schema, stack []*openapi3.Schema) bool {
	for _, x := range stack {
		if x == s {
			return true
		}
	}
	stack = append(stack, s)
	for _, refs := range [3]openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		for _, ref := range refs {
			if ref != nil && ref.Value != nil && sameValueCycle(ref.Value, stack) {
				return true
			}
		}
	}
	return false
}

func (c *Checker) permits(typ string) bool { return c.types == nil || c.types.Includes(typ) }

// ok reports whether value, as decoded by encoding/json into any, is valid.
func (c *Checker) OK(value any) bool {
	if c.delegate {
		return c.Schema.VisitJSON(value, c.opts...) == nil
	}
	if value == nil {
		if c.nullable {
			return true
		}
		if len(c.AllOf) > 0 || len(c.OneOf) > 0 {
			return c.Schema.VisitJSON(value, c.opts...) == nil
		}
		return false
	}
	if c.empty {
		return true
	}
	for _, a := range c.AllOf {
		if !a.OK(value) {
			return false
		}
	}
	if len(c.OneOf) > 0 && !c.oneOfOK(value) {
		return false
	}
	if c.enum != nil {
		s, isString := value.(string)
		if !isString || !c.enum[s] {
			return false
		}
	}
	switch x := value.(type) {
	case bool:
		return c.permits(openapi3.TypeBoolean)
	case float64:
		return c.number(x)
	case string:
		return c.str(x)
	case []any:
		return c.array(x)
	case map[string]any:
		return c.object(x)
	}
	return c.Schema.VisitJSON(value, c.opts...) == nil
}

// okString is ok(s) without boxing s into an interface: path parameters are checked on every
// request.
func (c *Checker) OKString(s string) bool {
	switch {
	case c.delegate || len(c.AllOf) > 0 || len(c.OneOf) > 0:
		return c.OK(s)
	case c.empty:
		return true
	case c.enum != nil && !c.enum[s]:
		return false
	}
	return c.str(s)
}

func (c *Checker) oneOfOK(value any) bool {
	n := 0
	for _, b := range c.OneOf {
		if Plausible(b.Schema, value) && b.OK(value) {
			n++
		}
	}
	return n == 1
}

func (c *Checker) number(x float64) bool {
	requireInteger := c.permits(openapi3.TypeInteger) && !c.permits(openapi3.TypeNumber)
	if requireInteger {
		if math.IsInf(x, 0) || math.IsNaN(x) || x != math.Trunc(x) {
			return false
		}
		if c.intFmt != nil {
			switch {
			case x == float64(math.MaxInt64):
				if c.intFmt.Validate(math.MaxInt64) != nil {
					return false
				}
			case x >= float64(math.MinInt64) && x < float64(math.MaxInt64):
				if c.intFmt.Validate(int64(x)) != nil {
					return false
				}
			default:
				return false
			}
		}
	} else {
		if !c.permits(openapi3.TypeInteger) && !c.permits(openapi3.TypeNumber) {
			return false
		}
		if c.numFmt != nil && c.numFmt.Validate(x) != nil {
			return false
		}
	}
	if c.min != nil && !(*c.min <= x) {
		return false
	}
	if c.max != nil && !(*c.max >= x) {
		return false
	}
	return true
}

func (c *Checker) str(s string) bool {
	if !c.permits(openapi3.TypeString) {
		return false
	}
	if c.minLen != 0 || c.maxLen != nil {
		var n uint64
		for _, r := range s {
			if utf16.IsSurrogate(r) {
				n += 2
			} else {
				n++
			}
		}
		if n < c.minLen || (c.maxLen != nil && n > *c.maxLen) {
			return false
		}
	}
	if c.pattern != nil && !c.pattern.MatchString(s) {
		return false
	}
	if c.strFmt != nil && c.strFmt.Validate(s) != nil {
		return false
	}
	return true
}

func (c *Checker) array(a []any) bool {
	if !c.permits(openapi3.TypeArray) {
		return false
	}
	n := uint64(len(a))
	if n < c.minItems || (c.maxItems != nil && n > *c.maxItems) {
		return false
	}
	if c.Items != nil {
		for _, item := range a {
			if !c.Items.OK(item) {
				return false
			}
		}
	}
	return true
}

func (c *Checker) object(m map[string]any) bool {
	if !c.permits(openapi3.TypeObject) {
		return false
	}
	n := uint64(len(m))
	if n < c.minProps || (c.maxProps != nil && n > *c.maxProps) {
		return false
	}
	for k, v := range m {
		if p, ok := c.Props[k]; ok {
			if !p.OK(v) {
				return false
			}
			continue
		}
		if c.addlForbidden {
			return false
		}
		if c.Addl != nil && !c.Addl.OK(v) {
			return false
		}
	}
	for _, k := range c.required {
		if _, ok := m[k]; !ok {
			return false
		}
	}
	return true
}

// Plausible reports whether value could match s, judging only by JSON type and required properties.
// A false answer is certain; a true one is a guess.
func Plausible(s *openapi3.Schema, value any) bool {
	if s.Type != nil && len(*s.Type) > 0 && !s.Type.Permits(jsonType(value)) {
		if !(jsonType(value) == "integer" && s.Type.Is("number")) {
			return false
		}
	}
	if m, ok := value.(map[string]any); ok {
		for _, k := range s.Required {
			if _, ok := m[k]; !ok {
				return false
			}
		}
	}
	return true
}

func jsonType(value any) string {
	switch x := value.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case float64:
		if x == float64(int64(x)) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return ""
}

// NullUntyped makes every untyped schema of doc without constraints ({}, as the items of an open
// list) nullable, and returns them. OpenAPI 3.0.3 does not type such a schema, so it does not bar
// null; the generated type is interface{}, which holds null exactly (a metric series with a missing
// point); and kin-openapi would refuse null wherever nullable is not set.
func NullUntyped(doc *openapi3.T) map[*openapi3.Schema]bool {
	out := map[*openapi3.Schema]bool{}
	seen := map[*openapi3.Schema]bool{}
	var walk func(ref *openapi3.SchemaRef)
	walk = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		if s.IsEmpty() && len(s.Properties) == 0 && s.Items == nil && s.AdditionalProperties.Schema == nil &&
			s.AdditionalProperties.Has == nil && len(s.AllOf)+len(s.OneOf)+len(s.AnyOf) == 0 && s.Not == nil {
			s.Nullable = true
			out[s] = true
			return
		}
		for _, p := range s.Properties {
			walk(p)
		}
		walk(s.Items)
		walk(s.AdditionalProperties.Schema)
		walk(s.Not)
		for _, refs := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
			for _, r := range refs {
				walk(r)
			}
		}
	}
	content := func(c openapi3.Content) {
		for _, m := range c {
			if m != nil {
				walk(m.Schema)
			}
		}
	}
	if doc.Components != nil {
		for _, ref := range doc.Components.Schemas {
			walk(ref)
		}
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				content(op.RequestBody.Value.Content)
			}
			for _, r := range op.Responses.Map() {
				if r.Value != nil {
					content(r.Value.Content)
				}
			}
		}
	}
	return out
}
