package scalingodb

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/apicall"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/wire"
)

// A drift is one way a client type differs from its generated twin.
type drift struct {
	Path string // type and JSON field, "Backup.size", "Database.instances[].type"
	Kind string // "missing", "extra", "optionality", "type" or "enum"
	What string // details, for the failure message
}

// Drift kinds.
const (
	driftMissing     = "missing"     // the spec has the field, the client type does not
	driftExtra       = "extra"       // the client type has a field the spec does not
	driftOptionality = "optionality" // required vs optional (omitempty), nullable vs not (pointer)
	driftType        = "type"        // string vs integer, object vs array...
	driftEnum        = "enum"        // the values of an enum differ, or one side is no enum
)

// enumValues gives the constant values of a named string type, and
// whether it is an enum at all.
type enumValues func(reflect.Type) ([]string, bool)

// driftComparer compares client types with their generated twins by
// reflection: JSON field names, optionality, kinds and enum values. Each
// pair of named types is compared once, under its label (see label), so
// that a type decoded by several operations has its drifts listed once.
type driftComparer struct {
	enums enumValues
	seen  map[[2]reflect.Type]bool
	out   []drift
}

func newComparer(enums enumValues) *driftComparer {
	return &driftComparer{enums: enums, seen: map[[2]reflect.Type]bool{}}
}

// drifts returns the drifts found so far, sorted.
func (c *driftComparer) drifts() []drift {
	out := slices.Clone(c.out)
	slices.SortFunc(out, func(a, b drift) int { return strings.Compare(a.Path+" "+a.Kind, b.Path+" "+b.Kind) })
	return slices.Compact(out)
}

// compareTypes returns the drifts of client against gen, sorted, under
// the path name.
func compareTypes(name string, client, gen reflect.Type, enums enumValues) []drift {
	c := newComparer(enums)
	c.values(name, client, gen)
	return c.drifts()
}

// label names a pair of named types in drift paths: the client type's
// name, and the generated one's in parentheses when it differs.
func label(client, gen reflect.Type) string {
	if client.Name() == gen.Name() {
		return client.Name()
	}
	return client.Name() + "(" + gen.Name() + ")"
}

// jsonField is what encoding/json sees of a struct field.
type jsonField struct {
	typ       reflect.Type
	omitempty bool
}

// jsonFields returns the fields encoding/json decodes into t, those of
// embedded structs included (a field of t hides one of the same name in
// an embedded struct, as in encoding/json).
func jsonFields(t reflect.Type) map[string]jsonField {
	fields := map[string]jsonField{}
	var embedded []reflect.Type
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if f.Anonymous && tag == "" && deref(f.Type).Kind() == reflect.Struct {
			embedded = append(embedded, deref(f.Type))
			continue
		}
		if !f.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		fields[name] = jsonField{typ: f.Type, omitempty: slices.Contains(strings.Split(opts, ","), "omitempty")}
	}
	for _, e := range embedded {
		for name, f := range jsonFields(e) {
			if _, hidden := fields[name]; !hidden {
				fields[name] = f
			}
		}
	}
	return fields
}

func (c *driftComparer) add(path, kind, what string) {
	c.out = append(c.out, drift{path, kind, what})
}

func (c *driftComparer) structs(path string, client, gen reflect.Type) {
	if c.seen[[2]reflect.Type{client, gen}] {
		return
	}
	c.seen[[2]reflect.Type{client, gen}] = true
	if client.Name() != "" && gen.Name() != "" {
		path = label(client, gen)
	}
	cf, gf := jsonFields(client), jsonFields(gen)
	for name, g := range gf {
		if _, ok := cf[name]; !ok {
			c.add(path+"."+name, driftMissing, "the spec has "+describe(g))
		}
	}
	for name, cl := range cf {
		g, ok := gf[name]
		if !ok {
			c.add(path+"."+name, driftExtra, "the client has "+describe(cl))
			continue
		}
		p := path + "." + name
		if co, go_ := shape(cl), shape(g); co != go_ {
			c.add(p, driftOptionality, "spec "+go_+", client "+co)
		}
		c.values(p, cl.typ, g.typ)
	}
}

// branches returns the types of the branches of a generated oneOf: the
// results of its As<Branch> methods.
func branches(union reflect.Type) []reflect.Type {
	var out []reflect.Type
	for m := range union.Methods() {
		if strings.HasPrefix(m.Name, "As") && m.Type.NumOut() == 2 {
			out = append(out, m.Type.Out(0))
		}
	}
	return out
}

// union compares one client type with each branch of a generated oneOf:
// it decodes any of them. A field the client has beyond one branch is no
// drift when another branch has it.
func (c *driftComparer) union(path string, client, gen reflect.Type) {
	bs := branches(gen)
	if len(bs) == 0 {
		c.add(path, driftType, "spec oneOf "+gen.Name()+" without branches")
		return
	}
	for _, b := range bs {
		sub := &driftComparer{enums: c.enums, seen: c.seen}
		sub.structs(path, client, b)
		for _, d := range sub.out {
			field := d.Path[strings.LastIndexByte(d.Path, '.')+1:]
			if d.Kind == driftExtra && slices.ContainsFunc(bs, func(o reflect.Type) bool { _, ok := jsonFields(o)[field]; return ok }) {
				continue
			}
			c.out = append(c.out, d)
		}
	}
}

// shape says whether a field is optional: a value that may be absent
// (omitempty) or null (a pointer; slices and maps are nil-able either way).
// The generated code makes every field the spec does not require a
// pointer with omitempty, and a required nullable field a pointer; a
// client field that is neither cannot tell an absent value from a zero one.
func shape(f jsonField) string {
	if f.omitempty || (f.typ.Kind() == reflect.Pointer && !isNilable(f.typ.Elem())) {
		return "optional"
	}
	return "required"
}

