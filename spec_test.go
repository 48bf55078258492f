// Package spec_test checks openapi.yaml itself: that it loads and validates
// (examples included), that it describes every operation the toolkit
// promises, that the three operations of the original document are exactly
// as that document gives them, and that the generated client and strict
// server agree with each other on them.
package spec_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/gen/dbapispec"
	"github.com/scalingodb/dbapi-go/pkg/mockserver"
)

// loadSpecFile loads openapi.yaml from disk, as an editor of the spec sees it.
func loadSpecFile(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile("openapi.yaml")
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	return doc
}

// validate runs kin-openapi's document validation with example checking on.
func validate(doc *openapi3.T) error {
	return doc.Validate(context.Background(), openapi3.EnableExamplesValidation())
}

// brokenCopy returns openapi.yaml with the first from replaced by to. It fails the test when from
// is no longer in the file: the copy would not be broken, and the test would prove nothing.
func brokenCopy(t *testing.T, from, to string) []byte {
	t.Helper()
	raw, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte(from)) {
		t.Fatalf("the text to break is no longer in openapi.yaml: %q", from)
	}
	return bytes.Replace(raw, []byte(from), []byte(to), 1)
}

// loadBrokenCopy loads brokenCopy(t, from, to), which must still load.
func loadBrokenCopy(t *testing.T, from, to string) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(brokenCopy(t, from, to))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestSpecValidates(t *testing.T) {
	doc := loadSpecFile(t)
	if err := validate(doc); err != nil {
		t.Fatalf("openapi.yaml does not validate: %v", err)
	}
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi version = %q, want 3.0.3", doc.OpenAPI)
	}
}

func TestSpecEmbeddedCopyMatchesFile(t *testing.T) {
	embedded, err := dbapispec.GetSpec()
	if err != nil {
		t.Fatalf("decode embedded spec: %v", err)
	}
	onDisk := loadSpecFile(t)
	a, err := json.Marshal(embedded)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(onDisk)
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Fatal("the spec embedded in gen/dbapispec differs from openapi.yaml: run `make generate`")
	}
}

// TestSpecRejectsBrokenCopies proves the validation above can fail: each
// case breaks a copy of openapi.yaml in one way, and each copy must be
// rejected.
func TestSpecRejectsBrokenCopies(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
	}{
		{"example with an unknown enum value", "            status: done\n", "            status: finished-ish\n"},
		{"example with a negative size", "            size: 67108864\n", "            size: -1\n"},
		{"example date-time that is not a date", "          created_at: '2019-02-05T15:38:14.343+01:00'\n", "          created_at: 42\n"},
		{"reference to a missing schema", "$ref: '#/components/schemas/BackupArchive'", "$ref: '#/components/schemas/NoSuchSchema'"},
		{"user example missing a required field", "          - name: metabase\n            read_only: true\n", "          - name: metabase\n"},
		{"request example with a too-short password", "          password: Xu8eiPh2ohw3Ahngee5phaeT\n          password_confirmation: Xu8eiPh2ohw3Ahngee5phaeT\n", "          password: short\n          password_confirmation: short\n"},
		{"minimum that is not a number", "            minimum: 1\n            default: 1\n", "            minimum: one\n            default: 1\n"},
		{"next_upgrade that is neither null nor a version", "          next_upgrade: null\n", "          next_upgrade: 42\n"},
		{"firewall rule example of a custom range without its CIDR", "        type: custom_range\n        cidr: 198.51.100.0/24\n", "        type: custom_range\n"},
		{"feature name that no engine has", "          name: publicly-available\n", "          name: warp-drive\n"},
		{"action result that is not JSON-shaped as documented", "        ok: 1\n        result: null\n", "        ok: 2\n        result: null\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := openapi3.NewLoader().LoadFromData(brokenCopy(t, tt.old, tt.new))
			if err == nil {
				err = validate(doc)
			}
			if err == nil {
				t.Fatal("a broken copy of the spec was accepted")
			}
			t.Logf("rejected: %.200s", err)
		})
	}
}

