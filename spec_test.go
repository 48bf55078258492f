// Package spec_test checks openapi.yaml itself: that it loads and validates
// (examples included), that it describes every operation the toolkit
// promises, that the three operations of the original document are exactly
// as that document gives them, and that the generated client and strict
// server agree with each other on them.
package spec_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/scalingodb/dbapi-go/gen/dbapispec"
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
	raw, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src := string(raw)
	tests := []struct {
		name     string
		old, new string
	}{
		{"example with an unknown enum value", "                    status: done\n", "                    status: finished-ish\n"},
		{"example with a negative size", "                    size: 17484513608\n", "                    size: -1\n"},
		{"example date-time that is not a date", "                created_at: '2018-09-02T03:00:00.178+02:00'\n", "                created_at: 42\n"},
		{"reference to a missing schema", "$ref: '#/components/schemas/BackupArchive'", "$ref: '#/components/schemas/NoSuchSchema'"},
		{"user example missing a required field", "                  - name: metabase\n                    read_only: true\n", "                  - name: metabase\n"},
		{"request example with a too-short password", "                password: K_gaef6ripo7Ao4Uaxai6Kiey\n                password_confirmation: K_gaef6ripo7Ao4Uaxai6Kiey\n", "                password: short\n                password_confirmation: short\n"},
		{"minimum that is not a number", "            minimum: 1\n            default: 1\n", "            minimum: one\n            default: 1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(src, tt.old) {
				t.Fatalf("the text to break is no longer in openapi.yaml: %q", tt.old)
			}
			broken := strings.Replace(src, tt.old, tt.new, 1)
			doc, err := openapi3.NewLoader().LoadFromData([]byte(broken))
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
			want := []string{"401", "403", "404", "429", "5XX"}
			if id == "downloadBackup" {
				// Authorised by its pre-signed token, not by the bearer token.
				want = []string{"400", "403", "404", "416", "429", "5XX"}
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