func isNilable(t reflect.Type) bool { return t.Kind() == reflect.Slice || t.Kind() == reflect.Map }

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

// kind names the JSON kind of t.
func kind(t reflect.Type) string {
	t = deref(t)
	switch {
	case t == timeType:
		return "date-time"
	case t == rawType:
		return "any" // raw JSON, for the caller to decode
	case t.Kind() == reflect.Struct && t.NumField() > 0 && t.Field(0).Name == "union":
		return "union" // a oneOf of the generated code
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Struct:
		return "object"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map:
		return "map"
	case reflect.Interface:
		return "any"
	}
	return t.Kind().String()
}

func describe(f jsonField) string { return shape(f) + " " + kind(f.typ) }

// values compares the values of a field: kinds, enums, and nested types.
// A client value of any kind (raw JSON) takes every value.
func (c *driftComparer) values(path string, client, gen reflect.Type) {
	client, gen = deref(client), deref(gen)
	ck, gk := kind(client), kind(gen)
	switch {
	case ck == "any":
		return
	case ck == "object" && gk == "union":
		c.union(path, client, gen)
		return
	case ck != gk:
		c.add(path, driftType, "spec "+gk+", client "+ck)
		return
	}
	switch ck {
	case "object":
		c.structs(path, client, gen)
	case "array":
		c.values(path+"[]", client.Elem(), gen.Elem())
	case "map":
		c.values(path+"{}", client.Elem(), gen.Elem())
	case "string":
		cv, cEnum := c.enums(client)
		gv, gEnum := c.enums(gen)
		switch {
		case cEnum && gEnum:
			if only := diffSets(gv, cv); only != "" {
				c.add(path, driftEnum, only)
			}
		case cEnum != gEnum:
			c.add(path, driftEnum, fmt.Sprintf("spec enum %t (%v), client enum %t (%v)", gEnum, gv, cEnum, cv))
		}
	}
}

// diffSets describes how the values of spec and client differ, or "".
func diffSets(spec, client []string) string {
	onlySpec, onlyClient := without(spec, client), without(client, spec)
	if len(onlySpec) == 0 && len(onlyClient) == 0 {
		return ""
	}
	return fmt.Sprintf("only in the spec: %v; only in the client: %v", onlySpec, onlyClient)
}

// without returns the values of a that b does not hold.
func without(a, b []string) []string {
	return slices.DeleteFunc(slices.Clone(a), func(v string) bool { return slices.Contains(b, v) })
}

// parseSources parses the Go files of dir but its tests.
func parseSources(t *testing.T, dir string) (*token.FileSet, []*ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	names = slices.DeleteFunc(names, func(name string) bool { return strings.HasSuffix(name, "_test.go") })
	return fset, parseFiles(t, fset, names, parser.SkipObjectResolution)
}

// stringConsts reads the Go files of dir and returns, for each named type,
// the values of its typed string constants: the enums of the package.
func stringConsts(t *testing.T, dir string) map[string][]string {
	t.Helper()
	consts := map[string][]string{}
	_, files := parseSources(t, dir)
	for _, f := range files {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				typ, ok := vs.Type.(*ast.Ident)
				if !ok {
					continue
				}
				for _, v := range vs.Values {
					lit, ok := v.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					s, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					consts[typ.Name] = append(consts[typ.Name], s)
				}
			}
		}
	}
	if len(consts) == 0 {
		t.Fatalf("no string constants in %s", dir)
	}
	return consts
}

// packageEnums gives the enums of this package and of gen/dbapi, read
// from their sources.
func packageEnums(t *testing.T) enumValues {
	t.Helper()
	client := stringConsts(t, ".")
	gen := stringConsts(t, filepath.Join("..", "..", "gen", "dbapi"))
	clientPkg := reflect.TypeFor[Backup]().PkgPath()
	genPkg := reflect.TypeFor[dbapi.Backup]().PkgPath()
	return func(typ reflect.Type) ([]string, bool) {
		var consts map[string][]string
		switch typ.PkgPath() {
		case clientPkg:
			consts = client
		case genPkg:
			consts = gen
		default:
			return nil, false
		}
		v, ok := consts[typ.Name()]
		return v, ok
	}
}

// decodeSite is one place where the client decodes an answer of the
// Database API: the type it decodes into, as written in the source, and
// the operation whose answer it is.
type decodeSite struct {
	pos    string // file:line
	helper string // fetch, fetchOne, fetchList, fetchAnswer, or call for Client.call
	typ    string // the type expression, such as "Backup" or "[]userWire"
	op     string // the op variable, such as "opGetBackup"
}

// decodeHelpers are the functions that decode an answer into their type
// argument; Client.call decodes into its fourth argument.
var decodeHelpers = map[string]bool{"fetch": true, "fetchOne": true, "fetchList": true, "fetchAnswer": true}

