package apicall

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"

	"github.com/scalingodb/dbapi-go/gen/dbapispec"
)

// The retry rule. A request is retried when sending it twice has the
// effect of sending it once: the methods RFC 9110 (section 9.2.2) defines as
// idempotent, and the exceptions below, each with its reason. Every other
// operation (the POSTs that create, reset, run, upgrade, restore, enable)
// is sent once, since a lost answer may hide an effect.
var idempotentMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPut: true,
	http.MethodDelete: true, http.MethodOptions: true, http.MethodTrace: true,
}

// retryExceptions are the operations whose method says "not idempotent"
// but whose effect is: the method each must have in the spec, and why.
var retryExceptions = map[string]struct{ method, why string }{
	"updateDatabase":     {http.MethodPatch, "sets the settings named in the body to the values given, as putDatabase does"},
	"updateDatabaseUser": {http.MethodPatch, "sets the password given; twice is the same password"},
	"updateFirewallRule": {http.MethodPatch, "sets the label given"},
	"pingDatabase":       {http.MethodPost, "asks the database to answer and changes nothing"},
}

// specOps returns the operations of the spec by ID.
func specOps(t *testing.T) map[string]specOp {
	t.Helper()
	doc, err := dbapispec.GetSpec()
	if err != nil {
		t.Fatalf("GetSpec: %v", err)
	}
	ops := map[string]specOp{}
	for path, item := range doc.Paths.Map() {
		for method, o := range item.Operations() {
			ops[o.OperationID] = specOp{method: method, path: path, op: o}
		}
	}
	return ops
}

type specOp struct {
	method, path string
	op           *openapi3.Operation
}

// tableRow is what the tests compare of a table entry.
type tableRow struct {
	Method, Path, Envelope string
	Retry                  bool
}

func tableRows(table []*Op) map[string]tableRow {
	rows := map[string]tableRow{}
	for _, o := range table {
		rows[o.ID] = tableRow{Method: o.Method, Path: o.Path, Envelope: o.Envelope, Retry: o.Retry}
	}
	return rows
}

// routeMismatches lists the operations whose route differs between the
// spec and the table, and those only one of them has.
func routeMismatches(spec map[string]specOp, table map[string]tableRow) []string {
	var out []string
	for id, s := range spec {
		row, ok := table[id]
		switch {
		case !ok:
			out = append(out, id+": in the spec, not in the table")
		case row.Method != s.method || row.Path != s.path:
			out = append(out, id+": table "+row.Method+" "+row.Path+", spec "+s.method+" "+s.path)
		}
	}
	for id := range table {
		if _, ok := spec[id]; !ok {
			out = append(out, id+": in the table, not in the spec")
		}
	}
	sort.Strings(out)
	return out
}

// retryMismatches lists the operations whose retry flag breaks the rule,
// and the exceptions that no longer apply.
func retryMismatches(spec map[string]specOp, table map[string]tableRow) []string {
	var out []string
	for id, s := range spec {
		want := idempotentMethods[s.method]
		if ex, ok := retryExceptions[id]; ok {
			if ex.method != s.method {
				out = append(out, id+": exception for "+ex.method+", but the spec says "+s.method)
			}
			want = true
		}
		if row, ok := table[id]; ok && row.Retry != want {
			out = append(out, id+": table retry="+strconv.FormatBool(row.Retry)+", the rule says "+strconv.FormatBool(want))
		}
	}
	for id := range retryExceptions {
		if _, ok := spec[id]; !ok {
			out = append(out, id+": exception for an operation the spec does not have")
		}
	}
	sort.Strings(out)
	return out
}

// successSchema returns the JSON schema of the first 2xx answer of o, or nil.
func successSchema(o *openapi3.Operation) *openapi3.Schema {
	for _, code := range []string{"200", "201", "202"} {
		r := o.Responses.Value(code)
		if r == nil || r.Value == nil {
			continue
		}
		if mt := r.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
			return mt.Schema.Value
		}
		return nil
	}
	return nil
}

// holdsKey reports whether s, or one of its oneOf alternatives, is an
// object that requires key.
func holdsKey(s *openapi3.Schema, key string) bool {
	if s == nil {
		return false
	}
	if slices.Contains(s.Required, key) && s.Properties[key] != nil {
		return true
	}
	for _, alt := range s.OneOf {
		if holdsKey(alt.Value, key) {
			return true
		}
	}
	return false
}