// wantOperations lists every operation the toolkit describes: the 30 of the
// reference table (PUT on the database counted), the pre-signed download and
// the 13 known only from the JavaScript client.
var wantOperations = []string{
	"createBackup", "createDatabaseUser", "createFirewallRule", "deleteDatabaseUser",
	"deleteFirewallRule", "disableDatabaseFeature", "downloadBackup", "enableDatabaseFeature",
	"getBackup", "getBackupArchive", "getDatabase", "getDatabaseHealth",
	"getDatabaseInstancesStatus", "getDatabaseLogsUrl", "getDatabaseMetrics", "getDatabaseTypeVersion",
	"getMaintenance", "getPitrRecoveryWindow", "listBackups", "listDatabaseLogsArchives",
	"listDatabaseUsers", "listFirewallManagedRanges", "listFirewallRules", "listMaintenances",
	"putDatabase", "resetDatabaseUserPassword", "restoreDatabasePitr", "runDatabaseAction",
	"updateDatabase", "updateDatabaseUser", "upgradeDatabase",
	// Known only from the JavaScript client (x-sources: [js-client]).
	"getBackupRestoration", "getCaCertificate", "getDatabaseLag", "getDatabaseMetricsByType",
	"getDatabaseOperation", "getDatabasePlan", "getDatabaseType", "getInstanceMetricsByType",
	"getPlan", "listDatabaseTypes", "pingDatabase", "restoreBackup", "updateFirewallRule",
}

type operation struct {
	method, path string
	op           *openapi3.Operation
}

func operations(doc *openapi3.T) map[string]operation {
	ops := map[string]operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops[op.OperationID] = operation{method, path, op}
		}
	}
	return ops
}

func TestSpecOperationsAreComplete(t *testing.T) {
	doc := loadSpecFile(t)
	ops := operations(doc)
	var got []string
	for id := range ops {
		got = append(got, id)
	}
	sort.Strings(got)
	want := slices.Sorted(slices.Values(wantOperations))
	if !slices.Equal(got, want) {
		t.Fatalf("operations = %v\nwant %v", got, want)
	}
	for id, o := range ops {
		t.Run(id, func(t *testing.T) {
			op := o.op
			if len(op.Tags) != 1 {
				t.Errorf("tags = %v, want exactly one", op.Tags)
			}
			if op.Summary == "" || op.Description == "" {
				t.Error("summary or description is empty")
			}
			var success []string
			for code := range op.Responses.Map() {
				if strings.HasPrefix(code, "2") {
					success = append(success, code)
				}
			}
			if len(success) == 0 {
				t.Error("no 2xx response")
			}
			want := []string{"401", "403", "404", "429", "500", "502", "503", "504"}
			if id == "downloadBackup" {
				// Authorised by its pre-signed token, not by the bearer token.
				want = []string{"400", "403", "404", "416", "429", "500", "502", "503", "504"}
				if op.Security == nil || len(*op.Security) != 0 {
					t.Error("downloadBackup must not require the bearer token")
				}
			}
			hasQuery := false
			for _, p := range op.Parameters {
				if p.Value.In == openapi3.ParameterInQuery {
					hasQuery = true
				}
			}
			if op.RequestBody != nil || (hasQuery && id != "downloadBackup") {
				want = append(want, "400", "422")
			}
			for _, code := range want {
				if op.Responses.Value(code) == nil {
					t.Errorf("no %s response", code)
				}
			}
			for code, ref := range op.Responses.Map() {
				if strings.HasSuffix(strings.ToUpper(code), "XX") || code == "default" {
					t.Errorf("response %s: ranges and default need lenient modes in some tools (Specmatic); list the statuses", code)
				}
				for mt, media := range ref.Value.Content {
					if media.Example == nil && len(media.Examples) == 0 {
						t.Errorf("response %s %s has no example", code, mt)
					}
				}
				if code == "429" && ref.Value.Headers["Retry-After"] == nil {
					t.Error("429 without Retry-After")
				}
			}
			if op.RequestBody != nil {
				for mt, media := range op.RequestBody.Value.Content {
					if media.Example == nil && len(media.Examples) == 0 {
						t.Errorf("request body %s has no example", mt)
					}
				}
			}
		})
	}
}

