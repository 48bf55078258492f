package conformance

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// mustNew returns a Validator built by New with opts, or stops the test.
func mustNew(tb testing.TB, opts ...Option) *Validator {
	tb.Helper()
	v, err := New(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// sample is one JSON document to judge against one schema.
type sample struct {
	name   string
	schema *contentInfo
	doc    []byte
}

// documentedSamples returns every example of the spec (request and response bodies) and, for each,
// many broken variants: every property removed, and every value replaced by values of other types
// and shapes.
func documentedSamples(t *testing.T, v *Validator) []sample {
	t.Helper()
	var out []sample
	add := func(name string, ci *contentInfo, m *openapi3.MediaType) {
		for i, ex := range mediaExamples(m) {
			for j, variant := range mutations(ex) {
				doc, err := json.Marshal(variant)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, sample{name: fmt.Sprintf("%s/example%d/variant%d", name, i, j), schema: ci, doc: doc})
			}
		}
	}
	for _, o := range v.ops {
		if o.kin.RequestBody != nil {
			for i := range o.reqContent {
				ci := &o.reqContent[i]
				add(o.op.ID+"/request", ci, o.kin.RequestBody.Value.Content.Get(ci.mediaType))
			}
		}
		for _, key := range o.op.Statuses {
			resp := o.kin.Responses.Value(key).Value
			ri := o.exact[atoiOrZero(key)]
			if ri == nil && len(key) == 3 && key[1:] == "XX" {
				ri = o.ranges[key[0]-'0']
			}
			if ri == nil {
				continue
			}
			for i := range ri.content {
				ci := &ri.content[i]
				if ci.kind == contentJSON && ci.schema != nil {
					add(o.op.ID+"/"+key, ci, resp.Content.Get(ci.mediaType))
				}
			}
		}
	}
	return out
}

func atoiOrZero(s string) int {
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		return 0
	}
	return n
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// replacements are the values put in place of each value of an example.
var replacements = []any{
	nil, "", "x", "2018-09-02T03:00:00", "2018-09-02T03:00:00Z", "not a uri", "https://h.example/p",
	0.0, -1.0, 1.5, 1e20, 3.0, true, []any{}, []any{"a"}, map[string]any{}, map[string]any{"k": "v"},
}

// mutations returns doc itself followed by broken variants of it: every value replaced by each of
// replacements, every property removed (labeledMutations, without the labels).
func mutations(doc any) []any {
	var out []any
	for _, m := range labeledMutations(doc) {
		out = append(out, m.doc)
	}
	return out
}

// labeledMutations are mutations with the class of each: "example", "drop",
// "value:<replacement>" or, for the whole body, "body:<replacement>".
func labeledMutations(doc any) []struct {
	class string
	doc   any
} {
	var out []struct {
		class string
		doc   any
	}
	add := func(class string, d any) {
		out = append(out, struct {
			class string
			doc   any
		}{class, d})
	}
	add("example", doc)
	var walk func(path []any)
	walk = func(path []any) {
		cur := get(doc, path)
		for _, r := range replacements {
			b, _ := json.Marshal(r)
			if len(path) == 0 {
				add("body:"+string(b), r)
			} else {
				add("value:"+string(b), set(doc, path, r))
			}
		}
		switch x := cur.(type) {
		case map[string]any:
			for _, k := range sortedKeys(x) {
				add("drop", del(doc, append(slices.Clone(path), k)))
				walk(append(slices.Clone(path), k))
			}
		case []any:
			for i := range x {
				walk(append(slices.Clone(path), i))
			}
		}
	}
	walk(nil)
	return out
}

func deepCopy(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

func get(doc any, path []any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			doc = doc.(map[string]any)[k]
		case int:
			doc = doc.([]any)[k]
		}
	}
	return doc
}

func set(doc any, path []any, value any) any {
	if len(path) == 0 {
		return value
	}
	root := deepCopy(doc)
	parent := get(root, path[:len(path)-1])
	switch k := path[len(path)-1].(type) {
	case string:
		parent.(map[string]any)[k] = value
	case int:
		parent.([]any)[k] = value
	}
	return root
}

