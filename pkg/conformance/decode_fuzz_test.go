package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/conformance/internal/schemacheck"
)

// parsers are the generated client's response decoders, by operationId.
var parsers = map[string]func(*http.Response) (any, error){
	"createBackup":               parser(dbapi.ParseCreateBackupResponse),
	"createDatabaseUser":         parser(dbapi.ParseCreateDatabaseUserResponse),
	"createFirewallRule":         parser(dbapi.ParseCreateFirewallRuleResponse),
	"deleteDatabaseUser":         parser(dbapi.ParseDeleteDatabaseUserResponse),
	"deleteFirewallRule":         parser(dbapi.ParseDeleteFirewallRuleResponse),
	"disableDatabaseFeature":     parser(dbapi.ParseDisableDatabaseFeatureResponse),
	"downloadBackup":             parser(dbapi.ParseDownloadBackupResponse),
	"enableDatabaseFeature":      parser(dbapi.ParseEnableDatabaseFeatureResponse),
	"getBackupArchive":           parser(dbapi.ParseGetBackupArchiveResponse),
	"getBackup":                  parser(dbapi.ParseGetBackupResponse),
	"getDatabaseHealth":          parser(dbapi.ParseGetDatabaseHealthResponse),
	"getDatabaseInstancesStatus": parser(dbapi.ParseGetDatabaseInstancesStatusResponse),
	"getDatabaseLogsUrl":         parser(dbapi.ParseGetDatabaseLogsURLResponse),
	"getDatabaseMetrics":         parser(dbapi.ParseGetDatabaseMetricsResponse),
	"getDatabase":                parser(dbapi.ParseGetDatabaseResponse),
	"getDatabaseTypeVersion":     parser(dbapi.ParseGetDatabaseTypeVersionResponse),
	"getMaintenance":             parser(dbapi.ParseGetMaintenanceResponse),
	"getPitrRecoveryWindow":      parser(dbapi.ParseGetPitrRecoveryWindowResponse),
	"listBackups":                parser(dbapi.ParseListBackupsResponse),
	"listDatabaseLogsArchives":   parser(dbapi.ParseListDatabaseLogsArchivesResponse),
	"listDatabaseUsers":          parser(dbapi.ParseListDatabaseUsersResponse),
	"listFirewallManagedRanges":  parser(dbapi.ParseListFirewallManagedRangesResponse),
	"listFirewallRules":          parser(dbapi.ParseListFirewallRulesResponse),
	"listMaintenances":           parser(dbapi.ParseListMaintenancesResponse),
	"putDatabase":                parser(dbapi.ParsePutDatabaseResponse),
	"resetDatabaseUserPassword":  parser(dbapi.ParseResetDatabaseUserPasswordResponse),
	"restoreDatabasePitr":        parser(dbapi.ParseRestoreDatabasePitrResponse),
	"runDatabaseAction":          parser(dbapi.ParseRunDatabaseActionResponse),
	"updateDatabase":             parser(dbapi.ParseUpdateDatabaseResponse),
	"updateDatabaseUser":         parser(dbapi.ParseUpdateDatabaseUserResponse),
	"upgradeDatabase":            parser(dbapi.ParseUpgradeDatabaseResponse),
	"restoreBackup":              parser(dbapi.ParseRestoreBackupResponse),
	"getBackupRestoration":       parser(dbapi.ParseGetBackupRestorationResponse),
	"getDatabaseOperation":       parser(dbapi.ParseGetDatabaseOperationResponse),
	"updateFirewallRule":         parser(dbapi.ParseUpdateFirewallRuleResponse),
	"getDatabasePlan":            parser(dbapi.ParseGetDatabasePlanResponse),
	"getPlan":                    parser(dbapi.ParseGetPlanResponse),
	"listDatabaseTypes":          parser(dbapi.ParseListDatabaseTypesResponse),
	"getDatabaseType":            parser(dbapi.ParseGetDatabaseTypeResponse),
	"getDatabaseMetricsByType":   parser(dbapi.ParseGetDatabaseMetricsByTypeResponse),
	"getInstanceMetricsByType":   parser(dbapi.ParseGetInstanceMetricsByTypeResponse),
	"getDatabaseLag":             parser(dbapi.ParseGetDatabaseLagResponse),
	"pingDatabase":               parser(dbapi.ParsePingDatabaseResponse),
	"getCaCertificate":           parser(dbapi.ParseGetCaCertificateResponse),
}