// findDecodeSites reads the package's sources and returns every call of a
// decode helper with a type argument, and every call of Client.call with
// the address of a declared variable, with the operation of each: an op
// variable, a local set from one, or a parameter set from one by every
// caller. A site whose type or operation cannot be told is an error, so
// that no decoding escapes the drift test.
func findDecodeSites(t *testing.T, dir string) (sites []decodeSite, problems []string) {
	t.Helper()
	fset, files := parseSources(t, dir)
	var funcs []*ast.FuncDecl
	for _, f := range files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				funcs = append(funcs, fd)
			}
		}
	}
	for _, fd := range funcs {
		if fd.Type.TypeParams != nil {
			continue // the helpers themselves decode into a type parameter
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			site := decodeSite{pos: shortPos(fset.Position(call.Pos()))}
			var opArg ast.Expr
			switch fun := call.Fun.(type) {
			case *ast.IndexExpr: // apicall.Fetch[T](ctx, c, o, r), or fetch[T]
				name := localName(fun.X)
				if !decodeHelpers[name] || len(call.Args) < 3 {
					return true
				}
				site.helper, site.typ, opArg = name, types.ExprString(fun.Index), call.Args[2]
			case *ast.SelectorExpr: // c.caller.Call(ctx, o, send, &w), or c.call
				if localName(fun) != "call" || len(call.Args) != 4 {
					return true
				}
				site.helper, opArg = "call", call.Args[1]
				if passesThrough(fd, call.Args[3], funcs) {
					return true // a parameter that every caller sets to nil
				}
				u, ok := call.Args[3].(*ast.UnaryExpr)
				id, isIdent := ast.Expr(nil), false
				if ok && u.Op == token.AND {
					id, isIdent = u.X.(*ast.Ident)
				}
				if !isIdent {
					problems = append(problems, fmt.Sprintf("%s: Client.call decodes into %s: pass the address of a declared variable, so that the drift test finds its type", site.pos, types.ExprString(call.Args[3])))
					return true
				}
				site.typ = varType(fd, id.(*ast.Ident).Name)
				if site.typ == "" {
					problems = append(problems, fmt.Sprintf("%s: cannot tell the type of %s", site.pos, types.ExprString(id)))
					return true
				}
			default:
				return true
			}
			ops := opsOf(fd, opArg, funcs)
			if len(ops) == 0 {
				problems = append(problems, fmt.Sprintf("%s: cannot tell the operation %s", site.pos, types.ExprString(opArg)))
			}
			for _, op := range ops {
				site.op = op
				sites = append(sites, site)
			}
			return true
		})
	}
	return sites, problems
}

// localName returns the name of an identifier, or of the selected name
// of a selector with a lower-case first letter (apicall.FetchOne:
// fetchOne), so that the sources and testdata/decodesites read alike.
func localName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return strings.ToLower(e.Sel.Name[:1]) + e.Sel.Name[1:]
	}
	return ""
}

func shortPos(p token.Position) string { return filepath.Base(p.Filename) + ":" + strconv.Itoa(p.Line) }

// paramIndex returns the position of the parameter name of fd, or -1.
func paramIndex(fd *ast.FuncDecl, name string) int {
	i := 0
	for _, field := range fd.Type.Params.List {
		for _, n := range field.Names {
			if n.Name == name {
				return i
			}
			i++
		}
	}
	return -1
}

// callArgs returns the argument every call of fd's name in funcs passes
// for fd's parameter name, with the function that holds the call; none
// when name is no parameter of fd.
func callArgs(fd *ast.FuncDecl, name string, funcs []*ast.FuncDecl) (args []ast.Expr, in []*ast.FuncDecl) {
	index := paramIndex(fd, name)
	if index < 0 {
		return nil, nil
	}
	for _, caller := range funcs {
		ast.Inspect(caller.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == fd.Name.Name && index < len(call.Args) {
				args, in = append(args, call.Args[index]), append(in, caller)
			}
			return true
		})
	}
	return args, in
}

// passesThrough reports whether e is a parameter of fd that every caller
// of fd sets to nil: Client.do, which decodes nothing.
func passesThrough(fd *ast.FuncDecl, e ast.Expr, funcs []*ast.FuncDecl) bool {
	id, ok := e.(*ast.Ident)
	if !ok {
		return false
	}
	args, _ := callArgs(fd, id.Name, funcs)
	for _, a := range args {
		if nilID, ok := a.(*ast.Ident); !ok || nilID.Name != "nil" {
			return false
		}
	}
	return len(args) > 0
}

// varType returns the type of the variable name declared with var in fd.
func varType(fd *ast.FuncDecl, name string) string {
	var typ string
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok && vs.Type != nil {
			for _, id := range vs.Names {
				if id.Name == name {
					typ = types.ExprString(vs.Type)
				}
			}
		}
		return typ == ""
	})
	return typ
}

// opsOf returns the op variables that e stands for in fd: e itself, the
// op assigned to a local, or the ops every caller passes for a parameter.
func opsOf(fd *ast.FuncDecl, e ast.Expr, funcs []*ast.FuncDecl) []string {
	if sel, ok := e.(*ast.SelectorExpr); ok && strings.HasPrefix(sel.Sel.Name, "Op") {
		return []string{localName(sel)} // apicall.OpGetBackup: opGetBackup
	}
	id, ok := e.(*ast.Ident)
	if !ok {
		return nil
	}
	if strings.HasPrefix(id.Name, "op") && len(id.Name) > 2 && id.Name[2] >= 'A' && id.Name[2] <= 'Z' {
		return []string{id.Name}
	}
	var ops []string
	ast.Inspect(fd.Body, func(n ast.Node) bool { // o, r := opX, ...
		if as, ok := n.(*ast.AssignStmt); ok && len(as.Lhs) == len(as.Rhs) {
			for i, l := range as.Lhs {
				if lid, ok := l.(*ast.Ident); ok && lid.Name == id.Name {
					ops = append(ops, opsOf(fd, as.Rhs[i], nil)...)
				}
			}
		}
		return true
	})
	if len(ops) > 0 || funcs == nil {
		return ops
	}
	args, callers := callArgs(fd, id.Name, funcs)
	for i, a := range args {
		ops = append(ops, opsOf(callers[i], a, nil)...)
	}
	return ops
}