func del(doc any, path []any) any {
	root := deepCopy(doc)
	parent := get(root, path[:len(path)-1])
	delete(parent.(map[string]any), path[len(path)-1].(string))
	return root
}

// TestChecker_AgreesWithKinOpenAPI proves that the fast paths give the slow path's verdict on every
// example of the spec and thousands of broken variants, so that speed costs no strictness:
// checker.ok on decoded values gives kin-openapi's, and checker.validJSON on bytes gives
// kin-openapi's joined with strictViolations' (the rules a decoded value cannot show).
func TestChecker_AgreesWithKinOpenAPI(t *testing.T) {
	v := mustNew(t)
	samples := documentedSamples(t, v)
	if len(samples) < 1000 {
		t.Fatalf("only %d samples: the spec's examples were not found", len(samples))
	}
	var valid, invalid int
	for _, s := range samples {
		var value any
		if err := json.Unmarshal(s.doc, &value); err != nil {
			t.Fatal(err)
		}
		kinOK := s.schema.schema.VisitJSON(value, v.schemaOpts...) == nil
		want := kinOK && len(strictViolations(s.schema.check, s.doc, Violation{})) == 0
		if want {
			valid++
		} else {
			invalid++
		}
		if got := s.schema.check.OK(value); got != kinOK {
			t.Errorf("%s: checker.ok = %v, kin-openapi = %v for %s", s.name, got, kinOK, s.doc)
		}
		if got := s.schema.check.ValidJSON(s.doc); got != want {
			t.Errorf("%s: checker.validJSON = %v, kin-openapi and strictViolations = %v for %s", s.name, got, want, s.doc)
		}
	}
	if valid < 100 || invalid < 100 {
		t.Fatalf("samples are one-sided: %d valid, %d invalid", valid, invalid)
	}
	t.Logf("%d samples agree (%d valid, %d invalid)", len(samples), valid, invalid)
}