func parser[T any](f func(*http.Response) (*T, error)) func(*http.Response) (any, error) {
	return func(r *http.Response) (any, error) { return f(r) }
}

// decodeTarget is one documented JSON response: what the validator judges and what the generated
// client decodes it into.
type decodeTarget struct {
	name   string // "createBackup 201"
	op     *opInfo
	key    string // the response key, "201" or "5XX"
	status int
	ci     *contentInfo
	parse  func(*http.Response) (any, error)
	req    *http.Request
}

// decodeTargetsByName returns decodeTargets keyed by name ("createBackup 201").
func decodeTargetsByName(t testing.TB, v *Validator) map[string]decodeTarget {
	t.Helper()
	targets := map[string]decodeTarget{}
	for _, dt := range decodeTargets(t, v) {
		targets[dt.name] = dt
	}
	return targets
}

// decodeTargets lists every JSON response schema of the spec.
func decodeTargets(t testing.TB, v *Validator) []decodeTarget {
	t.Helper()
	var out []decodeTarget
	for _, o := range v.ops {
		parse := parsers[o.op.ID]
		if parse == nil {
			t.Fatalf("no generated parser listed for %s: add it to parsers", o.op.ID)
		}
		url := o.op.Path
		for _, name := range o.pathNames {
			url = strings.Replace(url, "{"+name+"}", "p1", 1)
		}
		req := httptest.NewRequest(o.op.Method, "http://127.0.0.1/api"+url, nil)
		for _, key := range o.op.Statuses {
			status, err := strconv.Atoi(key)
			ri := o.exact[status]
			if err != nil && len(key) == 3 && key[1:] == "XX" {
				status = int(key[0]-'0') * 100
				ri = o.ranges[key[0]-'0']
			}
			if ri == nil {
				continue
			}
			for i := range ri.content {
				if ci := &ri.content[i]; ci.kind == contentJSON && ci.schema != nil {
					out = append(out, decodeTarget{name: o.op.ID + " " + key, op: o, key: key, status: status, ci: ci, parse: parse, req: req})
				}
			}
		}
	}
	return out
}

// roundTrip decodes body with the generated client into the target's type, encodes that again and
// compares it with body: an error says how the Go value differs from the JSON.
func (dt decodeTarget) roundTrip(body []byte) error {
	resp := &http.Response{StatusCode: dt.status, Header: http.Header{"Content-Type": {dt.ci.mediaType}},
		Body: io.NopCloser(bytes.NewReader(body))}
	parsed, err := dt.parse(resp)
	if err != nil {
		return fmt.Errorf("the generated client cannot decode it: %w", err)
	}
	field := reflect.ValueOf(parsed).Elem().FieldByName("JSON" + dt.key)
	if !field.IsValid() || field.IsNil() {
		return fmt.Errorf("the generated client left JSON%s empty", dt.key)
	}
	want := decodeNumbers(body)
	if err := sameGo(dt.ci.check, want, field, "/"); err != nil {
		return err
	}
	// What decoding the body into interface values hides from the comparison above.
	if k := repeatedKey(body); k != "" {
		return fmt.Errorf("key %q is repeated: encoding/json keeps the last value, other readers the first", k)
	}
	if n, m := replacementChars(want), literalReplacementChars(body); n != m {
		return fmt.Errorf("decoding replaced %d invalid bytes or lone surrogates by U+FFFD: the text became something else", n-m)
	}
	return nil
}

// repeatedKey returns a key that appears twice in one object of data, read with the token reader
// of encoding/json, or "".
func repeatedKey(data []byte) string {
	d := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		object bool
		keys   map[string]bool
		expect bool // the next string token is a key
	}
	var stack []*frame
	for {
		tok, err := d.Token()
		if err != nil {
			return ""
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if s, ok := tok.(string); ok && top != nil && top.object && top.expect {
			if top.keys[s] {
				return s
			}
			top.keys[s] = true
			top.expect = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, keys: map[string]bool{}, expect: true})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) > 0 {
				top = stack[len(stack)-1]
			} else {
				top = nil
			}
		}
		if top != nil && top.object {
			top.expect = true // a value ended: a key comes next
		}
	}
}