func TestSpecErrorShapes(t *testing.T) {
	doc := loadSpecFile(t)
	unprocessable := doc.Components.Responses["UnprocessableEntity"].Value.Content.Get("application/json").Schema.Value
	tests := []struct {
		name  string
		body  string
		valid bool
	}{
		{"errors map", `{"errors":{"name":["should contain only lowercap letters, digits and hyphens"]}}`, true},
		{"empty errors map", `{"errors":{}}`, false},
		{"errors as a list", `{"errors":["bad"]}`, false},
		{"missing errors", `{"error":"bad"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkSchema(t, unprocessable, tt.body, tt.valid)
		})
	}
	errSchema := doc.Components.Schemas["Error"].Value
	checkSchema(t, errSchema, `{"resource":"app","error":"not found"}`, true)
	checkSchema(t, errSchema, `{"message":"not found"}`, false)
}

// checkSchema asserts that body does (valid) or does not validate against s.
func checkSchema(t *testing.T, s *openapi3.Schema, body string, valid bool) {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("bad test JSON %s: %v", body, err)
	}
	err := s.VisitJSON(v, openapi3.EnableFormatValidation())
	if valid && err != nil {
		t.Errorf("%s rejected: %v", body, err)
	}
	if !valid && err == nil {
		t.Errorf("%s accepted", body)
	}
}

// walkSchemas calls f on every schema reachable from doc's components and operations, once each.
func walkSchemas(doc *openapi3.T, f func(where string, s *openapi3.Schema)) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(where string, ref *openapi3.SchemaRef)
	walk = func(where string, ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		if ref.Ref != "" {
			where = ref.Ref
		}
		s := ref.Value
		seen[s] = true
		f(where, s)
		for name, p := range s.Properties {
			walk(where+"/properties/"+name, p)
		}
		walk(where+"/items", s.Items)
		if s.AdditionalProperties.Schema != nil {
			walk(where+"/additionalProperties", s.AdditionalProperties.Schema)
		}
		for i, list := range [][]*openapi3.SchemaRef{s.OneOf, s.AnyOf, s.AllOf} {
			for j, sub := range list {
				walk(fmt.Sprintf("%s/%s/%d", where, []string{"oneOf", "anyOf", "allOf"}[i], j), sub)
			}
		}
		walk(where+"/not", s.Not)
	}
	for name, ref := range doc.Components.Schemas {
		walk("#/components/schemas/"+name, ref)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			for _, p := range append(slices.Clone(item.Parameters), op.Parameters...) {
				walk(where+" parameter "+p.Value.Name, p.Value.Schema)
			}
			if op.RequestBody != nil {
				for _, mt := range op.RequestBody.Value.Content {
					walk(where+" request", mt.Schema)
				}
			}
			for code, resp := range op.Responses.Map() {
				for _, mt := range resp.Value.Content {
					walk(where+" "+code, mt.Schema)
				}
				for name, h := range resp.Value.Headers {
					walk(where+" "+code+" header "+name, h.Value.Schema)
				}
			}
		}
	}
}

// portabilityProblems lists what makes tools read doc differently: nullable with no type beside it
// (meaningless under OpenAPI 3.0.3), a URI whose format some tools do not check without a pattern
// that says the same, and a pattern with a double quote outside a character class (Specmatic's
// regular expressions take it for the start of a literal string, and refuse the whole spec).
func portabilityProblems(doc *openapi3.T) []string {
	var out []string
	walkSchemas(doc, func(where string, s *openapi3.Schema) {
		if s.Nullable && s.Type == nil {
			out = append(out, where+": nullable without type")
		}
		if s.Format == "uri" && s.Pattern == "" {
			out = append(out, where+": format uri without pattern")
		}
		if bareQuote(s.Pattern) {
			out = append(out, where+`: pattern with a " outside a character class`)
		}
	})
	sort.Strings(out)
	return out
}