// TestChecker_ValidJSONOnOddDocuments covers JSON forms that the examples do not: escapes, invalid
// UTF-8, duplicate keys, whitespace, numbers out of range, malformed JSON.
func TestChecker_ValidJSONOnOddDocuments(t *testing.T) {
	v := mustNew(t)
	info := v.byID["createBackup"]
	ci := &info.exact[201].content[0]
	users := &v.byID["listDatabaseUsers"].exact[200].content[0]
	errs := &v.byID["createDatabaseUser"].exact[422].content[0]
	tests := []struct {
		name      string
		ci        *contentInfo
		doc       string
		mayRefuse bool // the walk may refuse a valid document: the slow path then decides
	}{
		{"escaped enum", ci, `{"database_backup":{"id":"a","created_at":"2018-09-02T03:00:00Z","name":"n","status":"sch\u0065duled","database_id":"d"}}`, false},
		{"escaped bad enum", ci, `{"database_backup":{"id":"a","created_at":"2018-09-02T03:00:00Z","name":"n","status":"sch\u0066duled","database_id":"d"}}`, false},
		{"whitespace", ci, " \n{ \"id\" : \"a\" , \"created_at\" : \"2018-09-02T03:00:00Z\", \"name\":\"n\",\"status\":\"done\",\"database_id\":\"d\" } \n", false},
		{"duplicate key, bad first", ci, `{"id":"a","created_at":"2018-09-02T03:00:00Z","name":"n","status":"nope","status":"done","database_id":"d"}`, true},
		{"duplicate key, bad last", ci, `{"id":"a","created_at":"2018-09-02T03:00:00Z","name":"n","status":"done","status":"nope","database_id":"d"}`, false},
		{"huge number", ci, `{"id":"a","created_at":"2018-09-02T03:00:00Z","name":"n","status":"done","database_id":"d","size":1e400}`, false},
		{"int64 max", ci, `{"id":"a","created_at":"2018-09-02T03:00:00Z","name":"n","status":"done","database_id":"d","size":9223372036854775807}`, false},
		{"beyond int64", ci, `{"id":"a","created_at":"2018-09-02T03:00:00Z","name":"n","status":"done","database_id":"d","size":18446744073709551616}`, false},
		{"invalid utf8 in name", ci, "{\"id\":\"a\",\"created_at\":\"2018-09-02T03:00:00Z\",\"name\":\"\xff\",\"status\":\"done\",\"database_id\":\"d\"}", false},
		{"truncated", ci, `{"id":"a","created_at":"2018-09-02T03:00:00Z"`, false},
		{"trailing garbage", ci, `{"id":"a","created_at":"2018-09-02T03:00:00Z","name":"n","status":"done","database_id":"d"} x`, false},
		{"nested arrays", users, `{"database-users":[{"name":"a","read_only":false,"extra":[[1,{"x":"]"}],"\"q"]}]}`, false},
		{"empty list", users, `{"database-users":[]}`, false},
		{"oneOf, repeated key hides a second match", ci, `{"database_backup":{"id":"a","created_at":"2018-09-02T03:00:00Z","name":"n","status":"done","database_id":"d"},"id":"a","created_at":"2018-09-02T03:00:00Z","name":"n","status":"bad","status":"done","database_id":"d"}`, true},
		{"oneOf, repeated key, one match", ci, `{"id":"a","created_at":"2018-09-02T03:00:00Z","name":"n","status":"bad","status":"done","database_id":"d"}`, true},
		{"oneOf, escaped key", ci, `{"database_backup":{"\u0069d":"a","created_at":"2018-09-02T03:00:00Z","name":"n","status":"done","database_id":"d"}}`, true},
		{"errors, empty map", errs, `{"errors":{}}`, false},
		{"errors, duplicate keys", errs, `{"errors":{"a":["x"],"a":["y"]}}`, false},
		{"errors, empty list", errs, `{"errors":{"a":[]}}`, false},
		{"escaped key folding onto a property", ci, `{"id":"a","created_at":"2018-09-02T03:00:00Z","name":"n","status":"done","\u0053TATUS":"x","database_id":"d"}`, false},
		{"escaped repeated key", ci, `{"id":"a","created_at":"2018-09-02T03:00:00Z","name":"n","status":"done","\u0069d":"b","database_id":"d"}`, false},
		{"surrogate pair", ci, `{"id":"a","created_at":"2018-09-02T03:00:00Z","name":"\ud83d\ude00","status":"done","database_id":"d"}`, false},
		{"escaped backslash before u", ci, `{"id":"a","created_at":"2018-09-02T03:00:00Z","name":"\\ud800","status":"done","database_id":"d"}`, false},
		{"lone surrogate in an extra property", ci, `{"id":"a","created_at":"2018-09-02T03:00:00Z","name":"n","status":"done","database_id":"d","x":"\ud800"}`, false},
		{"integer 0", ci, `{"id":"a","created_at":"2018-09-02T03:00:00Z","name":"n","status":"done","database_id":"d","size":0}`, false},
		{"integer -0", ci, `{"id":"a","created_at":"2018-09-02T03:00:00Z","name":"n","status":"done","database_id":"d","size":-0}`, false},
		{"integer 0.0", ci, `{"id":"a","created_at":"2018-09-02T03:00:00Z","name":"n","status":"done","database_id":"d","size":0.0}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var value any
			want := json.Unmarshal([]byte(tt.doc), &value) == nil &&
				tt.ci.schema.VisitJSON(value, v.schemaOpts...) == nil &&
				len(strictViolations(tt.ci.check, []byte(tt.doc), Violation{})) == 0
			got := tt.ci.check.ValidJSON([]byte(tt.doc))
			if got && !want || !got && want && !tt.mayRefuse {
				t.Errorf("validJSON = %v, want kin-openapi's %v", got, want)
			}
		})
	}
}

// FuzzValidJSON checks that the byte walk never accepts what kin-openapi or strictViolations
// refuses, on documents of the createBackup, listDatabaseUsers, 422, listFirewallRules and metric
// series shapes. Run it with -fuzz=FuzzValidJSON to search.
func FuzzValidJSON(f *testing.F) {
	v := mustNew(f)
	cis := []*contentInfo{
		&v.byID["createBackup"].exact[201].content[0],
		&v.byID["listDatabaseUsers"].exact[200].content[0],
		&v.byID["createDatabaseUser"].exact[422].content[0],
		&v.byID["createDatabaseUser"].reqContent[0],
		&v.byID["listFirewallRules"].exact[200].content[0],        // a oneOf with a discriminator: delegated
		&v.byID["getDatabaseMetricsByType"].exact[200].content[0], // an anyOf: delegated
	}
	for _, seed := range []string{
		`{"database_backup":{"id":"a","created_at":"2018-09-02T03:00:00Z","name":"n","status":"done","database_id":"d","size":1}}`,
		`{"id":"a","created_at":"2018-09-02T03:00:00+01:00","name":"n","status":"pending","database_id":"d","started_at":null}`,
		`{"database-users":[{"name":"a","read_only":false,"dbms_attributes":{"password_encryption":"MD5"}}]}`,
		`{"errors":{"name":["is invalid"]}}`,
		`{"database_user":{"name":"my-user","password":"K_gaef6ripo7Ao4Uaxai6Kiey","read_only":true}}`,
		`{"rules":[{"cidr":"203.0.113.0/24","id":"r1","type":"custom_range","created_at":"2019-07-19T10:00:00Z"}]}`,
		`{"rules":[{"type":"custom_range","cidr":"203.0.113.0/24","id":"r1","TYPE":"managed_range","RANGE_ID":"eu"}]}`,
		`[{"time":"2019-07-19T10:00:00Z","value":16777217},null,{"v":{"w":1,"w":2}}]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		for _, ci := range cis {
			if !ci.check.ValidJSON(doc) {
				continue
			}
			var value any
			if err := json.Unmarshal(doc, &value); err != nil {
				t.Fatalf("accepted JSON that encoding/json refuses: %q", doc)
			}
			if err := ci.schema.VisitJSON(value, v.schemaOpts...); err != nil {
				t.Fatalf("accepted %q, which kin-openapi refuses: %v", doc, err)
			}
			if vs := strictViolations(ci.check, doc, Violation{}); len(vs) > 0 {
				t.Fatalf("accepted %q, which strictViolations refuses: %v", doc, violations(vs...))
			}
			if !ci.check.OK(value) {
				t.Fatalf("validJSON accepts %q but checker.ok refuses it", doc)
			}
		}
	})
}