// replacementChars counts U+FFFD in the strings and keys of a decoded document.
func replacementChars(v any) int {
	switch x := v.(type) {
	case string:
		return strings.Count(x, "\uFFFD")
	case []any:
		n := 0
		for _, e := range x {
			n += replacementChars(e)
		}
		return n
	case map[string]any:
		n := 0
		for k, e := range x {
			n += strings.Count(k, "\uFFFD") + replacementChars(e)
		}
		return n
	}
	return 0
}

// literalReplacementChars counts the U+FFFD that data writes itself, as UTF-8 or as an escape.
func literalReplacementChars(data []byte) int {
	return bytes.Count(data, []byte("\uFFFD")) + bytes.Count(bytes.ToLower(data), []byte(`\ufffd`))
}

// sameGo compares the JSON the validator accepted (want) with the Go value gv decoded from it. A
// generated union (oneOf, anyOf) keeps the JSON text it was given and decodes it only when asked
// (AsCustomRangeFirewallRule): encoding it again would give back the text unchecked, so each
// branch the value is shaped for is decoded, from the union's own copy of the body's text, and
// compared in turn, at any depth.
func sameGo(c *schemacheck.Checker, want any, gv reflect.Value, at string) error {
	for gv.IsValid() && (gv.Kind() == reflect.Pointer || gv.Kind() == reflect.Interface) && !gv.IsNil() {
		gv = gv.Elem()
	}
	if c != nil && len(c.OneOf)+len(c.AnyOf) > 0 && isUnion(gv) {
		return sameUnion(c, want, gv, at)
	}
	var got any
	if gv.IsValid() && gv.CanInterface() {
		again, err := json.Marshal(gv.Interface())
		if err != nil {
			return fmt.Errorf("%s: encoding the Go value: %w", at, err)
		}
		got = decodeNumbers(again)
	}
	return sameJSON(c, want, got, gv, at)
}

// isUnion reports whether v is a union type generated by oapi-codegen: a struct that keeps the
// JSON text in a field named union.
func isUnion(v reflect.Value) bool {
	if !v.IsValid() || v.Kind() != reflect.Struct {
		return false
	}
	f, ok := v.Type().FieldByName("union")
	return ok && f.Type == reflect.TypeFor[json.RawMessage]()
}

func sameUnion(c *schemacheck.Checker, want any, gv reflect.Value, at string) error {
	type branch struct {
		c   *schemacheck.Checker
		ref *openapi3.SchemaRef
		i   int
	}
	var bs []branch
	for i, b := range c.OneOf {
		bs = append(bs, branch{b, c.Schema.OneOf[i], i})
	}
	for i, b := range c.AnyOf {
		bs = append(bs, branch{b, c.Schema.AnyOf[i], i})
	}
	probe := want
	if n, ok := want.(json.Number); ok {
		f, _ := n.Float64()
		probe = f
	}
	decoded := 0
	for _, b := range bs {
		if !schemacheck.Plausible(b.c.Schema, probe) {
			continue
		}
		name := gv.Type().Name() + strconv.Itoa(b.i)
		if b.ref.Ref != "" {
			name = b.ref.Ref[strings.LastIndexByte(b.ref.Ref, '/')+1:]
		}
		m := gv.MethodByName("As" + name)
		if !m.IsValid() {
			return fmt.Errorf("%s: the union %s has no method As%s", at, gv.Type().Name(), name)
		}
		res := m.Call(nil)
		if err, _ := res[1].Interface().(error); err != nil {
			return fmt.Errorf("%s: the generated client cannot decode it (As%s): %w", at, name, err)
		}
		if err := sameGo(b.c, want, res[0], at); err != nil {
			return fmt.Errorf("as %s: %w", name, err)
		}
		decoded++
	}
	if decoded == 0 {
		return fmt.Errorf("%s: no branch of the union fits the body", at)
	}
	return nil
}

