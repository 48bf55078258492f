package scalingodb

import (
	"net/http"
	"reflect"
	"strings"
	"sync"
)

// op is what the client knows of one operation of the spec.
type op struct {
	// id is the spec's operationId.
	id string
	// method and path are the operation's route in the spec (checked by
	// TestOperationTable_MatchesSpec).
	method, path string
	// retry says whether the request may be sent again after a lost or
	// failed answer: sending it twice has the effect of sending it once.
	// The rule (RFC 9110 idempotent methods, plus the justified exceptions
	// listed in ops_test.go) is checked against the spec.
	retry bool
	// envelope is the key of the JSON object that holds the answer, or ""
	// when the answer is the bare value.
	envelope string
	// params are the names of the path parameters, in the path's order.
	params []string

	// wire is the decoding type of the enveloped answer,
	// struct{ V *T `json:"<envelope>"` }, built on first use.
	wireOnce sync.Once
	wire     reflect.Type
}

// operations is the one table of the operations of the spec, keyed by
// operation ID. Every request of the client names its operation here.
var operations = indexOperations(operationTable[:])

// operationTable holds the entries of operations, as static data.
var operationTable = [...]op{
	// Databases.
	{id: "getDatabase", method: http.MethodGet, path: "/databases/{database_id}", retry: true, envelope: "database"},
	{id: "updateDatabase", method: http.MethodPatch, path: "/databases/{database_id}", retry: true, envelope: "database"},
	{id: "putDatabase", method: http.MethodPut, path: "/databases/{database_id}", retry: true, envelope: "database"},
	{id: "upgradeDatabase", method: http.MethodPost, path: "/databases/{database_id}/upgrade"},
	{id: "pingDatabase", method: http.MethodPost, path: "/databases/{database_id}/ping", retry: true},
	{id: "getDatabasePlan", method: http.MethodGet, path: "/databases/{database_id}/plan", retry: true, envelope: "plan"},
	{id: "getCaCertificate", method: http.MethodGet, path: "/ca_certificate", retry: true},
	// Features and actions.
	{id: "enableDatabaseFeature", method: http.MethodPost, path: "/databases/{database_id}/features"},
	{id: "disableDatabaseFeature", method: http.MethodDelete, path: "/databases/{database_id}/features", retry: true},
	{id: "runDatabaseAction", method: http.MethodPost, path: "/databases/{database_id}/action"},
	// Users.
	{id: "listDatabaseUsers", method: http.MethodGet, path: "/databases/{database_id}/users", retry: true, envelope: "database-users"},
	{id: "createDatabaseUser", method: http.MethodPost, path: "/databases/{database_id}/users", envelope: "database_user"},
	{id: "updateDatabaseUser", method: http.MethodPatch, path: "/databases/{database_id}/users/{username}", retry: true, envelope: "database_user"},
	{id: "deleteDatabaseUser", method: http.MethodDelete, path: "/databases/{database_id}/users/{username}", retry: true},
	{id: "resetDatabaseUserPassword", method: http.MethodPost, path: "/databases/{database_id}/users/{username}/reset_password", envelope: "database_user"},
	// Backups and restorations.
	{id: "listBackups", method: http.MethodGet, path: "/databases/{database_id}/backups", retry: true, envelope: "database_backups"},
	{id: "createBackup", method: http.MethodPost, path: "/databases/{database_id}/backups", envelope: "database_backup"},
	{id: "getBackup", method: http.MethodGet, path: "/backups/{backup_id}", retry: true, envelope: "database_backup"},
	{id: "getBackupArchive", method: http.MethodGet, path: "/databases/{database_id}/backups/{backup_id}/archive", retry: true},
	{id: "downloadBackup", method: http.MethodGet, path: "/databases/{database_id}/backups/{backup_id}/download", retry: true},
	{id: "restoreBackup", method: http.MethodPost, path: "/databases/{database_id}/backups/{backup_id}/restore"},
	{id: "getBackupRestoration", method: http.MethodGet, path: "/databases/{database_id}/backup_restorations/{restoration_id}", retry: true, envelope: "backup_restoration"},
	// Operations and point-in-time restores.
	{id: "getDatabaseOperation", method: http.MethodGet, path: "/databases/{database_id}/operations/{operation_id}", retry: true, envelope: "operation"},
	{id: "restoreDatabasePitr", method: http.MethodPost, path: "/databases/{database_id}/pitr/restore", envelope: "operation"},
	{id: "getPitrRecoveryWindow", method: http.MethodGet, path: "/databases/{database_id}/pitr/recovery_window", retry: true, envelope: "recovery_window"},
	// Maintenance, instances, metrics, logs.
	{id: "listMaintenances", method: http.MethodGet, path: "/databases/{database_id}/maintenance", retry: true},
	{id: "getMaintenance", method: http.MethodGet, path: "/databases/{database_id}/maintenance/{maintenance_id}", retry: true},
	{id: "getDatabaseInstancesStatus", method: http.MethodGet, path: "/databases/{database_id}/instances_status", retry: true},
	{id: "getDatabaseMetrics", method: http.MethodGet, path: "/databases/{database_id}/metrics", retry: true},
	{id: "getDatabaseHealth", method: http.MethodGet, path: "/databases/{database_id}/health", retry: true},
	{id: "getDatabaseMetricsByType", method: http.MethodGet, path: "/databases/{database_id}/metrics/{metric_type}", retry: true},
	{id: "getInstanceMetricsByType", method: http.MethodGet, path: "/databases/{database_id}/instances/{instance_id}/metrics/{metric_type}", retry: true},
	{id: "getDatabaseLag", method: http.MethodGet, path: "/databases/{database_id}/lag", retry: true},
	{id: "getDatabaseLogsUrl", method: http.MethodGet, path: "/databases/{database_id}/logs", retry: true},
	{id: "listDatabaseLogsArchives", method: http.MethodGet, path: "/databases/{database_id}/logs_archives", retry: true},
	// Firewall.
	{id: "listFirewallRules", method: http.MethodGet, path: "/databases/{database_id}/firewall_rules", retry: true, envelope: "rules"},
	{id: "createFirewallRule", method: http.MethodPost, path: "/databases/{database_id}/firewall_rules", envelope: "rule"},
	{id: "updateFirewallRule", method: http.MethodPatch, path: "/databases/{database_id}/firewall_rules/{firewall_rule_id}", retry: true, envelope: "rule"},
	{id: "deleteFirewallRule", method: http.MethodDelete, path: "/databases/{database_id}/firewall_rules/{firewall_rule_id}", retry: true},
	{id: "listFirewallManagedRanges", method: http.MethodGet, path: "/firewall/managed_ranges", retry: true, envelope: "ranges"},
	// Catalogue.
	{id: "listDatabaseTypes", method: http.MethodGet, path: "/database_types", retry: true, envelope: "database_types"},
	{id: "getDatabaseType", method: http.MethodGet, path: "/database_types/{database_type_id}", retry: true, envelope: "database_type"},
	{id: "getDatabaseTypeVersion", method: http.MethodGet, path: "/database_type_versions/{database_type_version_id}", retry: true, envelope: "database_type_version"},
	{id: "getPlan", method: http.MethodGet, path: "/plans/{plan_name}", retry: true, envelope: "plan"},
}