// decodingTypes are the types of the decode sites, by their expression in
// the source. A type the source decodes into and this map lacks fails the
// test: add it here, and the test compares it with the spec.
var decodingTypes = map[string]reflect.Type{
	"Backup":                     reflect.TypeFor[Backup](),
	"createdBackupWire":          reflect.TypeFor[createdBackupWire](),
	"dbapi.BackupArchive":        reflect.TypeFor[dbapi.BackupArchive](),
	"DatabaseType":               reflect.TypeFor[DatabaseType](),
	"Plan":                       reflect.TypeFor[Plan](),
	"Database":                   reflect.TypeFor[Database](),
	"upgradeWire":                reflect.TypeFor[upgradeWire](),
	"FeatureToggle":              reflect.TypeFor[FeatureToggle](),
	"wire.Message":               reflect.TypeFor[wire.Message](),
	"wire.ActionResult":          reflect.TypeFor[wire.ActionResult](),
	"FirewallRule":               reflect.TypeFor[FirewallRule](),
	"ManagedRange":               reflect.TypeFor[ManagedRange](),
	"InstanceStatus":             reflect.TypeFor[InstanceStatus](),
	"dbapi.LogsURL":              reflect.TypeFor[dbapi.LogsURL](),
	"wire.LogsArchives":          reflect.TypeFor[wire.LogsArchives](),
	"maintenancePageWire":        reflect.TypeFor[maintenancePageWire](),
	"Maintenance":                reflect.TypeFor[Maintenance](),
	"metricsWire":                reflect.TypeFor[metricsWire](),
	"dbapi.Health":               reflect.TypeFor[dbapi.Health](),
	"Operation":                  reflect.TypeFor[Operation](),
	"RecoveryWindow":             reflect.TypeFor[RecoveryWindow](),
	"json.RawMessage":            reflect.TypeFor[json.RawMessage](),
	"map[string]json.RawMessage": reflect.TypeFor[map[string]json.RawMessage](),
	"BackupRestoration":          reflect.TypeFor[BackupRestoration](),
	"DatabaseTypeVersion":        reflect.TypeFor[DatabaseTypeVersion](),
	"[]userWire":                 reflect.TypeFor[[]userWire](),
	"userWire":                   reflect.TypeFor[userWire](),
}

// otherTwins are the types the client decodes or encodes outside the
// decode helpers: the error body of every failed answer, and the request
// bodies built from the caller's parameters.
var otherTwins = []struct {
	name      string
	client    reflect.Type
	generated reflect.Type
}{
	{"Error", reflect.TypeFor[errorBody](), reflect.TypeFor[dbapi.Error]()},
	{"MaintenanceWindowParams", reflect.TypeFor[MaintenanceWindowParams](), reflect.TypeFor[dbapi.MaintenanceWindowUpdate]()},
	// The spec's new rules are a oneOf of two kinds (discriminated by
	// type); one client type holds either, so it is compared with each.
	{"CreateFirewallRuleParams(custom)", reflect.TypeFor[CreateFirewallRuleParams](), reflect.TypeFor[dbapi.CustomRangeFirewallRuleCreate]()},
	{"CreateFirewallRuleParams(managed)", reflect.TypeFor[CreateFirewallRuleParams](), reflect.TypeFor[dbapi.ManagedRangeFirewallRuleCreate]()},
}

// successType returns the generated type of the JSON success answer of
// the operation id (the JSON2xx field of its generated response), or nil.
func successType(id string) reflect.Type {
	for m := range reflect.TypeFor[*dbapi.ClientWithResponses]().Methods() {
		if !strings.EqualFold(m.Name, id+"WithResponse") {
			continue
		}
		resp := m.Type.Out(0).Elem()
		for f := range resp.Fields() {
			if strings.HasPrefix(f.Name, "JSON2") {
				return f.Type
			}
		}
	}
	return nil
}

// opsByVar maps the name of each op variable to its op: "op" and the
// operation ID with a capital, as ops.go names them.
func opsByVar() map[string]*apicall.Op {
	m := map[string]*apicall.Op{}
	for _, o := range apicall.Table {
		m["op"+strings.ToUpper(o.ID[:1])+o.ID[1:]] = o
	}
	return m
}

// compareDecodeSites compares the type of every site with the spec's
// answer of its operation (under its envelope key, which the decode
// helpers but Client.call remove) and returns the drifts, and the type
// names compared.
func compareDecodeSites(c *driftComparer, sites []decodeSite, types map[string]reflect.Type) (compared map[string]bool, problems []string) {
	ops := opsByVar()
	compared = map[string]bool{}
	for _, site := range sites {
		client, ok := types[site.typ]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: the client decodes the answer of %s into %s, which decodingTypes lacks: add it, so that it is compared with the spec", site.pos, site.op, site.typ))
			continue
		}
		o, ok := ops[site.op]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: %s is no operation of operationTable", site.pos, site.op))
			continue
		}
		gen := successType(o.ID)
		if gen == nil {
			problems = append(problems, fmt.Sprintf("%s: %s has no JSON success answer in the spec", site.pos, o.ID))
			continue
		}
		if site.helper == "fetchList" {
			client = reflect.PointerTo(reflect.SliceOf(reflect.PointerTo(client)))
		}
		if o.Envelope != "" && site.helper != "call" {
			f, ok := jsonFields(deref(gen))[o.Envelope]
			if !ok {
				c.add(o.ID, driftMissing, "the spec has no envelope key "+o.Envelope)
				continue
			}
			gen = f.typ
		}
		c.values(o.ID, client, gen)
		compared[site.typ] = true
	}
	return compared, problems
}