// goField returns the Go value that holds the property key of the JSON object gv was decoded
// from, or an invalid Value.
func goField(gv reflect.Value, key string) reflect.Value {
	for gv.IsValid() && (gv.Kind() == reflect.Pointer || gv.Kind() == reflect.Interface) && !gv.IsNil() {
		gv = gv.Elem()
	}
	switch {
	case !gv.IsValid():
	case gv.Kind() == reflect.Map && gv.Type().Key().Kind() == reflect.String:
		return gv.MapIndex(reflect.ValueOf(key).Convert(gv.Type().Key()))
	case gv.Kind() == reflect.Struct:
		for i := range gv.NumField() {
			f := gv.Type().Field(i)
			if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name == key && f.IsExported() {
				return gv.Field(i)
			}
		}
		if ap := gv.FieldByName("AdditionalProperties"); ap.IsValid() && ap.Kind() == reflect.Map {
			return ap.MapIndex(reflect.ValueOf(key))
		}
	}
	return reflect.Value{}
}

// goIndex returns the i-th element of the Go slice gv, or an invalid Value.
func goIndex(gv reflect.Value, i int) reflect.Value {
	for gv.IsValid() && (gv.Kind() == reflect.Pointer || gv.Kind() == reflect.Interface) && !gv.IsNil() {
		gv = gv.Elem()
	}
	if gv.IsValid() && (gv.Kind() == reflect.Slice || gv.Kind() == reflect.Array) && i < gv.Len() {
		return gv.Index(i)
	}
	return reflect.Value{}
}

func decodeNumbers(data []byte) any {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return fmt.Sprintf("undecodable: %v", err)
	}
	return v
}

// declared returns the properties an object schema declares, through allOf and oneOf.
func declared(c *schemacheck.Checker, into map[string]*schemacheck.Checker) {
	if c == nil {
		return
	}
	for k, p := range c.Props {
		into[k] = p
	}
	for _, a := range c.AllOf {
		declared(a, into)
	}
	for _, b := range c.OneOf {
		declared(b, into)
	}
	for _, b := range c.AnyOf {
		declared(b, into)
	}
}

