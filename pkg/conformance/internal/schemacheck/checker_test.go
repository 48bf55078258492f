package schemacheck

import (
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestChecker_DelegatedSchemasKeepStrictRules checks that a schema left to kin-openapi (a keyword
// the checker does not implement) still gets the rules kin-openapi cannot see, on both paths.
func TestChecker_DelegatedSchemasKeepStrictRules(t *testing.T) {
	object := openapi3.NewObjectSchema()
	object.Not = &openapi3.SchemaRef{Value: openapi3.NewStringSchema()}
	intEnum := openapi3.NewIntegerSchema()
	intEnum.Enum = []any{0.0, 1.0}
	cp := NewCompiler(NewFormats(), nil, nil)
	tests := []struct {
		name   string
		schema *openapi3.Schema
		doc    string
		want   bool
	}{
		{"object", object, `{"a":1,"b":{"c":2}}`, true},
		{"object, repeated key", object, `{"a":1,"a":2}`, false},
		{"object, repeated nested key", object, `{"b":{"c":1,"c":2}}`, false},
		{"integer enum", intEnum, `1`, true},
		{"integer enum written 1.0", intEnum, `1.0`, false},
		{"integer enum written 1e0", intEnum, `1e0`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cp.Compile(tt.schema)
			if !c.delegate {
				t.Fatal("the schema is not delegated: the test proves nothing")
			}
			if got := c.ValidJSON([]byte(tt.doc)); got != tt.want {
				t.Errorf("ValidJSON = %v, want %v", got, tt.want)
			}
			if ps := c.Strict([]byte(tt.doc)); (len(ps) == 0) != tt.want {
				t.Errorf("Strict = %v, want none: %v", ps, tt.want)
			}
		})
	}
}

// TestFolds_AgreesWithFoldsOnto checks the allocation-free fold test against foldsOnto, which
// compares with strings.EqualFold as encoding/json does, on keys that fold and keys that do not.
func TestFolds_AgreesWithFoldsOnto(t *testing.T) {
	cp := NewCompiler(NewFormats(), nil, nil)
	s := openapi3.NewObjectSchema().
		WithProperty("type", openapi3.NewStringSchema()).
		WithProperty("range_id", openapi3.NewStringSchema()).
		WithProperty("kind", openapi3.NewStringSchema()).
		WithProperty("class", openapi3.NewStringSchema())
	c := cp.Compile(s)
	if c.lowerProps == nil {
		t.Fatal("lowerProps not built: the fast branch is not tested")
	}
	tests := []struct {
		key  string
		want bool
	}{
		{"type", false}, // the property itself is no twin
		{"TYPE", true},
		{"Range_ID", true},
		{"range-id", false},
		{"\u212aind", true},  // the Kelvin sign folds onto k
		{"cla\u017fs", true}, // the long s folds onto s
		{"typ", false},
		{strings.Repeat("x", 100), false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			slow := foldsOnto(c, tt.key) != ""
			if got := folds(c, []byte(tt.key)); got != tt.want || slow != tt.want {
				t.Fatalf("folds = %v, foldsOnto = %v, want %v", got, slow, tt.want)
			}
		})
	}
}
