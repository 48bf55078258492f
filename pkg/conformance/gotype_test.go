package conformance

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/gen/dbapispec"
)

// xGoTypes are the Go types that x-go-type extensions of the spec name. A name missing here fails
// TestSpec_XGoTypesMatchTheirSchemas: add it, so that its fields are compared.
var xGoTypes = map[string]reflect.Type{
	"interface{}":         nil, // holds any JSON value exactly: nothing to compare
	"any":                 nil,
	"DatabaseTypeVersion": reflect.TypeFor[dbapi.DatabaseTypeVersion](),
}

// xGoTypeSite is one schema of the spec with an x-go-type.
type xGoTypeSite struct {
	at     string // "UpgradeTarget" or "ActionRequest/params"
	goType string
	schema *openapi3.Schema
}

// xGoTypeSites finds every schema of the spec's components with an x-go-type, in its properties,
// items and compositions too.
func xGoTypeSites(doc *openapi3.T) []xGoTypeSite {
	var out []xGoTypeSite
	seen := map[*openapi3.Schema]bool{}
	var walk func(at string, s *openapi3.Schema)
	walk = func(at string, s *openapi3.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		if name, ok := s.Extensions["x-go-type"].(string); ok {
			out = append(out, xGoTypeSite{at: at, goType: name, schema: s})
		}
		for _, k := range sortedKeys(s.Properties) {
			if ref := s.Properties[k]; ref != nil && ref.Ref == "" {
				walk(at+"/"+k, ref.Value)
			}
		}
		if s.Items != nil && s.Items.Ref == "" {
			walk(at+"/items", s.Items.Value)
		}
		for _, refs := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
			for i, ref := range refs {
				if ref.Ref == "" {
					walk(fmt.Sprintf("%s/%d", at, i), ref.Value)
				}
			}
		}
		if ref := s.AdditionalProperties.Schema; ref != nil && ref.Ref == "" {
			walk(at+"/additionalProperties", ref.Value)
		}
	}
	for _, name := range sortedKeys(doc.Components.Schemas) {
		walk(name, doc.Components.Schemas[name].Value)
	}
	return out
}

// jsonFields lists the JSON names of a struct type's fields (through embedded structs and
// pointers), sorted.
func jsonFields(t reflect.Type) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var out []string
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			out = append(out, jsonFields(f.Type)...) // encoding/json promotes its fields
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// schemaProperties lists the properties a schema declares, through allOf, sorted.
func schemaProperties(s *openapi3.Schema) []string {
	var out []string
	for k := range s.Properties {
		out = append(out, k)
	}
	for _, ref := range s.AllOf {
		if ref.Value != nil {
			out = append(out, schemaProperties(ref.Value)...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// without returns the elements of a that b does not hold, in order.
func without(a, b []string) []string {
	return slices.DeleteFunc(slices.Clone(a), func(x string) bool { return slices.Contains(b, x) })
}

// fieldMismatch says how the JSON fields of goType differ from the properties of s, or "".
func fieldMismatch(s *openapi3.Schema, goType reflect.Type) string {
	fields, props := jsonFields(goType), schemaProperties(s)
	extra, missing := without(fields, props), without(props, fields)
	var msg []string
	if len(extra) > 0 {
		msg = append(msg, "the Go type has fields the schema does not declare: "+strings.Join(extra, ", "))
	}
	if len(missing) > 0 {
		msg = append(msg, "the schema declares properties the Go type lacks: "+strings.Join(missing, ", "))
	}
	return strings.Join(msg, "; ")
}

// TestSpec_XGoTypesMatchTheirSchemas walks every x-go-type of the spec and compares the Go type's
// JSON fields with the schema's properties: a field the schema does not declare is never
// validated and may not decode; a property the Go type lacks is dropped.
func TestSpec_XGoTypesMatchTheirSchemas(t *testing.T) {
	doc, err := dbapispec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	sites := xGoTypeSites(doc)
	if len(sites) < 3 {
		t.Fatalf("found %d x-go-type extensions, want the 3 or more of the spec", len(sites))
	}
	for _, site := range sites {
		t.Run(site.at, func(t *testing.T) {
			goType, known := xGoTypes[site.goType]
			if !known {
				t.Fatalf("x-go-type %q is not listed in xGoTypes", site.goType)
			}
			if goType == nil {
				return
			}
			if msg := fieldMismatch(site.schema, goType); msg != "" {
				t.Errorf("x-go-type %s: %s", site.goType, msg)
			}
		})
	}
}

// TestFieldMismatch shows that the comparison of TestSpec_XGoTypesMatchTheirSchemas fails on an
// extra field and on a missing one.
func TestFieldMismatch(t *testing.T) {
	type inner struct {
		B string `json:"b"`
	}
	type goType struct {
		A string `json:"a,omitempty"`
		inner
		C       *int `json:"c"`
		skipped int  //nolint:unused // an unexported field: JSON never sees it, nor must the check
		Ignored int  `json:"-"`
	}
	props := func(names ...string) *openapi3.Schema {
		s := openapi3.NewObjectSchema()
		for _, n := range names {
			s.WithProperty(n, openapi3.NewStringSchema())
		}
		return s
	}
	tests := []struct {
		name   string
		schema *openapi3.Schema
		want   string // in the mismatch; "" for none
	}{
		{"same fields", props("a", "b", "c"), ""},
		{"an extra Go field", props("a", "b"), "does not declare: c"},
		{"a missing Go field", props("a", "b", "c", "d"), "lacks: d"},
		{"allOf", &openapi3.Schema{AllOf: openapi3.SchemaRefs{{Value: props("a")}, {Value: props("b", "c")}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fieldMismatch(tt.schema, reflect.TypeFor[goType]())
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Fatalf("fieldMismatch = %q, want %q", got, tt.want)
			}
		})
	}
	// The spec's UpgradeTarget before next_upgrade was declared in it.
	doc, err := dbapispec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	ut := *doc.Components.Schemas["UpgradeTarget"].Value
	ut.Properties = maps.Clone(ut.Properties)
	delete(ut.Properties, "next_upgrade")
	if got := fieldMismatch(&ut, reflect.TypeFor[dbapi.DatabaseTypeVersion]()); !strings.Contains(got, "next_upgrade") {
		t.Fatalf("UpgradeTarget without next_upgrade: fieldMismatch = %q, want next_upgrade named", got)
	}
}