// TestClientTypesMatchTheSpec compares every type the client decodes an
// answer of the Database API into, found in the source (see
// findDecodeSites), with the spec's answer of its operation, and the
// other types of otherTwins with theirs. Every drift must be listed in
// allowedDrift with its reason.
func TestClientTypesMatchTheSpec(t *testing.T) {
	c := newComparer(packageEnums(t))
	sites, problems := findDecodeSites(t, ".")
	compared, more := compareDecodeSites(c, sites, decodingTypes)
	for _, p := range append(problems, more...) {
		t.Error(p)
	}
	found := map[string]bool{}
	for _, site := range sites {
		found[site.typ] = true
	}
	for name := range decodingTypes {
		if !found[name] {
			t.Errorf("decodingTypes[%q] is decoded nowhere any more: remove it", name)
		}
	}
	t.Logf("%d of %d decoding types compared with the spec, at %d decode sites", len(compared), len(found), len(sites))
	if len(compared) != len(found) || len(found) < 20 {
		t.Errorf("compared %d of %d decoding types: the finder misses some", len(compared), len(found))
	}
	for _, tw := range otherTwins {
		c.values(tw.name, tw.client, tw.generated)
	}
	checkDrifts(t, c.drifts(), allowedDrift)
}

// TestFindDecodeSites proves the finder on testdata/decodesites: it finds
// each form of decode site with its operations, and reports the sites it
// cannot tell and the types decodingTypes lacks.
func TestFindDecodeSites(t *testing.T) {
	sites, problems := findDecodeSites(t, filepath.Join("testdata", "decodesites"))
	var got [][3]string
	for _, s := range sites {
		got = append(got, [3]string{s.helper, s.typ, s.op})
	}
	want := [][3]string{
		{"fetchOne", "Backup", "opGetBackup"},
		{"fetch", "struct{URL string}", "opGetDatabaseLogsUrl"},
		{"call", "createdBackupWire", "opCreateBackup"},
		{"fetchAnswer", "userWire", "opCreateDatabaseUser"},
		{"fetchAnswer", "userWire", "opResetDatabaseUserPassword"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sites (-want +got):\n%s", diff)
	}
	wantProblems := []string{
		"sites.go:22: Client.call decodes into new(Backup): pass the address of a declared variable, so that the drift test finds its type",
		"sites.go:35: cannot tell the operation o",
	}
	if diff := cmp.Diff(wantProblems, problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	_, problems = compareDecodeSites(newComparer(packageEnums(t)), sites, decodingTypes)
	if len(problems) != 1 || !strings.Contains(problems[0], "which decodingTypes lacks") {
		t.Errorf("an anonymous struct is not reported as missing from decodingTypes: %q", problems)
	}
}

// toggleMisnamed is FeatureToggle with its status field misnamed and its
// message dropped, as a careless edit would leave it.
type toggleMisnamed struct {
	Name   string        `json:"name"`
	Status FeatureStatus `json:"stauts"`
}

// TestClientTypesMatchTheSpec_FailsOnDrift proves that the drift test
// fails when a decoding type of the client drops or misnames a field:
// the feature sites decode into toggleMisnamed instead of FeatureToggle.
func TestClientTypesMatchTheSpec_FailsOnDrift(t *testing.T) {
	types := maps.Clone(decodingTypes)
	types["FeatureToggle"] = reflect.TypeFor[toggleMisnamed]()
	sites, _ := findDecodeSites(t, ".")
	c := newComparer(packageEnums(t))
	if _, problems := compareDecodeSites(c, sites, types); len(problems) > 0 {
		t.Fatal(problems)
	}
	var unexplained []string
	for _, d := range c.drifts() {
		if _, ok := allowedDrift[[2]string{d.Path, d.Kind}]; !ok {
			unexplained = append(unexplained, d.Path+" "+d.Kind)
		}
	}
	want := []string{"toggleMisnamed(FeatureToggleResult).message missing", "toggleMisnamed(FeatureToggleResult).status missing", "toggleMisnamed(FeatureToggleResult).stauts extra"}
	if diff := cmp.Diff(want, unexplained); diff != "" {
		t.Errorf("drifts not in allowedDrift (-want +got):\n%s", diff)
	}
}

// TestCompareTypes_Union compares one client type with each branch of a
// generated oneOf: a field of another branch is no drift, a field of no
// branch is.
func TestCompareTypes_Union(t *testing.T) {
	enums := packageEnums(t)
	got := compareTypes("T", reflect.TypeFor[FirewallRule](), reflect.TypeFor[dbapi.FirewallRule](), enums)
	for _, d := range got {
		if d.Kind == driftExtra {
			t.Errorf("%s: a field of the other branch counted as extra", d.Path)
		}
	}
	type ruleWithExtra struct {
		FirewallRule
		Colour string `json:"colour"`
	}
	got = compareTypes("T", reflect.TypeFor[ruleWithExtra](), reflect.TypeFor[dbapi.FirewallRule](), enums)
	var extras []string
	for _, d := range got {
		if d.Kind == driftExtra {
			extras = append(extras, d.Path)
		}
	}
	if diff := cmp.Diff([]string{"ruleWithExtra(CustomRangeFirewallRule).colour", "ruleWithExtra(ManagedRangeFirewallRule).colour"}, extras); diff != "" {
		t.Errorf("extra fields (-want +got):\n%s", diff)
	}
}

// checkDrifts fails on each drift allowed does not list, and on each
// entry of allowed that matches no drift.
func checkDrifts(t *testing.T, got []drift, allowed map[[2]string]string) {
	t.Helper()
	used := map[[2]string]bool{}
	for _, d := range got {
		key := [2]string{d.Path, d.Kind}
		if _, ok := allowed[key]; ok {
			used[key] = true
			continue
		}
		t.Errorf("%s: %s drift: %s", d.Path, d.Kind, d.What)
	}
	for key := range allowed {
		if !used[key] {
			t.Errorf("allowedDrift[%q] matches no difference any more: remove it", key)
		}
	}
}

// allowedDrift lists the differences the client keeps on purpose, each
// with its reason. An entry that no longer matches a difference fails the
// test too, so the list stays true. Paths start with the label of the
// pair of types compared (see label).
var allowedDrift = map[[2]string]string{
	{"Backup.type", driftMissing}:       "deprecated: only the original document has it, and the official Go client does not decode it",
	{"Backup.method", driftOptionality}: absentIsZero,
	{"Backup.size", driftOptionality}:   "null or absent until the backup is done: Size is 0 then, as in the official Go client",

	// createBackup's answer is a oneOf: the envelope, or a bare Backup,
	// which createdBackupWire decodes through the Backup it embeds.
	{"createdBackupWire(Backup).type", driftMissing}:                        "as Backup.type",
	{"createdBackupWire(Backup).method", driftOptionality}:                  absentIsZero,
	{"createdBackupWire(Backup).size", driftOptionality}:                    "as Backup.size",
	{"createdBackupWire(BackupResponse).database_backup", driftOptionality}: "a pointer tells the envelope from a bare backup",

	{"Database.current_operation_id", driftOptionality}: "\"\" when no operation runs, as documented on the field",
	{"Database.next_version_id", driftOptionality}:      "\"\" when no upgrade is available, as documented on the field",

	{"userWire(DatabaseUser).read_only", driftType}:                              "wire.OptBool decodes the boolean and also tells an absent read_only (checked by the decoder) from false",
	{"userWire(DatabaseUserWithPassword).read_only", driftType}:                  "as for DatabaseUser",
	{"userWire(DatabaseUser).password", driftExtra}:                              "one type for every user: the answers that create a user or reset its password (DatabaseUserWithPassword) carry one; a listed or updated user has none, and DatabaseUser.Password is empty",
	{"userWire(DatabaseUser).protected", driftOptionality}:                       absentIsZero,
	{"userWire(DatabaseUserWithPassword).protected", driftOptionality}:           absentIsZero,
	{"userWire(DatabaseUser).dbms_attributes", driftOptionality}:                 absentIsZero,
	{"userWire(DatabaseUserWithPassword).dbms_attributes", driftOptionality}:     absentIsZero,
	{"dbmsAttributesWire(DbmsAttributes).password_encryption", driftOptionality}: absentIsZero,
	{"dbmsAttributesWire(DbmsAttributes).anonymizer_enabled", driftMissing}:      "not exposed: no method of the client needs it yet",

	{"ErrorBody(Error).error", driftOptionality}:    "a pointer tells an error body from another JSON body",
	{"ErrorBody(Error).errors", driftExtra}:         "one type decodes both error bodies of the spec: Error and ValidationErrors (422)",
	{"ErrorBody(Error).code", driftOptionality}:     absentIsZero,
	{"ErrorBody(Error).resource", driftOptionality}: absentIsZero,

	{"metricsWire(Metrics).cpu_usage", driftOptionality}:         requiredPointer,
	{"metricsWire(Metrics).real_disk_size", driftOptionality}:    requiredPointer,
	{"MemoryMetrics.memory", driftOptionality}:                   metricsZero,
	{"MemoryMetrics.memory_limit", driftOptionality}:             metricsZero,
	{"MemoryMetrics.memory_max", driftOptionality}:               metricsZero,
	{"MemoryMetrics.swap", driftOptionality}:                     metricsZero,
	{"MemoryMetrics.swap_limit", driftOptionality}:               metricsZero,
	{"MemoryMetrics.swap_max", driftOptionality}:                 metricsZero,
	{"InstanceMetrics.cpu", driftOptionality}:                    metricsZero,
	{"InstanceMetrics.cpu.usage_in_percents", driftOptionality}:  metricsZero,
	{"InstanceMetrics.instance_address", driftOptionality}:       metricsZero,
	{"InstanceMetrics.instance_id", driftOptionality}:            metricsZero,
	{"InstanceMetrics.memory", driftOptionality}:                 metricsZero,
	{"InstanceMetrics.real_disk_size", driftOptionality}:         metricsZero,
	{"InstanceMemoryMetrics.max_memory_usage", driftOptionality}: metricsZero,
	{"InstanceMemoryMetrics.max_swap_usage", driftOptionality}:   metricsZero,
	{"InstanceMemoryMetrics.memory_limit", driftOptionality}:     metricsZero,
	{"InstanceMemoryMetrics.memory_usage", driftOptionality}:     metricsZero,
	{"InstanceMemoryMetrics.swap_limit", driftOptionality}:       metricsZero,
	{"InstanceMemoryMetrics.swap_usage", driftOptionality}:       metricsZero,

	{"FirewallRule(CustomRangeFirewallRule).cidr", driftOptionality}:      firewallKinds,
	{"FirewallRule(CustomRangeFirewallRule).type", driftEnum}:             firewallKinds,
	{"FirewallRule(ManagedRangeFirewallRule).range_id", driftOptionality}: firewallKinds,
	{"FirewallRule(ManagedRangeFirewallRule).type", driftEnum}:            firewallKinds,

	{"CreateFirewallRuleParams(CustomRangeFirewallRuleCreate).cidr", driftOptionality}:      firewallKinds,
	{"CreateFirewallRuleParams(CustomRangeFirewallRuleCreate).range_id", driftExtra}:        firewallKinds,
	{"CreateFirewallRuleParams(CustomRangeFirewallRuleCreate).type", driftEnum}:             firewallKinds,
	{"CreateFirewallRuleParams(ManagedRangeFirewallRuleCreate).cidr", driftExtra}:           firewallKinds,
	{"CreateFirewallRuleParams(ManagedRangeFirewallRuleCreate).range_id", driftOptionality}: firewallKinds,
	{"CreateFirewallRuleParams(ManagedRangeFirewallRuleCreate).type", driftEnum}:            firewallKinds,

	{"Operation.created_at", driftOptionality}: "the operation of a restore always has it in practice; the zero time says it was absent",
	{"Operation.error", driftOptionality}:      "\"\" unless the operation failed",
	{"Operation.status", driftOptionality}:     absentIsZero,
	{"Operation.type", driftOptionality}:       absentIsZero,

	{"ActionResult.ok", driftOptionality}:     requiredPointer,
	{"ActionResult.error", driftOptionality}:  "\"\" unless the action failed",
	{"ActionResult.result", driftOptionality}: "raw JSON, nil when absent: Actions.Run returns null then",

	{"LogsArchives.has_more", driftOptionality}:    requiredPointer,
	{"LogsArchives.next_cursor", driftOptionality}: "\"\" when there is none: AllArchives yields ErrNoCursor if more pages follow",
	{"LogsArchive.url", driftOptionality}:          requiredPointer,

	{"maintenancePageWire(MaintenancesResponse).meta", driftOptionality}:            requiredPointer,
	{"maintenancePageWire(MaintenancesResponse).meta.pagination", driftOptionality}: requiredPointer,
	{"Pagination(PaginationMeta).current_page", driftOptionality}:                   requiredPointer,
	{"Pagination(PaginationMeta).per_page", driftMissing}:                           "not exposed: the caller chose it",

	{"Message.message", driftOptionality}: requiredPointer,

	{"upgradeWire(UpgradeResponse).message", driftOptionality}:         requiredPointer,
	{"upgradeWire(UpgradeResponse).operation_id", driftOptionality}:    requiredPointer,
	{"upgradeWire(UpgradeResponse).warning_message", driftOptionality}: "\"\" when the server gives no warning",
	// The target version is decoded into DatabaseTypeVersion, the type of
	// Upgrade.Target, which the getDatabaseTypeVersion answer matches.
	{"upgradeWire(UpgradeResponse).build", driftOptionality}:            upgradeTarget,
	{"upgradeWire(UpgradeResponse).created_at", driftOptionality}:       upgradeTarget,
	{"upgradeWire(UpgradeResponse).updated_at", driftOptionality}:       upgradeTarget,
	{"upgradeWire(UpgradeResponse).database_type_id", driftOptionality}: upgradeTarget,
	{"upgradeWire(UpgradeResponse).features", driftOptionality}:         upgradeTarget,
	{"upgradeWire(UpgradeResponse).major", driftOptionality}:            upgradeTarget,
	{"upgradeWire(UpgradeResponse).minor", driftOptionality}:            upgradeTarget,
	{"upgradeWire(UpgradeResponse).patch", driftOptionality}:            upgradeTarget,
	{"upgradeWire(UpgradeResponse).next_upgrade", driftExtra}:           upgradeTarget,
	{"upgradeWire(UpgradeResponse).deleted_at", driftMissing}:           upgradeTarget,
	{"upgradeWire(UpgradeResponse).maintenance_window", driftMissing}:   upgradeTarget,
	{"upgradeWire(UpgradeResponse).release_number", driftMissing}:       upgradeTarget,
}

// Reasons shared by several entries of allowedDrift.
const (
	absentIsZero    = "an absent value reads as the zero value (\"\" or false), which means the same to a caller: not set, unknown or not protected"
	requiredPointer = "a pointer tells a missing required field, which the client reports as ErrMalformedResponse"
	upgradeTarget   = "Upgrade.Target is a DatabaseTypeVersion: an absent figure reads as zero, and the fields only an upgrade answer has are not exposed"
	firewallKinds   = "one client type holds both kinds of the spec's oneOf: Type says which, CIDR is set for a custom range and RangeID for a managed one (Create checks it before sending)"
	metricsZero     = "the spec makes every figure optional (the documents disagree on names); an absent figure reads as 0"
)

// enumTwins names the generated twin of each client enum whose name
// differs; the others have the same name in both packages.
var enumTwins = map[string]string{"InstanceRole": "InstanceStatusRole", "RestorationStatus": "BackupRestorationStatus", "RestorationMethod": "BackupRestorationMethod"}

// enumUnions names the generated enums whose values together are those of
// one client enum: the spec gives each kind of a oneOf its own.
var enumUnions = map[string][]string{"FirewallRuleType": {"CustomRangeFirewallRuleType", "ManagedRangeFirewallRuleType"}}

// TestClientEnumsMatchTheSpec compares every enum of the client (a named
// type with string constants) with its generated twin, including those no
// tagged type reaches (HealthStatus).
func TestClientEnumsMatchTheSpec(t *testing.T) {
	client := stringConsts(t, ".")
	gen := stringConsts(t, filepath.Join("..", "..", "gen", "dbapi"))
	if len(client) < 10 {
		t.Fatalf("found %d client enums: the parser misses some", len(client))
	}
	for name, values := range client {
		twin := name
		if n, ok := enumTwins[name]; ok {
			twin = n
		}
		want, ok := gen[twin]
		if parts, union := enumUnions[name]; union {
			want, ok = nil, true
			for _, p := range parts {
				vals, found := gen[p]
				if !found {
					t.Errorf("client enum %s: no generated %s", name, p)
				}
				want = append(want, vals...)
			}
		}
		if !ok {
			t.Errorf("client enum %s has no generated twin %s", name, twin)
			continue
		}
		if only := diffSets(want, values); only != "" {
			t.Errorf("enum %s: %s", name, only)
		}
	}
}

// Fixture types for the comparator's own test: a generated-like twin, the
// items of the lists, and a client-like type that embeds a struct; fixture
// builds the other client-like types, each drifting in its edits only.
type (
	fixtureGenState string
	fixtureClientSt string
	fixtureGenItem  struct {
		Name string `json:"name"`
	}
	fixtureClientIt struct {
		Name string `json:"name"`
	}

	fixtureGen struct {
		ID        string           `json:"id"`
		CreatedAt time.Time        `json:"created_at"`
		Size      *int64           `json:"size,omitempty"`
		State     fixtureGenState  `json:"state"`
		Items     []fixtureGenItem `json:"items"`
	}
	fixtureEmbedded struct {
		CreatedAt time.Time `json:"created_at"`
		Size      *int64    `json:"size"`
	}
	fixtureEmbedding struct {
		ID    string            `json:"id"`
		State fixtureClientSt   `json:"state"`
		Items []fixtureClientIt `json:"items"`
		Size  string            `json:"size"` // hides the embedded Size
		fixtureEmbedded
	}
)

// fixture returns a client-like struct type in step with fixtureGen but
// for the edits: each replaces the field of its name, or drops it when it
// has no type.
func fixture(edits ...reflect.StructField) reflect.Type {
	same := []reflect.StructField{
		fixtureField[string]("ID", "id"),
		fixtureField[time.Time]("CreatedAt", "created_at"),
		fixtureField[*int64]("Size", "size"),
		fixtureField[fixtureClientSt]("State", "state"),
		fixtureField[[]fixtureClientIt]("Items", "items"),
	}
	var fields []reflect.StructField
	for _, f := range same {
		for _, e := range edits {
			if e.Name == f.Name {
				f = e
			}
		}
		if f.Type != nil {
			fields = append(fields, f)
		}
	}
	return reflect.StructOf(fields)
}

// fixtureRenamedIt is fixtureClientIt with its field renamed.
type fixtureRenamedIt struct {
	Name string `json:"nom"`
}

// fixtureField is an edit of fixture: the field name, of type T, named tag in JSON.
func fixtureField[T any](name, tag string) reflect.StructField {
	return reflect.StructField{Name: name, Type: reflect.TypeFor[T](), Tag: reflect.StructTag(`json:"` + tag + `"`)}
}

// dropped is an edit of fixture that drops the field name.
func dropped(name string) reflect.StructField { return reflect.StructField{Name: name} }

func TestCompareTypes(t *testing.T) {
	enums := func(values map[string][]string) enumValues {
		return func(typ reflect.Type) ([]string, bool) {
			v, ok := values[typ.Name()]
			return v, ok
		}
	}
	same := enums(map[string][]string{"fixtureGenState": {"on", "off"}, "fixtureClientSt": {"off", "on"}})
	tests := []struct {
		name   string
		client reflect.Type
		enums  enumValues
		want   [][2]string
	}{
		{"in step", fixture(), same, nil},
		{"renamed field", fixture(fixtureField[time.Time]("CreatedAt", "created")), same,
			[][2]string{{"T.created", driftExtra}, {"T.created_at", driftMissing}}},
		{"optionality: a pointer where required, a value where optional", fixture(fixtureField[*string]("ID", "id"), fixtureField[int64]("Size", "size")), same,
			[][2]string{{"T.id", driftOptionality}, {"T.size", driftOptionality}}},
		{"kinds", fixture(fixtureField[int]("ID", "id"), fixtureField[string]("CreatedAt", "created_at"), fixtureField[fixtureClientIt]("Items", "items")), same,
			[][2]string{{"T.created_at", driftType}, {"T.id", driftType}, {"T.items", driftType}}},
		{"enum value missing from the client", fixture(),
			enums(map[string][]string{"fixtureGenState": {"on", "off", "paused"}, "fixtureClientSt": {"on", "off"}}),
			[][2]string{{"T.state", driftEnum}}},
		{"no enum in the client, renamed field in a list", fixture(fixtureField[string]("State", "state"), fixtureField[[]fixtureRenamedIt]("Items", "items")), same,
			[][2]string{{"T.state", driftEnum}, {"fixtureRenamedIt(fixtureGenItem).name", driftMissing}, {"fixtureRenamedIt(fixtureGenItem).nom", driftExtra}}},
		{"dropped field", fixture(dropped("Size")), same, [][2]string{{"T.size", driftMissing}}},
		{"embedded struct, its field hidden", reflect.TypeFor[fixtureEmbedding](), same, [][2]string{{"T.size", driftOptionality}, {"T.size", driftType}}},
		{"raw JSON takes any value", fixture(fixtureField[json.RawMessage]("ID", "id"), fixtureField[json.RawMessage]("Items", "items")), same, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got [][2]string
			top := label(tt.client, reflect.TypeFor[fixtureGen]())
			for _, d := range compareTypes("T", tt.client, reflect.TypeFor[fixtureGen](), tt.enums) {
				got = append(got, [2]string{strings.Replace(d.Path, top, "T", 1), d.Kind})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("drifts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStringConsts(t *testing.T) {
	got := stringConsts(t, ".")
	if diff := cmp.Diff([]string{"periodic", "manual"}, got["BackupMethod"]); diff != "" {
		t.Errorf("BackupMethod constants (-want +got):\n%s", diff)
	}
	gen := stringConsts(t, filepath.Join("..", "..", "gen", "dbapi"))
	if len(gen["BackupStatus"]) < 4 {
		t.Errorf("generated BackupStatus constants: %v", gen["BackupStatus"])
	}
}