// wrapperKey returns the key of s when s is an envelope: an object with one
// required property holding an object or an array. Else "".
func wrapperKey(s *openapi3.Schema) string {
	if s == nil || len(s.Properties) != 1 || len(s.OneOf) > 0 {
		return ""
	}
	for key, p := range s.Properties {
		if slices.Contains(s.Required, key) && p.Value != nil && p.Value.Type != nil &&
			(p.Value.Type.Is(openapi3.TypeObject) || p.Value.Type.Is(openapi3.TypeArray)) {
			return key
		}
	}
	return ""
}

// envelopeMismatches lists the operations whose envelope key in the table
// is not a required key of the spec's answer, and those whose answer is an
// envelope the table does not name.
func envelopeMismatches(spec map[string]specOp, table map[string]tableRow) []string {
	var out []string
	for id, s := range spec {
		row, ok := table[id]
		if !ok {
			continue
		}
		schema := successSchema(s.op)
		switch {
		case row.Envelope != "" && !holdsKey(schema, row.Envelope):
			out = append(out, id+": the answer has no required key "+strconv.Quote(row.Envelope))
		case row.Envelope == "" && wrapperKey(schema) != "":
			out = append(out, id+": the answer is an envelope "+strconv.Quote(wrapperKey(schema))+" the table does not name")
		}
	}
	sort.Strings(out)
	return out
}

// TestOperationTable_MatchesSpec holds the table to the spec: every
// operation, no more, each with the spec's method and path, the retry rule
// and the envelope key of its answer.
func TestOperationTable_MatchesSpec(t *testing.T) {
	spec := specOps(t)
	table := tableRows(Table[:])
	if len(spec) != 44 || len(table) != len(spec) || len(Table) != len(table) {
		t.Errorf("the spec has %d operations and the table %d (%d rows: a repeated ID?), want 44 each", len(spec), len(table), len(Table))
	}
	for name, check := range map[string]func(map[string]specOp, map[string]tableRow) []string{
		"route": routeMismatches, "retry": retryMismatches, "envelope": envelopeMismatches,
	} {
		if bad := check(spec, table); len(bad) > 0 {
			t.Errorf("%s: %d mismatches:\n%s", name, len(bad), strings.Join(bad, "\n"))
		}
	}
	var once []string
	for id, row := range table {
		if !row.Retry {
			once = append(once, id)
		}
	}
	sort.Strings(once)
	t.Logf("never retried: %s", strings.Join(once, ", "))
}

// TestOperationTable_FailsOnBadTable proves each check catches a broken
// table: a missing, an extra and a moved operation; a create marked as
// retried, a GET marked as sent once, a stale exception; a wrong, a
// forgotten envelope key.
func TestOperationTable_FailsOnBadTable(t *testing.T) {
	spec := specOps(t)
	edit := func(f func(map[string]tableRow)) map[string]tableRow {
		rows := tableRows(Table[:])
		f(rows)
		return rows
	}
	set := func(id string, f func(*tableRow)) func(map[string]tableRow) {
		return func(m map[string]tableRow) {
			r := m[id]
			f(&r)
			m[id] = r
		}
	}
	tests := []struct {
		name  string
		check func(map[string]specOp, map[string]tableRow) []string
		table map[string]tableRow
		spec  map[string]specOp
		want  []string
	}{
		{"missing", routeMismatches, edit(func(m map[string]tableRow) { delete(m, "getPlan") }), spec,
			[]string{"getPlan: in the spec, not in the table"}},
		{"extra", routeMismatches, edit(func(m map[string]tableRow) { m["getBackups"] = m["getBackup"] }), spec,
			[]string{"getBackups: in the table, not in the spec"}},
		{"moved", routeMismatches, edit(set("getBackup", func(r *tableRow) { r.Path = "/databases/{database_id}/backups/{backup_id}" })), spec,
			[]string{"getBackup: table GET /databases/{database_id}/backups/{backup_id}, spec GET /backups/{backup_id}"}},
		{"create retried", retryMismatches, edit(set("createBackup", func(r *tableRow) { r.Retry = true })), spec,
			[]string{"createBackup: table retry=true, the rule says false"}},
		{"read sent once", retryMismatches, edit(set("getBackup", func(r *tableRow) { r.Retry = false })), spec,
			[]string{"getBackup: table retry=false, the rule says true"}},
		{"stale exception", retryMismatches, tableRows(Table[:]), func() map[string]specOp {
			m := maps.Clone(spec)
			s := m["pingDatabase"]
			s.method = http.MethodGet
			m["pingDatabase"] = s
			return m
		}(), []string{"pingDatabase: exception for POST, but the spec says GET"}},
		{"wrong envelope", envelopeMismatches, edit(set("getBackup", func(r *tableRow) { r.Envelope = "backup" })), spec,
			[]string{`getBackup: the answer has no required key "backup"`}},
		{"forgotten envelope", envelopeMismatches, edit(set("getDatabase", func(r *tableRow) { r.Envelope = "" })), spec,
			[]string{`getDatabase: the answer is an envelope "database" the table does not name`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.check(tt.spec, tt.table)); diff != "" {
				t.Errorf("mismatches (-want +got):\n%s", diff)
			}
		})
	}
}