// bareQuote tells whether the regular expression re has a double quote outside a character class.
func bareQuote(re string) bool {
	inClass := false
	for i := 0; i < len(re); i++ {
		switch re[i] {
		case '\\':
			i++ // the escaped character
		case '[':
			inClass = true
		case ']':
			inClass = false
		case '"':
			if !inClass {
				return true
			}
		}
	}
	return false
}

func TestSpecIsPortable(t *testing.T) {
	if got := portabilityProblems(loadSpecFile(t)); len(got) > 0 {
		t.Errorf("openapi.yaml:\n%s", strings.Join(got, "\n"))
	}
	// The check fails on the shapes it looks for.
	tests := []struct {
		name, old, new, want string
	}{
		{"nullable without type", "    UpgradeTarget:\n      type: object\n      nullable: true\n", "    UpgradeTarget:\n      nullable: true\n", "#/components/schemas/UpgradeTarget: nullable without type"},
		{"quote outside a character class", `        pattern: '^["][^"]*["]$'`, `        pattern: '^"[^"]*"$'`, `header ETag: pattern with a " outside a character class`},
		{"uri without pattern", "          format: uri\n          pattern: '^https://", "          format: uri\n          x-no-pattern: '^https://", "format uri without pattern"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.Join(portabilityProblems(loadBrokenCopy(t, tt.old, tt.new)), "\n")
			if !strings.Contains(got, tt.want) {
				t.Errorf("problems %q do not name %q", got, tt.want)
			}
		})
	}
}

