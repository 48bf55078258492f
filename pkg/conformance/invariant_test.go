package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// faithfulCases are the classes of body the libopenapi differential found accepted and decoded
// wrongly (or refused and decoded exactly) by the generated types. Each is judged by the validator
// and, when accepted, decoded with the generated client: accepted means decoded faithfully.
var faithfulCases = []struct {
	name, target string
	body         string
	accept       bool
}{
	// Date-times: time.Time reads the raw bytes between the quotes (golang/go#47353) and cuts a
	// fraction after the ninth digit.
	{"date-time, plain", "createBackup 201", backupCreatedAt(`2019-07-19T12:00:00+02:00`), true},
	{"date-time, escaped plus", "createBackup 201", backupCreatedAt(`2019-07-19T12:00:00\u002B02:00`), false},
	{"date-time, escaped digit", "createBackup 201", backupCreatedAt(`\u0032019-07-19T12:00:00Z`), false},
	{"date-time, escaped inside a oneOf branch", "createFirewallRule 201",
		`{"rule":{"created_at":"2019-07-19T10:00:00\u005A","id":"i","range_id":"eu","type":"managed_range"}}`, false},
	{"date-time, 9 fraction digits", "createBackup 201", backupCreatedAt(`2019-07-19T12:00:00.123456789Z`), true},
	{"date-time, 10 fraction digits", "createBackup 201", backupCreatedAt(`2019-07-19T12:00:00.1234567891Z`), false},
	{"date-time, 10 fraction digits ending in 0", "createBackup 201", backupCreatedAt(`2019-07-19T12:00:00.1234567890Z`), false},
	// Case-folded twin keys inside a branch of a oneOf (FirewallRule has a discriminator, which
	// kin-openapi judges).
	{"firewall rule", "listFirewallRules 200",
		`{"rules":[{"cidr":"203.0.113.0/24","id":"r1","type":"custom_range"}]}`, true},
	{"firewall rule, TYPE twin of type", "listFirewallRules 200",
		`{"rules":[{"type":"custom_range","cidr":"203.0.113.0/24","id":"r1","TYPE":"managed_range","RANGE_ID":"eu"}]}`, false},
	{"firewall rule, Cidr twin of cidr", "createFirewallRule 201",
		`{"rule":{"cidr":"203.0.113.0/24","id":"r1","type":"custom_range","Cidr":"198.51.100.0/24"}}`, false},
	{"firewall rule, key folding onto the other branch", "createFirewallRule 201",
		`{"rule":{"id":"r1","type":"managed_range","range_id":"eu","CIDR":"198.51.100.0/24"}}`, false},
	{"firewall rule, repeated key", "createFirewallRule 201",
		`{"rule":{"id":"r1","type":"custom_range","type":"managed_range","range_id":"eu"}}`, false},
	// type: number decodes into float64, which holds what it is given exactly or not at all.
	{"cpu_usage, 7 digits", "getDatabaseMetrics 200",
		`{"cpu_usage":12.3456789,"memory":{},"real_disk_size":1}`, true},
	{"metric series, 2^24+1", "getDatabaseMetricsByType 200", `16777217`, true},
	{"metric series, 1e39", "getDatabaseMetricsByType 200", `1e39`, true},
	{"metric series, in an object", "getDatabaseMetricsByType 200", `{"v":16777217}`, true},
	{"metric series, more digits than float64", "getDatabaseMetricsByType 200", `0.30000000000000000001`, false},
	{"cpu_usage, more digits than float64", "getDatabaseMetrics 200",
		`{"cpu_usage":0.30000000000000000001,"memory":{},"real_disk_size":1}`, false},
	// UpgradeTarget's Go type (DatabaseTypeVersion) has a next_upgrade.
	{"next upgrade of the next upgrade, a string", "getDatabaseTypeVersion 200", typeVersionUpgradingTo(`"x"`), false},
	{"next upgrade of the next upgrade, null", "getDatabaseTypeVersion 200", typeVersionUpgradingTo(`null`), true},
	// null under an untyped schema decodes into interface{} as nil, exactly.
	{"metric series with a missing point", "getDatabaseMetricsByType 200", `[{"time":"2019-07-19T10:00:00Z","value":null},null]`, true},
	{"action result, a list with null", "runDatabaseAction 200", `{"ok":1,"result":[null,"a"]}`, true},
	{"metric series, null itself", "getDatabaseMetricsByType 200", `null`, false},
}

// backupCreatedAt is a createBackup 201 body whose created_at is the JSON string text createdAt.
func backupCreatedAt(createdAt string) string {
	return `{"database_backup":{"created_at":"` + createdAt + `","database_id":"d","id":"i","name":"n","status":"done"}}`
}