// indexOperations indexes the table by ID and fills in the names of each
// operation's path parameters from its path.
func indexOperations(table []op) map[string]*op {
	m := make(map[string]*op, len(table))
	for i := range table {
		o := &table[i]
		m[o.id] = o
		for rest := o.path; ; {
			i := strings.IndexByte(rest, '{')
			if i < 0 {
				break
			}
			j := strings.IndexByte(rest[i:], '}')
			o.params = append(o.params, rest[i+1:i+j])
			rest = rest[i+j:]
		}
	}
	return m
}

// operation returns the table's entry of id; an ID missing from the table
// is a bug of the client, which TestOperationTable_EveryCallNamesAnOperation
// finds.
func operation(id string) *op {
	o, ok := operations[id]
	if !ok {
		panic("scalingodb: operation " + id + " is not in the table")
	}
	return o
}

// wireType returns struct{ V *T `json:"<envelope>"` }, the type that
// decodes the answer of o in one pass.
func wireType[T any](o *op) reflect.Type {
	o.wireOnce.Do(func() {
		o.wire = reflect.StructOf([]reflect.StructField{{
			Name: "V",
			Type: reflect.TypeFor[*T](),
			Tag:  reflect.StructTag(`json:"` + o.envelope + `"`),
		}})
	})
	return o.wire
}
