package scalingodb

import (
	"net/http"
	"reflect"
	"sync"
)

// opSpec is what the spec says of one operation.
type opSpec struct {
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
}

// op is what the client knows of one operation of the spec. Each is one
// of the op* variables below, which the code names: an operation missing
// from the table does not compile, and there is no lookup that could fail.
type op struct {
	opSpec
	// wires caches the decoding types of the enveloped answer,
	// struct{ V *T `json:"<envelope>"` }, one per result type T: the
	// key is reflect.TypeFor[*T](), the value the struct's reflect.Type.
	wires sync.Map
}

// The operations of the spec. Every request of the client names its
// operation here.
var (
	// Databases.
	opGetDatabase      = &op{opSpec: opSpec{id: "getDatabase", method: http.MethodGet, path: "/databases/{database_id}", retry: true, envelope: "database"}}
	opUpdateDatabase   = &op{opSpec: opSpec{id: "updateDatabase", method: http.MethodPatch, path: "/databases/{database_id}", retry: true, envelope: "database"}}
	opPutDatabase      = &op{opSpec: opSpec{id: "putDatabase", method: http.MethodPut, path: "/databases/{database_id}", retry: true, envelope: "database"}}
	opUpgradeDatabase  = &op{opSpec: opSpec{id: "upgradeDatabase", method: http.MethodPost, path: "/databases/{database_id}/upgrade"}}
	opPingDatabase     = &op{opSpec: opSpec{id: "pingDatabase", method: http.MethodPost, path: "/databases/{database_id}/ping", retry: true}}
	opGetDatabasePlan  = &op{opSpec: opSpec{id: "getDatabasePlan", method: http.MethodGet, path: "/databases/{database_id}/plan", retry: true, envelope: "plan"}}
	opGetCaCertificate = &op{opSpec: opSpec{id: "getCaCertificate", method: http.MethodGet, path: "/ca_certificate", retry: true}}
	// Features and actions.
	opEnableDatabaseFeature  = &op{opSpec: opSpec{id: "enableDatabaseFeature", method: http.MethodPost, path: "/databases/{database_id}/features"}}
	opDisableDatabaseFeature = &op{opSpec: opSpec{id: "disableDatabaseFeature", method: http.MethodDelete, path: "/databases/{database_id}/features", retry: true}}
	opRunDatabaseAction      = &op{opSpec: opSpec{id: "runDatabaseAction", method: http.MethodPost, path: "/databases/{database_id}/action"}}
	// Users.
	opListDatabaseUsers         = &op{opSpec: opSpec{id: "listDatabaseUsers", method: http.MethodGet, path: "/databases/{database_id}/users", retry: true, envelope: "database-users"}}
	opCreateDatabaseUser        = &op{opSpec: opSpec{id: "createDatabaseUser", method: http.MethodPost, path: "/databases/{database_id}/users", envelope: "database_user"}}
	opUpdateDatabaseUser        = &op{opSpec: opSpec{id: "updateDatabaseUser", method: http.MethodPatch, path: "/databases/{database_id}/users/{username}", retry: true, envelope: "database_user"}}
	opDeleteDatabaseUser        = &op{opSpec: opSpec{id: "deleteDatabaseUser", method: http.MethodDelete, path: "/databases/{database_id}/users/{username}", retry: true}}
	opResetDatabaseUserPassword = &op{opSpec: opSpec{id: "resetDatabaseUserPassword", method: http.MethodPost, path: "/databases/{database_id}/users/{username}/reset_password", envelope: "database_user"}}
	// Backups and restorations.
	opListBackups          = &op{opSpec: opSpec{id: "listBackups", method: http.MethodGet, path: "/databases/{database_id}/backups", retry: true, envelope: "database_backups"}}
	opCreateBackup         = &op{opSpec: opSpec{id: "createBackup", method: http.MethodPost, path: "/databases/{database_id}/backups", envelope: "database_backup"}}
	opGetBackup            = &op{opSpec: opSpec{id: "getBackup", method: http.MethodGet, path: "/backups/{backup_id}", retry: true, envelope: "database_backup"}}
	opGetBackupArchive     = &op{opSpec: opSpec{id: "getBackupArchive", method: http.MethodGet, path: "/databases/{database_id}/backups/{backup_id}/archive", retry: true}}
	opDownloadBackup       = &op{opSpec: opSpec{id: "downloadBackup", method: http.MethodGet, path: "/databases/{database_id}/backups/{backup_id}/download", retry: true}}
	opRestoreBackup        = &op{opSpec: opSpec{id: "restoreBackup", method: http.MethodPost, path: "/databases/{database_id}/backups/{backup_id}/restore"}}
	opGetBackupRestoration = &op{opSpec: opSpec{id: "getBackupRestoration", method: http.MethodGet, path: "/databases/{database_id}/backup_restorations/{restoration_id}", retry: true, envelope: "backup_restoration"}}
	// Operations and point-in-time restores.
	opGetDatabaseOperation  = &op{opSpec: opSpec{id: "getDatabaseOperation", method: http.MethodGet, path: "/databases/{database_id}/operations/{operation_id}", retry: true, envelope: "operation"}}
	opRestoreDatabasePitr   = &op{opSpec: opSpec{id: "restoreDatabasePitr", method: http.MethodPost, path: "/databases/{database_id}/pitr/restore", envelope: "operation"}}
	opGetPitrRecoveryWindow = &op{opSpec: opSpec{id: "getPitrRecoveryWindow", method: http.MethodGet, path: "/databases/{database_id}/pitr/recovery_window", retry: true, envelope: "recovery_window"}}
	// Maintenance, instances, metrics, logs.
	opListMaintenances           = &op{opSpec: opSpec{id: "listMaintenances", method: http.MethodGet, path: "/databases/{database_id}/maintenance", retry: true}}
	opGetMaintenance             = &op{opSpec: opSpec{id: "getMaintenance", method: http.MethodGet, path: "/databases/{database_id}/maintenance/{maintenance_id}", retry: true}}
	opGetDatabaseInstancesStatus = &op{opSpec: opSpec{id: "getDatabaseInstancesStatus", method: http.MethodGet, path: "/databases/{database_id}/instances_status", retry: true}}
	opGetDatabaseMetrics         = &op{opSpec: opSpec{id: "getDatabaseMetrics", method: http.MethodGet, path: "/databases/{database_id}/metrics", retry: true}}
	opGetDatabaseHealth          = &op{opSpec: opSpec{id: "getDatabaseHealth", method: http.MethodGet, path: "/databases/{database_id}/health", retry: true}}
	opGetDatabaseMetricsByType   = &op{opSpec: opSpec{id: "getDatabaseMetricsByType", method: http.MethodGet, path: "/databases/{database_id}/metrics/{metric_type}", retry: true}}
	opGetInstanceMetricsByType   = &op{opSpec: opSpec{id: "getInstanceMetricsByType", method: http.MethodGet, path: "/databases/{database_id}/instances/{instance_id}/metrics/{metric_type}", retry: true}}
	opGetDatabaseLag             = &op{opSpec: opSpec{id: "getDatabaseLag", method: http.MethodGet, path: "/databases/{database_id}/lag", retry: true}}
	opGetDatabaseLogsUrl         = &op{opSpec: opSpec{id: "getDatabaseLogsUrl", method: http.MethodGet, path: "/databases/{database_id}/logs", retry: true}}
	opListDatabaseLogsArchives   = &op{opSpec: opSpec{id: "listDatabaseLogsArchives", method: http.MethodGet, path: "/databases/{database_id}/logs_archives", retry: true}}
	// Firewall.
	opListFirewallRules         = &op{opSpec: opSpec{id: "listFirewallRules", method: http.MethodGet, path: "/databases/{database_id}/firewall_rules", retry: true, envelope: "rules"}}
	opCreateFirewallRule        = &op{opSpec: opSpec{id: "createFirewallRule", method: http.MethodPost, path: "/databases/{database_id}/firewall_rules", envelope: "rule"}}
	opUpdateFirewallRule        = &op{opSpec: opSpec{id: "updateFirewallRule", method: http.MethodPatch, path: "/databases/{database_id}/firewall_rules/{firewall_rule_id}", retry: true, envelope: "rule"}}
	opDeleteFirewallRule        = &op{opSpec: opSpec{id: "deleteFirewallRule", method: http.MethodDelete, path: "/databases/{database_id}/firewall_rules/{firewall_rule_id}", retry: true}}
	opListFirewallManagedRanges = &op{opSpec: opSpec{id: "listFirewallManagedRanges", method: http.MethodGet, path: "/firewall/managed_ranges", retry: true, envelope: "ranges"}}
	// Catalogue.
	opListDatabaseTypes      = &op{opSpec: opSpec{id: "listDatabaseTypes", method: http.MethodGet, path: "/database_types", retry: true, envelope: "database_types"}}
	opGetDatabaseType        = &op{opSpec: opSpec{id: "getDatabaseType", method: http.MethodGet, path: "/database_types/{database_type_id}", retry: true, envelope: "database_type"}}
	opGetDatabaseTypeVersion = &op{opSpec: opSpec{id: "getDatabaseTypeVersion", method: http.MethodGet, path: "/database_type_versions/{database_type_version_id}", retry: true, envelope: "database_type_version"}}
	opGetPlan                = &op{opSpec: opSpec{id: "getPlan", method: http.MethodGet, path: "/plans/{plan_name}", retry: true, envelope: "plan"}}
)