// typeVersionUpgradingTo is a getDatabaseTypeVersion 200 body whose next_upgrade has the JSON value
// next as its own next_upgrade.
func typeVersionUpgradingTo(next string) string {
	const version = `"build":1,"created_at":"2024-07-08T10:00:00+02:00","database_type_id":"t","features":[],` +
		`"id":%q,"major":%d,"minor":%d,"patch":0,"updated_at":"2024-07-08T10:00:00+02:00"`
	return `{"database_type_version":{` + fmt.Sprintf(version, "v", 15, 7) + `,"next_upgrade":{` +
		fmt.Sprintf(version, "w", 16, 1) + `,"next_upgrade":` + next + `}}}`
}

// TestValidateResponse_AcceptsOnlyWhatDecodesFaithfully is the table of the invariant: each class
// of body is accepted or refused as listed, and what is accepted decodes faithfully into the
// generated types (the oracle of FuzzDecodesFaithfully).
func TestValidateResponse_AcceptsOnlyWhatDecodesFaithfully(t *testing.T) {
	v := mustNew(t)
	targets := decodeTargetsByName(t, v)
	for _, tt := range faithfulCases {
		t.Run(tt.name, func(t *testing.T) {
			dt, ok := targets[tt.target]
			if !ok {
				t.Fatalf("no JSON response %q", tt.target)
			}
			body := []byte(tt.body)
			if !json.Valid(body) {
				t.Fatalf("the case is not JSON: %s", body)
			}
			verr := v.ValidateResponse(dt.req, dt.status, http.Header{"Content-Type": {dt.ci.mediaType}}, body)
			if tt.accept && verr != nil {
				t.Fatalf("ValidateResponse refuses it: %v", verr)
			}
			if !tt.accept && verr == nil {
				t.Fatalf("ValidateResponse accepts it; decoding it: %v", dt.roundTrip(body))
			}
			if verr == nil {
				if err := dt.roundTrip(body); err != nil {
					t.Fatalf("accepted, but %v", err)
				}
			}
		})
	}
}

// TestValidateResponse_EscapedDateTimeSaysWhy checks the violation of an escaped date-time names
// the escape, on the slow path that reports it.
func TestValidateResponse_EscapedDateTimeSaysWhy(t *testing.T) {
	v := mustNew(t)
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/api/databases/d1/backups", nil)
	body := `{"database_backup":{"created_at":"2019-07-19T12:00:00\u002B02:00","database_id":"d","id":"i","name":"n","status":"done"}}`
	verr := v.ValidateResponse(req, 201, jsonHeaderFor(), []byte(body))
	if verr == nil || !strings.Contains(verr.Error(), "escape") || !strings.Contains(verr.Error(), "/database_backup/created_at") {
		t.Fatalf("ValidateResponse = %v, want a violation at /database_backup/created_at naming the escape", verr)
	}
	// What the violation is about: time.Time does not decode the escape.
	var tm time.Time
	if json.Unmarshal([]byte(`"2019-07-19T12:00:00\u002B02:00"`), &tm) == nil {
		t.Log("time.Time now decodes escaped date-times (golang/go#47353 fixed): the rule could be relaxed")
	}
}

// TestValidateResponse_CaCertificateIsPEMText checks that getCaCertificate's PEM answer is judged
// as text against its schema's pattern, not passed through as binary.
func TestValidateResponse_CaCertificateIsPEMText(t *testing.T) {
	v := mustNew(t)
	const pemCert = "-----BEGIN CERTIFICATE-----\n" +
		"MIIBszCCAVmgAwIBAgIUQ2VydGlmaWNhdGUgb2YgdGhlIG1vY2sgQ0EwCgYIKoZI\n" +
		"zj0EAwIwETEPMA0GA1UEAxMGbW9jayBDQQ==\n" +
		"-----END CERTIFICATE-----\n"
	tests := []struct {
		name   string
		body   string
		accept bool
	}{
		{"one certificate", pemCert, true},
		{"without the last newline", strings.TrimSuffix(pemCert, "\n"), true},
		{"with CRLF", strings.ReplaceAll(pemCert, "\n", "\r\n"), true},
		{"a bundle of two", pemCert + pemCert, true},
		{"empty", "", false},
		{"an HTML page", "<html><body>Bad gateway</body></html>", false},
		{"a header and then HTML", "-----BEGIN CERTIFICATE-----\n<html></html>\n", false},
		{"no end line", "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n", false},
		{"a private key", strings.ReplaceAll(pemCert, "CERTIFICATE", "PRIVATE KEY"), false},
		{"invalid UTF-8", pemCert + "\xff", false},
	}
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/api/ca_certificate", nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			verr := v.ValidateResponse(req, 200, http.Header{"Content-Type": {"application/x-pem-file"}}, []byte(tt.body))
			if tt.accept != (verr == nil) {
				t.Fatalf("ValidateResponse = %v, want accepted %v", verr, tt.accept)
			}
		})
	}
}