// opUsage is what the sources do with the Op* variables.
type opUsage struct {
	declared map[string]string   // variable name -> operation ID, from &Op{ID: ...}
	listed   []string            // the variables in Table, in order
	used     map[string][]string // variable name -> where the code names it
}

// findOpUsage parses files and returns where they declare, list and name
// the operations.
func findOpUsage(t *testing.T, files []string) opUsage {
	t.Helper()
	u := opUsage{declared: map[string]string{}, used: map[string][]string{}}
	fset := token.NewFileSet()
	var idents []*ast.Ident
	skip := map[*ast.Ident]bool{}
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				if len(n.Names) == 1 && len(n.Values) == 1 {
					if id, ok := newOpID(n.Values[0]); ok {
						u.declared[n.Names[0].Name] = id
						skip[n.Names[0]] = true
					}
					if n.Names[0].Name == "Table" {
						if lit, ok := n.Values[0].(*ast.CompositeLit); ok {
							for _, e := range lit.Elts {
								if id, ok := e.(*ast.Ident); ok {
									u.listed = append(u.listed, id.Name)
									skip[id] = true
								}
							}
						}
					}
				}
			case *ast.Ident:
				idents = append(idents, n)
			}
			return true
		})
	}
	for _, id := range idents {
		if _, ok := u.declared[id.Name]; ok && !skip[id] {
			u.used[id.Name] = append(u.used[id.Name], fset.Position(id.Pos()).String())
		}
	}
	return u
}

// newOpID returns the ID of &Op{ID: "..."}.
func newOpID(e ast.Expr) (string, bool) {
	ptr, ok := e.(*ast.UnaryExpr)
	if !ok || ptr.Op != token.AND {
		return "", false
	}
	lit, ok := ptr.X.(*ast.CompositeLit)
	if typ, isIdent := lit.Type.(*ast.Ident); !ok || !isIdent || typ.Name != "Op" {
		return "", false
	}
	if v, ok := keyed(lit, "ID").(*ast.BasicLit); ok && v.Kind == token.STRING {
		id, err := strconv.Unquote(v.Value)
		return id, err == nil
	}
	return "", false
}

// keyed returns the value of the field key in the composite literal lit,
// or nil.
func keyed(lit *ast.CompositeLit, key string) ast.Expr {
	for _, e := range lit.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			if k, ok := kv.Key.(*ast.Ident); ok && k.Name == key {
				return kv.Value
			}
		}
	}
	return nil
}

// opUsageProblems lists the problems of u: a variable not named after its
// operation, a variable missing from the table or listed twice, a
// variable the code never names.
func opUsageProblems(u opUsage) []string {
	var out []string
	count := map[string]int{}
	for _, name := range u.listed {
		count[name]++
	}
	for _, name := range slices.Sorted(maps.Keys(u.declared)) {
		id := u.declared[name]
		if want := "Op" + strings.ToUpper(id[:1]) + id[1:]; name != want {
			out = append(out, fmt.Sprintf("%s: operation %q, want the name %s", name, id, want))
		}
		if count[name] != 1 {
			out = append(out, fmt.Sprintf("%s: in Table %d times, want once", name, count[name]))
		}
		if len(u.used[name]) == 0 {
			out = append(out, fmt.Sprintf("%s: no code names it", name))
		}
	}
	for _, name := range u.listed {
		if _, ok := u.declared[name]; !ok {
			out = append(out, fmt.Sprintf("%s: in Table, not declared as &Op{…}", name))
		}
	}
	return out
}

