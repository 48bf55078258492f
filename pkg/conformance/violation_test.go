package conformance

import (
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestFromSchemaError pins the violation built from each schema keyword:
// its expectation, its rendering of the value, its pointer with and without
// a prefix, and the fallbacks when the schema or the bound is missing.
func TestFromSchemaError(t *testing.T) {
	u := uint64(8)
	lo, hi := 1.5, 9.0
	ref := &openapi3.SchemaRef{Ref: "#/components/schemas/Backup"}
	titled := &openapi3.SchemaRef{Value: &openapi3.Schema{Title: "Hours"}}
	str := &openapi3.Types{"string"}
	tests := []struct {
		name          string
		se            *openapi3.SchemaError
		prefix        string
		pointer       string
		expected, got string
	}{
		{"required", &openapi3.SchemaError{SchemaField: "required", Value: map[string]any{}}, "", "/", "required property", "missing"},
		{"enum", &openapi3.SchemaError{SchemaField: "enum", Value: "lost", Schema: &openapi3.Schema{Enum: []any{"a", "b"}}}, "", "/", "one of [a b]", `"lost"`},
		{"format date-time", &openapi3.SchemaError{SchemaField: "format", Value: "x", Schema: &openapi3.Schema{Type: str, Format: "date-time"}}, "", "/",
			"string, format date-time with offset (RFC 3339)", `"x"`},
		{"other format", &openapi3.SchemaError{SchemaField: "format", Value: "x", Schema: &openapi3.Schema{Type: str, Format: "ipv4"}}, "", "/", "string, format ipv4", `"x"`},
		{"type", &openapi3.SchemaError{SchemaField: "type", Value: "big", Schema: &openapi3.Schema{Type: &openapi3.Types{"integer", "null"}}}, "", "/", "integer or null", `"big"`},
		{"type of no type", &openapi3.SchemaError{SchemaField: "type", Value: 1.0, Schema: &openapi3.Schema{}}, "", "/", "any value", "1"},
		{"nullable", &openapi3.SchemaError{SchemaField: "nullable", Value: nil, Schema: &openapi3.Schema{Type: str}}, "", "/", "string, not null", "null"},
		{"oneOf", &openapi3.SchemaError{SchemaField: "oneOf", Value: 1.0, Schema: &openapi3.Schema{OneOf: openapi3.SchemaRefs{ref, titled}}}, "", "/", "oneOf [Backup, Hours]", "1"},
		{"anyOf", &openapi3.SchemaError{SchemaField: "anyOf", Value: 1.0, Schema: &openapi3.Schema{AnyOf: openapi3.SchemaRefs{ref}}}, "", "/", "anyOf [Backup]", "1"},
		{"pattern", &openapi3.SchemaError{SchemaField: "pattern", Value: "ftp:", Schema: &openapi3.Schema{Pattern: "^https?://"}}, "", "/", "matching ^https?://", `"ftp:"`},
		{"minLength", &openapi3.SchemaError{SchemaField: "minLength", Value: "a", Schema: &openapi3.Schema{MinLength: 6}}, "", "/", "at least 6 characters", `"a"`},
		{"maxLength", &openapi3.SchemaError{SchemaField: "maxLength", Value: "abcdefghij", Schema: &openapi3.Schema{MaxLength: &u}}, "", "/", "at most 8 characters", `"abcdefghij"`},
		{"maxLength unset", &openapi3.SchemaError{SchemaField: "maxLength", Value: "a", Schema: &openapi3.Schema{}, Reason: "too long"}, "", "/", "too long", `"a"`},
		{"minimum", &openapi3.SchemaError{SchemaField: "minimum", Value: 1.0, Schema: &openapi3.Schema{Min: &lo}}, "", "/", "at least 1.5", "1"},
		{"minimum unset", &openapi3.SchemaError{SchemaField: "minimum", Value: 1.0, Schema: &openapi3.Schema{}}, "", "/", "schema keyword minimum", "1"},
		{"maximum", &openapi3.SchemaError{SchemaField: "maximum", Value: 10.0, Schema: &openapi3.Schema{Max: &hi}}, "", "/", "at most 9", "10"},
		{"minItems", &openapi3.SchemaError{SchemaField: "minItems", Value: []any{}, Schema: &openapi3.Schema{MinItems: 1}}, "", "/", "at least 1 items", "array of 0 items"},
		{"minProperties", &openapi3.SchemaError{SchemaField: "minProperties", Value: map[string]any{}, Schema: &openapi3.Schema{MinProps: 2}}, "", "/", "at least 2 properties", "object with keys []"},
		{"no schema", &openapi3.SchemaError{SchemaField: "enum", Value: "x", Reason: "value is not one of the allowed values"}, "", "/", "value is not one of the allowed values", `"x"`},
		{"unknown keyword", &openapi3.SchemaError{SchemaField: "multipleOf", Value: 3.0, Schema: &openapi3.Schema{}}, "", "/", "schema keyword multipleOf", "3"},
		{"prefix", &openapi3.SchemaError{SchemaField: "minimum", Value: -5.0, Schema: &openapi3.Schema{Min: new(0.0)}}, "header Retry-After", "header Retry-After", "at least 0", "-5"},
		{"a secret under a prefix", &openapi3.SchemaError{SchemaField: "minLength", Value: "hunter2", Schema: &openapi3.Schema{MinLength: 24}}, " query password ", "query password",
			"at least 24 characters", "(redacted, 7 characters)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := fromSchemaError(tt.se, Violation{OperationID: "op"}, tt.prefix)
			if v.Kind != KindSchema || v.OperationID != "op" || v.Pointer != tt.pointer || v.Expected != tt.expected || v.Got != tt.got {
				t.Errorf("got kind %v, op %q, pointer %q, expected %q, got %q; want pointer %q, expected %q, got %q",
					v.Kind, v.OperationID, v.Pointer, v.Expected, v.Got, tt.pointer, tt.expected, tt.got)
			}
		})
	}
}