// operationTable lists every operation, for the tests that hold the table
// to the spec.
var operationTable = [...]*op{
	opGetDatabase,
	opUpdateDatabase,
	opPutDatabase,
	opUpgradeDatabase,
	opPingDatabase,
	opGetDatabasePlan,
	opGetCaCertificate,
	opEnableDatabaseFeature,
	opDisableDatabaseFeature,
	opRunDatabaseAction,
	opListDatabaseUsers,
	opCreateDatabaseUser,
	opUpdateDatabaseUser,
	opDeleteDatabaseUser,
	opResetDatabaseUserPassword,
	opListBackups,
	opCreateBackup,
	opGetBackup,
	opGetBackupArchive,
	opDownloadBackup,
	opRestoreBackup,
	opGetBackupRestoration,
	opGetDatabaseOperation,
	opRestoreDatabasePitr,
	opGetPitrRecoveryWindow,
	opListMaintenances,
	opGetMaintenance,
	opGetDatabaseInstancesStatus,
	opGetDatabaseMetrics,
	opGetDatabaseHealth,
	opGetDatabaseMetricsByType,
	opGetInstanceMetricsByType,
	opGetDatabaseLag,
	opGetDatabaseLogsUrl,
	opListDatabaseLogsArchives,
	opListFirewallRules,
	opCreateFirewallRule,
	opUpdateFirewallRule,
	opDeleteFirewallRule,
	opListFirewallManagedRanges,
	opListDatabaseTypes,
	opGetDatabaseType,
	opGetDatabaseTypeVersion,
	opGetPlan,
}

// wireType returns struct{ V *T `json:"<envelope>"` }, the type that
// decodes the answer of o into a T in one pass. It is cached per
// operation and result type: two callers that decode one operation into
// two types each get their own.
func wireType[T any](o *op) reflect.Type {
	key := reflect.TypeFor[*T]()
	if w, ok := o.wires.Load(key); ok {
		return w.(reflect.Type)
	}
	w := reflect.StructOf([]reflect.StructField{{
		Name: "V",
		Type: key,
		Tag:  reflect.StructTag(`json:"` + o.envelope + `"`),
	}})
	// reflect.StructOf gives the same type to the same fields, so a caller
	// that loses a race stores the type the winner stored.
	o.wires.Store(key, w)
	return w
}