// rfc3339 is the date-time production of RFC 3339 (section 5.6), upper-case T and Z.
var rfc3339 = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`)

// sameJSON compares the JSON the validator accepted (want) with the encoding of the Go value (got):
// numbers by value, date-times by instant to the last digit, an absent property as null, and
// properties that the schema does not declare (which the Go type drops) only when the Go value has
// them. gv is the Go value itself (or an invalid Value): where a nested value is a generated union,
// sameGo decodes its branches.
func sameJSON(c *schemacheck.Checker, want, got any, gv reflect.Value, at string) error {
	if at == "" {
		at = "/"
	}
	switch w := want.(type) {
	case nil:
		if got != nil {
			return fmt.Errorf("%s: null became %v", at, got)
		}
		return nil
	case json.Number:
		g, ok := got.(json.Number)
		a, aok := new(big.Rat).SetString(string(w))
		b, bok := new(big.Rat).SetString(string(g))
		if !ok || !aok || !bok || a.Cmp(b) != 0 {
			return fmt.Errorf("%s: %s became %v", at, w, got)
		}
		return nil
	case string:
		g, ok := got.(string)
		if ok && g == w {
			return nil
		}
		if ok && c != nil && c.Schema != nil && c.Schema.Format == "date-time" {
			if !rfc3339.MatchString(w) {
				return fmt.Errorf("%s: %q is not RFC 3339, though Go read it as %s", at, w, g)
			}
			if frac := rfc3339.FindStringSubmatch(w)[1]; len(strings.TrimRight(frac, "0")) > 10 {
				return fmt.Errorf("%s: %q has a fraction beyond nanoseconds, which Go read as %s", at, w, g)
			}
			tw, err1 := time.Parse(time.RFC3339Nano, w)
			tg, err2 := time.Parse(time.RFC3339Nano, g)
			if err1 == nil && err2 == nil && tw.Equal(tg) {
				return nil
			}
		}
		return fmt.Errorf("%s: %q became %#v", at, w, got)
	case bool:
		if got != w {
			return fmt.Errorf("%s: %v became %v", at, w, got)
		}
		return nil
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Errorf("%s: an array of %d became %#v", at, len(w), got)
		}
		var items *schemacheck.Checker
		if c != nil {
			items = c.Items
		}
		for i := range w {
			if err := sameNested(items, w[i], g[i], goIndex(gv, i), strings.TrimSuffix(at, "/")+"/"+strconv.Itoa(i)); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: an object became %#v", at, got)
		}
		props := map[string]*schemacheck.Checker{}
		declared(c, props)
		var addl *schemacheck.Checker
		if c != nil {
			addl = c.Addl
		}
		keys := make([]string, 0, len(w)+len(g))
		for k := range w {
			keys = append(keys, k)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			wv := w[k]
			gotV, inGot := g[k]
			p, isDeclared := props[k]
			if !isDeclared {
				p = addl
			}
			undeclared := !isDeclared && addl == nil && c != nil && len(props) > 0
			if undeclared && !inGot {
				continue // an extra property: the Go type has no field for it
			}
			if err := sameNested(p, wv, gotV, goField(gv, k), strings.TrimSuffix(at, "/")+"/"+k); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("%s: unexpected %T", at, want)
}

// sameNested compares a nested value: through sameGo where it is a generated union, else as JSON.
func sameNested(c *schemacheck.Checker, want, got any, gv reflect.Value, at string) error {
	if c != nil && len(c.OneOf)+len(c.AnyOf) > 0 {
		inner := gv
		for inner.IsValid() && inner.Kind() == reflect.Pointer && !inner.IsNil() {
			inner = inner.Elem()
		}
		if isUnion(inner) {
			return sameUnion(c, want, inner, at)
		}
	}
	return sameJSON(c, want, got, gv, at)
}

// textMutations rewrite the text of an accepted body into the forms that a JSON Schema reading
// accepts and that the generated types do not decode faithfully.
var textMutations = []struct {
	name string
	f    func(body []byte) []byte
}{
	{"integer as 1.0", replaceFirstInt(func(d string) string { return d + ".0" })},
	{"integer as 1e0", replaceFirstInt(func(d string) string { return d + "e0" })},
	{"integer of 2^63", replaceFirstInt(func(string) string { return "9223372036854775808" })},
	{"integer rounding to 2^63", replaceFirstInt(func(string) string { return "9223372036854775809" })},
	{"comma in a date-time", func(b []byte) []byte { return bytes.Replace(b, []byte(`:00.`), []byte(`:00,`), 1) }},
	{"invalid UTF-8", func(b []byte) []byte { return bytes.Replace(b, []byte(`":"`), []byte("\":\"\xff"), 1) }},
	{"lone surrogate", func(b []byte) []byte { return bytes.Replace(b, []byte(`":"`), []byte(`":"\ud800`), 1) }},
	{"repeated key, first value wrong", func(b []byte) []byte {
		i := bytes.IndexByte(b[1:], '"')
		j := bytes.Index(b, []byte(`":`))
		if b[0] != '{' || i < 0 || j < 0 {
			return b
		}
		key := b[1 : j+2] // `"name":`
		return slices.Concat(b[:1], key, []byte(`{"wrong":[1]},`), b[1:])
	}},
	{"key folded to upper case", func(b []byte) []byte {
		j := bytes.Index(b, []byte(`":`))
		if b[0] != '{' || j < 0 {
			return b
		}
		key := bytes.ToUpper(b[1 : j+1])
		return slices.Concat(b[:len(b)-1], []byte(","), key, []byte(`:null}`))
	}},
}

