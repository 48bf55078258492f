package scalingodb

import (
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

func tableRows(table map[string]*op) map[string]tableRow {
	rows := map[string]tableRow{}
	for id, o := range table {
		rows[id] = tableRow{Method: o.method, Path: o.path, Envelope: o.envelope, Retry: o.retry}
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
	table := tableRows(operations)
	if len(spec) != 44 || len(table) != len(spec) || len(operationTable) != len(table) {
		t.Errorf("the spec has %d operations and the table %d (%d rows: a repeated ID?), want 44 each", len(spec), len(table), len(operationTable))
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
		rows := tableRows(operations)
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
		{"stale exception", retryMismatches, tableRows(operations), func() map[string]specOp {
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

// opCallees are the functions whose first string literal argument names
// an operation of the table.
var opCallees = map[string]bool{"operation": true, "fetch": true, "fetchOne": true, "fetchList": true, "send": true,
	"userCall": true}

// namedOperations returns the operation IDs the package's source names in
// calls of opCallees, with where.
func namedOperations(t *testing.T, files []string) map[string][]string {
	t.Helper()
	fset := token.NewFileSet()
	named := map[string][]string{}
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			fun := call.Fun
			if ix, ok := fun.(*ast.IndexExpr); ok {
				fun = ix.X
			}
			var callee string
			switch f := fun.(type) {
			case *ast.Ident:
				callee = f.Name
			case *ast.SelectorExpr:
				callee = f.Sel.Name
			}
			if !opCallees[callee] {
				return true
			}
			for _, a := range call.Args {
				if lit, ok := a.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					id, _ := strconv.Unquote(lit.Value)
					named[id] = append(named[id], fset.Position(lit.Pos()).String())
					break
				}
			}
			return true
		})
	}
	return named
}

// TestOperationTable_EveryCallNamesAnOperation checks, without running
// them, that the IDs the client's code names are in the table (a typo
// would panic at run time) and that every entry is used.
func TestOperationTable_EveryCallNamesAnOperation(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	files = slices.DeleteFunc(files, func(f string) bool { return strings.HasSuffix(f, "_test.go") })
	named := namedOperations(t, files)
	for id, where := range named {
		if _, ok := operations[id]; !ok {
			t.Errorf("%s names %q, which the table does not have", where[0], id)
		}
	}
	for id := range operations {
		if _, ok := named[id]; !ok {
			t.Errorf("no code names the table's operation %q", id)
		}
	}
	if len(named) != len(operations) {
		t.Errorf("found %d named operations: the parser missed calls", len(named))
	}
}

// TestOperationTable_NamedOperationsFindsCalls proves the parser finds the
// IDs of every kind of call, a typo included.
func TestOperationTable_NamedOperationsFindsCalls(t *testing.T) {
	src := `package x

func f() {
	fetch[T](ctx, c, "getBackupz", r)
	fetchOne[T](ctx, c, "getDatabase", r)
	s.c.send(ctx, "deleteDatabaseUser", r)
	operation("getPlan")
	other("listBackups")
}
`
	name := filepath.Join(t.TempDir(), "x.go")
	if err := os.WriteFile(name, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	got := slices.Sorted(maps.Keys(namedOperations(t, []string{name})))
	if diff := cmp.Diff([]string{"deleteDatabaseUser", "getBackupz", "getDatabase", "getPlan"}, got); diff != "" {
		t.Errorf("named operations (-want +got):\n%s", diff)
	}
	if _, ok := operations["getBackupz"]; ok {
		t.Fatal("the typo is in the table")
	}
}