// TestOperationTable_EveryOperationIsUsed checks, without running them,
// that each operation variable is named after its operation, listed once
// in Table (which the spec tests read) and named by the code that sends
// its request, here or in the services of package scalingodb. A
// misspelled operation does not compile.
func TestOperationTable_EveryOperationIsUsed(t *testing.T) {
	var files []string
	for _, dir := range []string{".", filepath.Join("..", "..")} {
		more, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, more...)
	}
	files = slices.DeleteFunc(files, func(f string) bool { return strings.HasSuffix(f, "_test.go") })
	u := findOpUsage(t, files)
	if len(u.declared) != len(Table) || len(u.listed) != len(Table) {
		t.Errorf("found %d declared and %d listed operations, the table has %d: the parser missed some",
			len(u.declared), len(u.listed), len(Table))
	}
	if bad := opUsageProblems(u); len(bad) > 0 {
		t.Errorf("%d problems:\n%s", len(bad), strings.Join(bad, "\n"))
	}
}

// TestOperationTable_UsageFailsOnBadSource proves the check catches a
// misnamed, an unlisted, a twice listed and an unused operation.
func TestOperationTable_UsageFailsOnBadSource(t *testing.T) {
	src := `package x

var (
	OpGetPlan     = &Op{ID: "getPlan"}
	OpGetBackupz  = &Op{ID: "getBackup"}
	OpListBackups = &Op{ID: "listBackups"}
	OpGetDatabase = &Op{ID: "getDatabase"}
)

var Table = [...]*Op{OpGetPlan, OpGetBackupz, OpGetDatabase, OpGetDatabase, OpGhost}

func f() {
	apicall.Fetch[T](ctx, c, apicall.OpGetPlan, r)
	Fetch[T](ctx, c, OpGetBackupz, r)
	other(OpListBackups)
}
`
	name := filepath.Join(t.TempDir(), "x.go")
	if err := os.WriteFile(name, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`OpGetBackupz: operation "getBackup", want the name OpGetBackup`,
		"OpGetDatabase: in Table 2 times, want once",
		"OpGetDatabase: no code names it",
		"OpListBackups: in Table 0 times, want once",
		"OpGhost: in Table, not declared as &Op{…}",
	}
	if diff := cmp.Diff(want, opUsageProblems(findOpUsage(t, []string{name}))); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// TestWireType_ConcurrentTypes builds the decoding types of one operation
// for several result types at once: each caller gets the struct of its own
// type, with the operation's envelope key.
// TestEnvelope_KnowsEveryKeyOfTheTable: every envelope key of the table
// has its wrapper, which decodes the value under that key, and only there;
// a key outside the table has none (FetchAnswer then fails, never panics).
func TestEnvelope_KnowsEveryKeyOfTheTable(t *testing.T) {
	type plan struct{ ID string }
	keys := 0
	for _, o := range Table {
		if o.Envelope == "" {
			continue
		}
		keys++
		w, got := envelope[plan](o.Envelope)
		if w == nil || got == nil {
			t.Errorf("%s: no wrapper for the envelope %q", o.ID, o.Envelope)
			continue
		}
		if err := json.Unmarshal([]byte(`{"`+o.Envelope+`": {"ID": "x"}, "other": {"ID": "y"}}`), w); err != nil || *got == nil || (*got).ID != "x" {
			t.Errorf("%s: %q decoded to %+v, %v", o.ID, o.Envelope, *got, err)
		}
		w, got = envelope[plan](o.Envelope)
		if err := json.Unmarshal([]byte(`{"`+o.Envelope+`s": {"ID": "x"}}`), w); err != nil || *got != nil {
			t.Errorf("%s: a neighbouring key filled the value: %+v, %v", o.ID, *got, err)
		}
	}
	if keys < 20 {
		t.Errorf("%d enveloped operations in the table: the loop missed it", keys)
	}
	if w, got := envelope[plan]("not_a_key"); w != nil || got != nil {
		t.Error("a key outside the table has a wrapper")
	}
}