// faithfulMutations are more changes of text, for the fuzz target's seeds: the classes the
// libopenapi differential found accepted and decoded wrongly.
var faithfulMutations = []struct {
	name string
	f    func(body []byte) []byte
}{
	{"escaped date-time", func(b []byte) []byte {
		return dateTimeRE.ReplaceAllFunc(b, once(func(m []byte) []byte {
			return slices.Concat(m[:len(m)-2], []byte(`\u00`), []byte(strconv.FormatInt(int64(m[len(m)-2]), 16)), m[len(m)-1:])
		}))
	}},
	{"fraction of 10 digits", func(b []byte) []byte {
		return dateTimeRE.ReplaceAllFunc(b, once(func(m []byte) []byte {
			return []byte(`"2019-07-19T12:00:00.1234567891Z"`)
		}))
	}},
	{"number beyond float64", func(b []byte) []byte {
		return bytes.Replace(b, []byte(`.`), []byte(`.00000000000000000001`), 1) // in a date-time too: refused either way
	}},
	{"nested key folded to upper case", func(b []byte) []byte {
		i := bytes.IndexByte(b[min(1, len(b)):], '{') + 1
		if i <= 0 || !json.Valid(b) {
			return b
		}
		end := schemacheck.ValueEnd(b, i)
		j := bytes.IndexByte(b[i:], ':')
		if b[i+1] != '"' || j < 0 {
			return b
		}
		key := bytes.ToUpper(b[i+1 : i+j])
		return slices.Concat(b[:end-1], []byte(","), key, []byte(`:"~"`), b[end-1:])
	}},
}

var dateTimeRE = regexp.MustCompile(`"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})"`)

// once makes f apply to the first match only.
func once(f func([]byte) []byte) func([]byte) []byte {
	done := false
	return func(m []byte) []byte {
		if done {
			return m
		}
		done = true
		return f(m)
	}
}

// replaceFirstInt replaces the first integer value (see firstInt) with what with makes of its
// digits; a body without one stays as it is.
func replaceFirstInt(with func(digits string) string) func([]byte) []byte {
	return func(b []byte) []byte {
		loc := firstInt(b)
		if loc == nil {
			return b
		}
		return slices.Concat(b[:loc[0]], []byte(with(string(b[loc[0]:loc[1]]))), b[loc[1]:])
	}
}

// firstInt finds the first number value written as an integer: after a colon, digits up to a
// comma or a closing brace.
func firstInt(b []byte) []int {
	for i := 0; i+1 < len(b); i++ {
		if b[i] != ':' || b[i+1] < '0' || b[i+1] > '9' {
			continue
		}
		j := i + 1
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j < len(b) && (b[j] == ',' || b[j] == '}') {
			return []int{i + 1, j}
		}
	}
	return nil
}