// TestChecker_OkStringAgreesWithOk checks the unboxed string path of every path parameter's
// checker against checker.ok, and against kin-openapi, on IDs that pass and IDs that do not.
func TestChecker_OkStringAgreesWithOk(t *testing.T) {
	v := mustNew(t)
	values := []string{"", "my-db-123", "5b8b36104ffb090be1ac3ce1", "metabase", "a", "UPPER", "with space",
		"a%2Fb", "..", "é", strings.Repeat("x", 300), "0", "-1", "true", "null"}
	checked, failed := 0, 0
	for _, o := range v.ops {
		for i, p := range o.params {
			c := o.pathChecks[i]
			if c == nil {
				continue
			}
			for _, s := range values {
				want := p.Schema.Value.VisitJSON(s, v.schemaOpts...) == nil
				if got, boxed := c.OKString(s), c.OK(s); got != boxed || got != want {
					t.Errorf("%s %s=%q: okString %v, ok %v, kin-openapi %v", o.op.ID, p.Name, s, got, boxed, want)
				}
				checked++
				if !want {
					failed++
				}
			}
		}
	}
	if checked == 0 || failed == 0 {
		t.Fatalf("%d checks, %d failing values: the table proves nothing", checked, failed)
	}
}

// mediaExamples returns the examples of a media type, compact.
func mediaExamples(m *openapi3.MediaType) []any {
	if m == nil {
		return nil
	}
	var out []any
	if m.Example != nil {
		out = append(out, m.Example)
	}
	for _, k := range sortedKeys(m.Examples) {
		if ex := m.Examples[k]; ex != nil && ex.Value != nil {
			out = append(out, ex.Value.Value)
		}
	}
	return out
}
