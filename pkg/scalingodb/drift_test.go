package scalingodb

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
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

// driftComparer compares a client type with its generated twin by
// reflection: JSON field names, optionality, kinds and enum values.
type driftComparer struct {
	enums enumValues
	seen  map[[2]reflect.Type]bool
}

// compare returns the drifts of client against gen, sorted.
func compareTypes(name string, client, gen reflect.Type, enums enumValues) []drift {
	c := &driftComparer{enums: enums, seen: map[[2]reflect.Type]bool{}}
	var out []drift
	c.structs(name, client, gen, &out)
	slices.SortFunc(out, func(a, b drift) int { return strings.Compare(a.Path+" "+a.Kind, b.Path+" "+b.Kind) })
	return out
}

// jsonField is what encoding/json sees of a struct field.
type jsonField struct {
	typ       reflect.Type
	omitempty bool
}

func jsonFields(t reflect.Type) map[string]jsonField {
	fields := map[string]jsonField{}
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		fields[name] = jsonField{typ: f.Type, omitempty: slices.Contains(strings.Split(opts, ","), "omitempty")}
	}
	return fields
}

func (c *driftComparer) structs(path string, client, gen reflect.Type, out *[]drift) {
	if c.seen[[2]reflect.Type{client, gen}] {
		return
	}
	c.seen[[2]reflect.Type{client, gen}] = true
	cf, gf := jsonFields(client), jsonFields(gen)
	for name, g := range gf {
		if _, ok := cf[name]; !ok {
			*out = append(*out, drift{path + "." + name, driftMissing, "the spec has " + describe(g)})
		}
	}
	for name, cl := range cf {
		g, ok := gf[name]
		if !ok {
			*out = append(*out, drift{path + "." + name, driftExtra, "the client has " + describe(cl)})
			continue
		}
		p := path + "." + name
		if co, go_ := shape(cl), shape(g); co != go_ {
			*out = append(*out, drift{p, driftOptionality, "spec " + go_ + ", client " + co})
		}
		c.values(p, cl.typ, g.typ, out)
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

var timeType = reflect.TypeFor[time.Time]()

// kind names the JSON kind of t.
func kind(t reflect.Type) string {
	t = deref(t)
	switch {
	case t == timeType:
		return "date-time"
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
func (c *driftComparer) values(path string, client, gen reflect.Type, out *[]drift) {
	client, gen = deref(client), deref(gen)
	ck, gk := kind(client), kind(gen)
	if ck != gk {
		*out = append(*out, drift{path, driftType, "spec " + gk + ", client " + ck})
		return
	}
	switch ck {
	case "object":
		c.structs(path, client, gen, out)
	case "array":
		c.values(path+"[]", client.Elem(), gen.Elem(), out)
	case "map":
		c.values(path+"{}", client.Elem(), gen.Elem(), out)
	case "string":
		cv, cEnum := c.enums(client)
		gv, gEnum := c.enums(gen)
		switch {
		case cEnum && gEnum:
			if only := diffSets(gv, cv); only != "" {
				*out = append(*out, drift{path, driftEnum, only})
			}
		case cEnum != gEnum:
			*out = append(*out, drift{path, driftEnum, fmt.Sprintf("spec enum %t (%v), client enum %t (%v)", gEnum, gv, cEnum, cv)})
		}
	}
}

// diffSets describes how the values of spec and client differ, or "".
func diffSets(spec, client []string) string {
	var onlySpec, onlyClient []string
	for _, v := range spec {
		if !slices.Contains(client, v) {
			onlySpec = append(onlySpec, v)
		}
	}
	for _, v := range client {
		if !slices.Contains(spec, v) {
			onlyClient = append(onlyClient, v)
		}
	}
	if len(onlySpec) == 0 && len(onlyClient) == 0 {
		return ""
	}
	return fmt.Sprintf("only in the spec: %v; only in the client: %v", onlySpec, onlyClient)
}

// stringConsts reads the Go files of dir and returns, for each named type,
// the values of its typed string constants: the enums of the package.
func stringConsts(t *testing.T, dir string) map[string][]string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string][]string{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
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

// twins pairs each client type that has JSON tags with its generated
// twin. Types without tags (DatabaseUser, LogsArchive, Pagination,
// Health...) are filled field by field from generated types, so the
// compiler checks them.
var twins = []struct {
	name      string
	client    reflect.Type
	generated reflect.Type
}{
	{"Backup", reflect.TypeFor[Backup](), reflect.TypeFor[dbapi.Backup]()},
	{"Database", wireType[Database](opGetDatabase), reflect.TypeFor[dbapi.DatabaseResponse]()},
	{"MaintenanceWindowParams", reflect.TypeFor[MaintenanceWindowParams](), reflect.TypeFor[dbapi.MaintenanceWindowUpdate]()},
	{"Feature", reflect.TypeFor[Feature](), reflect.TypeFor[dbapi.Feature]()},
	{"FeatureToggle", reflect.TypeFor[FeatureToggle](), reflect.TypeFor[dbapi.FeatureToggleResult]()},
	// The spec's rules are a oneOf of two kinds (discriminated by type);
	// one client type holds either, so it is compared with each.
	{"FirewallRule(custom)", reflect.TypeFor[FirewallRule](), reflect.TypeFor[dbapi.CustomRangeFirewallRule]()},
	{"FirewallRule(managed)", reflect.TypeFor[FirewallRule](), reflect.TypeFor[dbapi.ManagedRangeFirewallRule]()},
	{"CreateFirewallRuleParams(custom)", reflect.TypeFor[CreateFirewallRuleParams](), reflect.TypeFor[dbapi.CustomRangeFirewallRuleCreate]()},
	{"CreateFirewallRuleParams(managed)", reflect.TypeFor[CreateFirewallRuleParams](), reflect.TypeFor[dbapi.ManagedRangeFirewallRuleCreate]()},
	{"ManagedRange", reflect.TypeFor[ManagedRange](), reflect.TypeFor[dbapi.ManagedRange]()},
	{"InstanceStatus", reflect.TypeFor[InstanceStatus](), reflect.TypeFor[dbapi.InstanceStatus]()},
	{"Operation", reflect.TypeFor[Operation](), reflect.TypeFor[dbapi.Operation]()},
	{"BackupRestoration", reflect.TypeFor[BackupRestoration](), reflect.TypeFor[dbapi.BackupRestoration]()},
	{"DatabaseType", reflect.TypeFor[DatabaseType](), reflect.TypeFor[dbapi.DatabaseType]()},
	{"Plan", reflect.TypeFor[Plan](), reflect.TypeFor[dbapi.DatabasePlan]()},
	{"Maintenance", reflect.TypeFor[Maintenance](), reflect.TypeFor[dbapi.Maintenance]()},
	{"Metrics", reflect.TypeFor[Metrics](), reflect.TypeFor[dbapi.Metrics]()},
	{"Operation", reflect.TypeFor[Operation](), reflect.TypeFor[dbapi.Operation]()},
	{"RecoveryWindow", reflect.TypeFor[RecoveryWindow](), reflect.TypeFor[dbapi.RecoveryWindow]()},
	{"DatabaseTypeVersion", reflect.TypeFor[DatabaseTypeVersion](), reflect.TypeFor[dbapi.DatabaseTypeVersion]()},
	{"DatabaseUser", reflect.TypeFor[userWire](), reflect.TypeFor[dbapi.DatabaseUser]()},
	{"Error", reflect.TypeFor[errorBody](), reflect.TypeFor[dbapi.Error]()},
}

// allowedDrift lists the differences the client keeps on purpose, each
// with its reason. An entry that no longer matches a difference fails the
// test too, so the list stays true.
var allowedDrift = map[[2]string]string{
	{"Backup.type", driftMissing}:       "deprecated: only the original document has it, and the official Go client does not decode it",
	{"Backup.method", driftOptionality}: absentIsZero,
	{"Backup.size", driftOptionality}:   "null or absent until the backup is done: Size is 0 then, as in the official Go client",

	{"Database.database", driftOptionality}:                      envelopePointer,
	{"Database.database.current_operation_id", driftOptionality}: "\"\" when no operation runs, as documented on the field",
	{"Database.database.next_version_id", driftOptionality}:      "\"\" when no upgrade is available, as documented on the field",

	{"DatabaseUser.read_only", driftType}:                                  "optBool decodes the boolean and also tells an absent read_only (checked by the decoder) from false",
	{"DatabaseUser.password", driftExtra}:                                  "one type for every user: the answers that create a user or reset its password (DatabaseUserWithPassword) carry one; a listed or updated user has none, and DatabaseUser.Password is empty",
	{"DatabaseUser.protected", driftOptionality}:                           absentIsZero,
	{"DatabaseUser.dbms_attributes", driftOptionality}:                     absentIsZero,
	{"DatabaseUser.dbms_attributes.password_encryption", driftOptionality}: absentIsZero,
	{"DatabaseUser.dbms_attributes.anonymizer_enabled", driftMissing}:      "not exposed: no method of the client needs it yet",

	{"Error.error", driftOptionality}:    "a pointer tells an error body from another JSON body",
	{"Error.errors", driftExtra}:         "one type decodes both error bodies of the spec: Error and ValidationErrors (422)",
	{"Error.code", driftOptionality}:     absentIsZero,
	{"Error.resource", driftOptionality}: absentIsZero,

	{"Metrics.memory.memory", driftOptionality}:                               metricsZero,
	{"Metrics.memory.memory_limit", driftOptionality}:                         metricsZero,
	{"Metrics.memory.memory_max", driftOptionality}:                           metricsZero,
	{"Metrics.memory.swap", driftOptionality}:                                 metricsZero,
	{"Metrics.memory.swap_limit", driftOptionality}:                           metricsZero,
	{"Metrics.memory.swap_max", driftOptionality}:                             metricsZero,
	{"Metrics.instances_metrics{}.cpu", driftOptionality}:                     metricsZero,
	{"Metrics.instances_metrics{}.cpu.usage_in_percents", driftOptionality}:   metricsZero,
	{"Metrics.instances_metrics{}.instance_address", driftOptionality}:        metricsZero,
	{"Metrics.instances_metrics{}.instance_id", driftOptionality}:             metricsZero,
	{"Metrics.instances_metrics{}.memory", driftOptionality}:                  metricsZero,
	{"Metrics.instances_metrics{}.memory.max_memory_usage", driftOptionality}: metricsZero,
	{"Metrics.instances_metrics{}.memory.max_swap_usage", driftOptionality}:   metricsZero,
	{"Metrics.instances_metrics{}.memory.memory_limit", driftOptionality}:     metricsZero,
	{"Metrics.instances_metrics{}.memory.memory_usage", driftOptionality}:     metricsZero,
	{"Metrics.instances_metrics{}.memory.swap_limit", driftOptionality}:       metricsZero,
	{"Metrics.instances_metrics{}.memory.swap_usage", driftOptionality}:       metricsZero,
	{"Metrics.instances_metrics{}.real_disk_size", driftOptionality}:          metricsZero,

	{"FirewallRule(custom).cidr", driftOptionality}:      firewallKinds,
	{"FirewallRule(custom).range_id", driftExtra}:        firewallKinds,
	{"FirewallRule(custom).type", driftEnum}:             firewallKinds,
	{"FirewallRule(managed).cidr", driftExtra}:           firewallKinds,
	{"FirewallRule(managed).range_id", driftOptionality}: firewallKinds,
	{"FirewallRule(managed).type", driftEnum}:            firewallKinds,

	{"CreateFirewallRuleParams(custom).cidr", driftOptionality}:      firewallKinds,
	{"CreateFirewallRuleParams(custom).range_id", driftExtra}:        firewallKinds,
	{"CreateFirewallRuleParams(custom).type", driftEnum}:             firewallKinds,
	{"CreateFirewallRuleParams(managed).cidr", driftExtra}:           firewallKinds,
	{"CreateFirewallRuleParams(managed).range_id", driftOptionality}: firewallKinds,
	{"CreateFirewallRuleParams(managed).type", driftEnum}:            firewallKinds,

	{"Operation.created_at", driftOptionality}: "the operation of a restore always has it in practice; the zero time says it was absent",
	{"Operation.error", driftOptionality}:      "\"\" unless the operation failed",
	{"Operation.status", driftOptionality}:     absentIsZero,
	{"Operation.type", driftOptionality}:       absentIsZero,
}

// Reasons shared by several entries of allowedDrift.
const (
	absentIsZero    = "an absent value reads as the zero value (\"\" or false), which means the same to a caller: not set, unknown or not protected"
	envelopePointer = "a pointer tells a missing envelope key, which the client reports as ErrMalformedResponse"
	firewallKinds   = "one client type holds both kinds of the spec's oneOf: Type says which, CIDR is set for a custom range and RangeID for a managed one (Create checks it before sending)"
	metricsZero     = "the spec makes every figure optional (the documents disagree on names); an absent figure reads as 0"
)

func TestClientTypesMatchTheSpec(t *testing.T) {
	enums := packageEnums(t)
	var got []drift
	for _, tw := range twins {
		got = append(got, compareTypes(tw.name, tw.client, tw.generated, enums)...)
	}
	used := map[[2]string]bool{}
	for _, d := range got {
		key := [2]string{d.Path, d.Kind}
		if _, ok := allowedDrift[key]; ok {
			used[key] = true
			continue
		}
		t.Errorf("%s: %s drift: %s", d.Path, d.Kind, d.What)
	}
	for key := range allowedDrift {
		if !used[key] {
			t.Errorf("allowedDrift[%q] matches no difference any more: remove it", key)
		}
	}
}

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

// Fixture types for the comparator's own test: a generated-like twin and
// client-like types that drift from it in one way each.
type (
	fixtureGenState string
	fixtureClientSt string
	fixtureGenItem  struct {
		Name string `json:"name"`
	}
	fixtureClientIt struct {
		Name string `json:"name"`
	}
	fixtureRenamedIt struct {
		Name string `json:"nom"`
	}

	fixtureGen struct {
		ID        string           `json:"id"`
		CreatedAt time.Time        `json:"created_at"`
		Size      *int64           `json:"size,omitempty"`
		State     fixtureGenState  `json:"state"`
		Items     []fixtureGenItem `json:"items"`
	}
	fixtureSame struct {
		ID        string            `json:"id"`
		CreatedAt time.Time         `json:"created_at"`
		Size      *int64            `json:"size"`
		State     fixtureClientSt   `json:"state"`
		Items     []fixtureClientIt `json:"items"`
	}
	fixtureRenamed struct {
		ID        string            `json:"id"`
		CreatedAt time.Time         `json:"created"` // renamed
		Size      *int64            `json:"size"`
		State     fixtureClientSt   `json:"state"`
		Items     []fixtureClientIt `json:"items"`
	}
	fixtureOptionality struct {
		ID        *string           `json:"id"` // the spec requires it
		CreatedAt time.Time         `json:"created_at"`
		Size      int64             `json:"size"` // the spec makes it optional
		State     fixtureClientSt   `json:"state"`
		Items     []fixtureClientIt `json:"items"`
	}
	fixtureTypes struct {
		ID        int             `json:"id"`
		CreatedAt string          `json:"created_at"`
		Size      *int64          `json:"size"`
		State     fixtureClientSt `json:"state"`
		Items     fixtureClientIt `json:"items"`
	}
	fixtureNested struct {
		ID        string             `json:"id"`
		CreatedAt time.Time          `json:"created_at"`
		Size      *int64             `json:"size"`
		State     string             `json:"state"` // no enum
		Items     []fixtureRenamedIt `json:"items"`
	}
)

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
		{"in step", reflect.TypeFor[fixtureSame](), same, nil},
		{"renamed field", reflect.TypeFor[fixtureRenamed](), same,
			[][2]string{{"T.created", driftExtra}, {"T.created_at", driftMissing}}},
		{"optionality", reflect.TypeFor[fixtureOptionality](), same,
			[][2]string{{"T.id", driftOptionality}, {"T.size", driftOptionality}}},
		{"kinds", reflect.TypeFor[fixtureTypes](), same,
			[][2]string{{"T.created_at", driftType}, {"T.id", driftType}, {"T.items", driftType}}},
		{"enum value missing from the client", reflect.TypeFor[fixtureSame](),
			enums(map[string][]string{"fixtureGenState": {"on", "off", "paused"}, "fixtureClientSt": {"on", "off"}}),
			[][2]string{{"T.state", driftEnum}}},
		{"no enum in the client, renamed field in a list", reflect.TypeFor[fixtureNested](), same,
			[][2]string{{"T.items[].name", driftMissing}, {"T.items[].nom", driftExtra}, {"T.state", driftEnum}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got [][2]string
			for _, d := range compareTypes("T", tt.client, reflect.TypeFor[fixtureGen](), tt.enums) {
				got = append(got, [2]string{d.Path, d.Kind})
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