// exampleBodies returns the spec's examples of a target's schema, compact.
func exampleBodies(t testing.TB, dt decodeTarget) [][]byte {
	t.Helper()
	var out [][]byte
	for _, ex := range mediaExamples(dt.op.kin.Responses.Value(dt.key).Value.Content.Get(dt.ci.mediaType)) {
		b, err := json.Marshal(ex)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// FuzzDecodesFaithfully proves the invariant of the package: every body the validator accepts for
// a JSON response decodes with encoding/json into the generated type, and that value encodes back
// to the same JSON (numbers by value, date-times by instant; properties the schema does not declare
// are dropped; a generated union, at any depth, is decoded into each branch the value is shaped
// for). The first input picks the response, among every JSON response of the spec. The seed
// corpus (each target's examples, their broken variants, and textMutations of them) runs in go
// test; -fuzz=FuzzDecodesFaithfully searches further.
func FuzzDecodesFaithfully(f *testing.F) {
	v := mustNew(f)
	targets := decodeTargets(f, v)
	index := map[string]int{}
	for i, dt := range targets {
		index[dt.name] = i
	}
	for _, fc := range faithfulCases {
		f.Add(uint16(index[fc.target]), []byte(fc.body))
	}
	for i, dt := range targets {
		for _, ex := range exampleBodies(f, dt) {
			f.Add(uint16(i), ex)
			for _, m := range textMutations {
				f.Add(uint16(i), m.f(ex))
			}
			for _, m := range faithfulMutations {
				f.Add(uint16(i), m.f(ex))
			}
			var doc any
			_ = json.Unmarshal(ex, &doc)
			for j, variant := range mutations(doc) {
				if j%7 != 0 {
					continue // a sample of them keeps go test quick
				}
				b, _ := json.Marshal(variant)
				f.Add(uint16(i), b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, pick uint16, body []byte) {
		dt := targets[int(pick)%len(targets)]
		if v.ValidateResponse(dt.req, dt.status, http.Header{"Content-Type": {dt.ci.mediaType}}, body) != nil {
			return
		}
		if err := dt.roundTrip(body); err != nil {
			t.Fatalf("%s accepts %q, but %v", dt.name, body, err)
		}
	})
}

// TestDecodeTarget_RoundTripCatchesUnfaithfulDecoding shows that the fuzz target's oracle fails on
// each class of body that decodes wrongly: before this package refused them, the fuzz target would
// have failed on its seeds.
func TestDecodeTarget_RoundTripCatchesUnfaithfulDecoding(t *testing.T) {
	v := mustNew(t)
	targets := decodeTargetsByName(t, v)
	b := `{"database_backup":{"id":"a","created_at":"2018-09-02T03:00:00.5Z","name":"n","status":"done","database_id":"d","size":SIZE}}`
	body := func(size string) []byte { return []byte(strings.Replace(b, "SIZE", size, 1)) }
	tests := []struct {
		name string
		body []byte
		want string // in the error
	}{
		{"faithful", body("5"), ""},
		{"faithful, bare shape", []byte(`{"id":"a","created_at":"2018-09-02T03:00:00Z","name":"n","status":"done","database_id":"d","size":null}`), ""},
		{"2^63", body("9223372036854775808"), "cannot decode"},
		{"1.0", body("1.0"), "cannot decode"},
		{"1e3", body("1e3"), "cannot decode"},
		{"comma in a date-time", []byte(strings.Replace(string(body("5")), "00.5Z", "00,5Z", 1)), "not RFC 3339"},
		{"invalid UTF-8", []byte(strings.Replace(string(body("5")), `"n"`, "\"n\xff\"", 1)), "became"},
		{"lone surrogate", []byte(strings.Replace(string(body("5")), `"n"`, `"n\ud800"`, 1)), "became"},
		{"repeated key", []byte(strings.Replace(string(body("5")), `"size":5`, `"size":"x","size":5`, 1)), "cannot decode"},
		{"key folding onto a property", []byte(strings.Replace(string(body("5")), `"status":"done"`, `"status":"done","STATUS":"error"`, 1)), "became"},
		{"escaped date-time", []byte(strings.Replace(string(body("5")), `00.5Z`, `00.5\u005A`, 1)), "cannot decode"},
		{"fraction of 10 digits", []byte(strings.Replace(string(body("5")), `00.5Z`, `00.1234567891Z`, 1)), "beyond nanoseconds"},
	}
	// In nested unions: the generated union encodes back its own text, so only decoding its
	// branches shows what the client gets.
	nested := []struct {
		name, target, body, want string
	}{
		{"faithful firewall rule", "listFirewallRules 200", `{"rules":[{"cidr":"203.0.113.0/24","id":"r1","type":"custom_range"}]}`, ""},
		{"faithful metric", "getDatabaseMetricsByType 200", `[{"time":"2019-07-19T10:00:00Z","value":1.5}]`, ""},
		{"twin key in a nested union", "listFirewallRules 200",
			`{"rules":[{"type":"custom_range","cidr":"203.0.113.0/24","id":"r1","TYPE":"managed_range","RANGE_ID":"eu"}]}`, "became"},
		{"number beyond float64 in a union", "getDatabaseMetricsByType 200", `0.30000000000000000001`, "became"},
		{"escaped date-time in a nested union", "listFirewallRules 200",
			`{"rules":[{"type":"custom_range","cidr":"203.0.113.0/24","id":"r1","created_at":"2019-07-19T10:00:00\u005A"}]}`, "cannot decode"},
	}
	for _, tt := range tests {
		nested = append(nested, struct{ name, target, body, want string }{tt.name, "createBackup 201", string(tt.body), tt.want})
	}
	for _, tt := range nested {
		t.Run(tt.name, func(t *testing.T) {
			dt := targets[tt.target]
			err := dt.roundTrip([]byte(tt.body))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("roundTrip = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("roundTrip = %v, want an error containing %q", err, tt.want)
			}
			if v.ValidateResponse(dt.req, dt.status, jsonHeaderFor(), []byte(tt.body)) == nil {
				t.Errorf("ValidateResponse accepts it")
			}
		})
	}
}

func jsonHeaderFor() http.Header { return http.Header{"Content-Type": {"application/json"}} }