// TestSpecSchemaRules checks the rules the schemas now state instead of prose.
func TestSpecSchemaRules(t *testing.T) {
	doc := loadSpecFile(t)
	schema := func(name string) *openapi3.Schema { return doc.Components.Schemas[name].Value }
	tests := []struct {
		name   string
		schema string
		body   string
		valid  bool
	}{
		{"next_upgrade null", "DatabaseTypeVersion", `{"id":"v","database_type_id":"t","created_at":"2020-07-29T15:41:14Z","updated_at":"2020-07-29T15:41:14Z","major":1,"minor":0,"patch":0,"build":1,"features":[],"next_upgrade":null}`, true},
		{"next_upgrade a version", "DatabaseTypeVersion", `{"id":"v","database_type_id":"t","created_at":"2020-07-29T15:41:14Z","updated_at":"2020-07-29T15:41:14Z","major":1,"minor":0,"patch":0,"build":1,"features":[],"next_upgrade":{"id":"w","database_type_id":"t","created_at":"2020-07-29T15:41:14Z","updated_at":"2020-07-29T15:41:14Z","major":2,"minor":0,"patch":0,"build":1,"features":[]}}`, true},
		{"next_upgrade a number", "DatabaseTypeVersion", `{"id":"v","database_type_id":"t","created_at":"2020-07-29T15:41:14Z","updated_at":"2020-07-29T15:41:14Z","major":1,"minor":0,"patch":0,"build":1,"features":[],"next_upgrade":42}`, false},
		{"next_upgrade an incomplete version", "DatabaseTypeVersion", `{"id":"v","database_type_id":"t","created_at":"2020-07-29T15:41:14Z","updated_at":"2020-07-29T15:41:14Z","major":1,"minor":0,"patch":0,"build":1,"features":[],"next_upgrade":{"id":"w"}}`, false},
		{"custom range rule", "FirewallRuleCreate", `{"type":"custom_range","cidr":"198.51.100.0/24"}`, true},
		{"managed range rule", "FirewallRuleCreate", `{"type":"managed_range","range_id":"eu"}`, true},
		{"custom range rule without cidr", "FirewallRuleCreate", `{"type":"custom_range","range_id":"eu"}`, false},
		{"managed range rule without range_id", "FirewallRuleCreate", `{"type":"managed_range","cidr":"198.51.100.0/24"}`, false},
		{"rule of an unknown type", "FirewallRuleCreate", `{"type":"any","cidr":"198.51.100.0/24"}`, false},
		{"listed managed rule", "FirewallRule", `{"id":"r","type":"managed_range","range_id":"eu"}`, true},
		{"listed custom rule without cidr", "FirewallRule", `{"id":"r","type":"custom_range"}`, false},
		{"known feature", "FeatureEnableRequest", `{"feature":{"name":"redis-aof"}}`, true},
		{"unknown feature", "FeatureEnableRequest", `{"feature":{"name":"warp-drive"}}`, false},
		{"action without params", "ActionRequest", `{"action_name":"list-databases","params":null}`, true},
		{"action with an object", "ActionRequest", `{"action_name":"pg-cancel-query","params":{"pid":2000}}`, true},
		{"action with a string", "ActionRequest", `{"action_name":"set-sqlmode","params":"NO_ZERO_DATE"}`, true},
		{"result null", "ActionResult", `{"ok":1,"result":null}`, true},
		{"result a list", "ActionResult", `{"ok":1,"result":[{"name":"plpgsql"}]}`, true},
		{"result a string", "ActionResult", `{"ok":1,"result":"STRICT_TRANS_TABLES"}`, true},
		{"ok out of its enum", "ActionResult", `{"ok":2}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkSchema(t, schema(tt.schema), tt.body, tt.valid)
		})
	}
	for _, name := range []string{"DatabaseUserCreate", "DatabaseUserUpdate"} {
		p := schema(name).Properties["password_confirmation"].Value
		if p.Extensions["x-must-equal"] != "password" {
			t.Errorf("%s.password_confirmation: x-must-equal = %v, want password", name, p.Extensions["x-must-equal"])
		}
	}
}

// TestSpecLinks checks that getBackupArchive's answer links to downloadBackup, the only way to a
// download token, with parameters downloadBackup takes.
func TestSpecLinks(t *testing.T) {
	doc := loadSpecFile(t)
	ops := operations(doc)
	link := ops["getBackupArchive"].op.Responses.Value("200").Value.Links["download"]
	if link == nil || link.Value == nil {
		t.Fatal("getBackupArchive 200 has no download link")
	}
	if link.Value.OperationID != "downloadBackup" {
		t.Fatalf("link to %q, want downloadBackup", link.Value.OperationID)
	}
	target := ops["downloadBackup"]
	params := map[string]bool{}
	for _, p := range append(slices.Clone(doc.Paths.Find(target.path).Parameters), target.op.Parameters...) {
		params[p.Value.Name] = true
	}
	for name, expr := range link.Value.Parameters {
		if !params[name] {
			t.Errorf("link parameter %s is not a parameter of downloadBackup", name)
		}
		if s, _ := expr.(string); !strings.HasPrefix(s, "$request.path.") || !params[strings.TrimPrefix(s, "$request.path.")] {
			t.Errorf("link parameter %s = %v, want a path parameter of the request", name, expr)
		}
	}
	if len(link.Value.Parameters) != 2 {
		t.Errorf("link parameters %v, want database_id and backup_id", link.Value.Parameters)
	}
}

// exampleRequest is the request an example key of an operation describes: its path, query,
// headers and body all come from the examples of that name.
type exampleRequest struct {
	op      string
	key     string
	method  string
	path    string // with the path parameters filled in
	query   url.Values
	header  http.Header
	body    []byte // nil when the operation takes none
	status  int    // the status whose response example has the same name; 0 when none has
	missing []string
}

// exampleRequests builds, for every operation, one request per example name that its parameters,
// body or responses use.
func exampleRequests(doc *openapi3.T) []exampleRequest {
	var out []exampleRequest
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			params := map[string]*openapi3.Parameter{}
			for _, p := range append(slices.Clone(item.Parameters), op.Parameters...) {
				params[p.Value.In+" "+p.Value.Name] = p.Value
			}
			var body *openapi3.MediaType
			if op.RequestBody != nil {
				body = op.RequestBody.Value.Content.Get("application/json")
			}
			keys := map[string]bool{}
			for _, p := range params {
				for k := range p.Examples {
					keys[k] = true
				}
			}
			if body != nil {
				for k := range body.Examples {
					keys[k] = true
				}
			}
			if len(keys) == 0 { // no input: the success examples name the requests
				for code, r := range op.Responses.Map() {
					for _, mt := range r.Value.Content {
						for k := range mt.Examples {
							if strings.HasPrefix(code, "2") {
								keys[k] = true
							}
						}
					}
				}
			}
			for k := range keys {
				r := exampleRequest{op: op.OperationID, key: k, method: method, path: path, query: url.Values{}, header: http.Header{}}
				for _, p := range params {
					ex, ok := p.Examples[k]
					if !ok {
						if p.In == openapi3.ParameterInPath {
							r.missing = append(r.missing, "path parameter "+p.Name)
						}
						continue
					}
					v := fmt.Sprint(ex.Value.Value)
					switch p.In {
					case openapi3.ParameterInPath:
						r.path = strings.ReplaceAll(r.path, "{"+p.Name+"}", url.PathEscape(v))
					case openapi3.ParameterInQuery:
						r.query.Set(p.Name, v)
					case openapi3.ParameterInHeader:
						r.header.Set(p.Name, v)
					}
				}
				if body != nil {
					ex, ok := body.Examples[k]
					if !ok {
						r.missing = append(r.missing, "request body")
					} else {
						r.body, _ = json.Marshal(ex.Value.Value)
					}
				}
				for code, resp := range op.Responses.Map() {
					for _, mt := range resp.Value.Content {
						if _, ok := mt.Examples[k]; ok {
							_, _ = fmt.Sscan(code, &r.status)
						}
					}
				}
				for code, resp := range op.Responses.Map() {
					if r.status == 0 && strings.HasPrefix(code, "2") && len(resp.Value.Content) == 0 {
						_, _ = fmt.Sscan(code, &r.status) // a success without a body, as a 204, has no example
					}
				}
				if r.status == 0 {
					r.missing = append(r.missing, "response")
				}
				out = append(out, r)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].op+out[i].key < out[j].op+out[j].key })
	return out
}

// exampleClock is the instant the examples are told at: 2019-07-18T23:00:00Z, the restore time of
// the point-in-time example, lies in the recovery window that ends then.
var exampleClock = time.Date(2019, 7, 19, 10, 0, 0, 0, time.UTC)

// send sends r to the mock at base and returns the status and body.
func (r exampleRequest) send(t *testing.T, base string) (int, []byte) {
	t.Helper()
	u := base + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequest(strings.ToUpper(r.method), u, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	req.Header.Set("Authorization", "Bearer "+mockserver.DefaultToken)
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// TestSpecExamplesTellTheMockStory sends every example request of the spec, each to a fresh mock
// seeded with the demo data: every path parameter example resolves there, every request is
// accepted with a documented success status, and the status is the one whose response example
// has the example's name (downloadBackup's example token has expired: 403, as its example says).
func TestSpecExamplesTellTheMockStory(t *testing.T) {
	doc := loadSpecFile(t)
	reqs := exampleRequests(doc)
	ops := operations(doc)
	covered := map[string]bool{}
	for _, r := range reqs {
		covered[r.op] = true
		t.Run(r.op+"/"+r.key, func(t *testing.T) {
			if len(r.missing) > 0 {
				t.Fatalf("example %q has no %s of the same name", r.key, strings.Join(r.missing, ", "))
			}
			if r.status >= 300 && r.op != "downloadBackup" {
				t.Fatalf("example %q documents a %d answer; examples of requests tell successes", r.key, r.status)
			}
			if ops[r.op].op.Responses.Value(fmt.Sprint(r.status)) == nil {
				t.Fatalf("status %d is not documented", r.status)
			}
			_, base := mockserver.Start(t, mockserver.WithSeed(mockserver.DemoSeed()), mockserver.WithClock(mockserver.NewManualClock(exampleClock)))
			status, body := r.send(t, base)
			if status != r.status {
				t.Errorf("%s %s answered %d, want %d as the example says: %s", strings.ToUpper(r.method), r.path, status, r.status, body)
			}
		})
	}
	for id := range ops {
		if !covered[id] {
			t.Errorf("%s has no example request", id)
		}
	}
	if len(reqs) < len(ops) {
		t.Fatalf("%d example requests for %d operations", len(reqs), len(ops))
	}

	// The download token comes from getBackupArchive: follow its link with downloadBackup's examples.
	t.Run("downloadBackup/by the link of getBackupArchive", func(t *testing.T) {
		var archive, download exampleRequest
		for _, r := range reqs {
			switch {
			case r.op == "getBackupArchive" && r.key == "postgresql":
				archive = r
			case r.op == "downloadBackup" && r.key == "postgresql":
				download = r
			}
		}
		_, base := mockserver.Start(t, mockserver.WithSeed(mockserver.DemoSeed()), mockserver.WithClock(mockserver.NewManualClock(exampleClock)))
		status, body := archive.send(t, base)
		var link dbapi.BackupArchive
		if status != http.StatusOK || json.Unmarshal(body, &link) != nil {
			t.Fatalf("getBackupArchive: %d %s", status, body)
		}
		u, err := url.Parse(link.DownloadURL)
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.TrimSuffix(base, "/api") + "/api" + download.path; u.Scheme+"://"+u.Host+u.Path != want {
			t.Errorf("download_url %s, want the path %s of the example", link.DownloadURL, want)
		}
		req, err := http.NewRequest(http.MethodGet, link.DownloadURL, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header = download.header.Clone() // the Range example, and no bearer token
		if status, _ := do(t, req); status != http.StatusPartialContent {
			t.Errorf("download with the Range example answered %d, want 206", status)
		}
	})
}

// TestSpecExamplesCheckFails proves the example check above can fail: a path parameter example
// that names nothing in the demo data, and an example without its namesakes.
func TestSpecExamplesCheckFails(t *testing.T) {
	tests := []struct {
		name, old, new string
		op             string
		wantStatus     int // the mock's answer to the broken example, 0 to expect a missing namesake
	}{
		{"maintenance that does not exist", "      value: my-maintenance-1\n", "      value: my-maintenance-123\n", "getMaintenance", http.StatusNotFound},
		{"user that does not exist", "      value: metabase\n", "      value: my-user\n", "resetDatabaseUserPassword", http.StatusNotFound},
		{"operation that does not exist", "      value: 5d2c8a604ffb090be1ac3d10\n", "      value: 5d2c8a604ffb090be1ac3d11\n", "getDatabaseOperation", http.StatusNotFound},
		{"restoration that does not exist", "      value: 5d2d6c004ffb090be1ac3d20\n", "      value: 5d2d6c004ffb090be1ac3d21\n", "getBackupRestoration", http.StatusNotFound},
		{"plan of another type", "      value: postgresql-starter-512\n", "      value: redis-starter-512\n", "getPlan", http.StatusNotFound},
		{"feature of another engine", "      value: publicly-available\n", "      value: redis-aof\n", "disableDatabaseFeature", http.StatusUnprocessableEntity},
		{"confirmation that differs", "          password_confirmation: Xu8eiPh2ohw3Ahngee5phaeT\n", "          password_confirmation: Xu8eiPh2ohw3Ahngee5phaeX\n", "createDatabaseUser", http.StatusUnprocessableEntity},
		{"body example without a response namesake", "                postgresql:\n                  $ref: '#/components/examples/FeatureEnabled'\n", "                other:\n                  $ref: '#/components/examples/FeatureEnabled'\n", "enableDatabaseFeature", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var found bool
			for _, r := range exampleRequests(loadBrokenCopy(t, tt.old, tt.new)) {
				if r.op != tt.op || r.key != "postgresql" {
					continue
				}
				found = true
				if tt.wantStatus == 0 {
					if len(r.missing) == 0 {
						t.Error("the example without a response of its name was not noticed")
					}
					continue
				}
				_, base := mockserver.Start(t, mockserver.WithSeed(mockserver.DemoSeed()), mockserver.WithClock(mockserver.NewManualClock(exampleClock)))
				if status, body := r.send(t, base); status != tt.wantStatus {
					t.Errorf("the broken example answered %d, want %d: %s", status, tt.wantStatus, body)
				}
			}
			if !found {
				t.Fatalf("no example request %s/postgresql", tt.op)
			}
		})
	}
}
