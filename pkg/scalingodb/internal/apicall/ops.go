package apicall

import (
	"net/http"
)

// Op is what the client knows of one operation of the spec. Each is one
// of the Op* variables below, which the services name: an operation
// missing from the table does not compile, and there is no lookup that
// could fail.
type Op struct {
	// ID is the spec's operationId.
	ID string
	// Method and Path are the operation's route in the spec (checked by
	// TestOperationTable_MatchesSpec).
	Method, Path string
	// Retry says whether the request may be sent again after a lost or
	// failed answer: sending it twice has the effect of sending it once.
	// The rule (RFC 9110 idempotent methods, plus the justified exceptions
	// listed in ops_test.go) is checked against the spec.
	Retry bool
	// Envelope is the key of the JSON object that holds the answer, or ""
	// when the answer is the bare value.
	Envelope string
}

// The operations of the spec. Every request of the client names its
// operation here.
var (
	// Databases.
	OpGetDatabase      = &Op{ID: "getDatabase", Method: http.MethodGet, Path: "/databases/{database_id}", Retry: true, Envelope: "database"}
	OpUpdateDatabase   = &Op{ID: "updateDatabase", Method: http.MethodPatch, Path: "/databases/{database_id}", Retry: true, Envelope: "database"}
	OpPutDatabase      = &Op{ID: "putDatabase", Method: http.MethodPut, Path: "/databases/{database_id}", Retry: true, Envelope: "database"}
	OpUpgradeDatabase  = &Op{ID: "upgradeDatabase", Method: http.MethodPost, Path: "/databases/{database_id}/upgrade"}
	OpPingDatabase     = &Op{ID: "pingDatabase", Method: http.MethodPost, Path: "/databases/{database_id}/ping", Retry: true}
	OpGetDatabasePlan  = &Op{ID: "getDatabasePlan", Method: http.MethodGet, Path: "/databases/{database_id}/plan", Retry: true, Envelope: "plan"}
	OpGetCaCertificate = &Op{ID: "getCaCertificate", Method: http.MethodGet, Path: "/ca_certificate", Retry: true}
	// Features and actions.
	OpEnableDatabaseFeature  = &Op{ID: "enableDatabaseFeature", Method: http.MethodPost, Path: "/databases/{database_id}/features"}
	OpDisableDatabaseFeature = &Op{ID: "disableDatabaseFeature", Method: http.MethodDelete, Path: "/databases/{database_id}/features", Retry: true}
	OpRunDatabaseAction      = &Op{ID: "runDatabaseAction", Method: http.MethodPost, Path: "/databases/{database_id}/action"}
	// Users.
	OpListDatabaseUsers         = &Op{ID: "listDatabaseUsers", Method: http.MethodGet, Path: "/databases/{database_id}/users", Retry: true, Envelope: "database-users"}
	OpCreateDatabaseUser        = &Op{ID: "createDatabaseUser", Method: http.MethodPost, Path: "/databases/{database_id}/users", Envelope: "database_user"}
	OpUpdateDatabaseUser        = &Op{ID: "updateDatabaseUser", Method: http.MethodPatch, Path: "/databases/{database_id}/users/{username}", Retry: true, Envelope: "database_user"}
	OpDeleteDatabaseUser        = &Op{ID: "deleteDatabaseUser", Method: http.MethodDelete, Path: "/databases/{database_id}/users/{username}", Retry: true}
	OpResetDatabaseUserPassword = &Op{ID: "resetDatabaseUserPassword", Method: http.MethodPost, Path: "/databases/{database_id}/users/{username}/reset_password", Envelope: "database_user"}
	// Backups and restorations.
	OpListBackups          = &Op{ID: "listBackups", Method: http.MethodGet, Path: "/databases/{database_id}/backups", Retry: true, Envelope: "database_backups"}
	OpCreateBackup         = &Op{ID: "createBackup", Method: http.MethodPost, Path: "/databases/{database_id}/backups", Envelope: "database_backup"}
	OpGetBackup            = &Op{ID: "getBackup", Method: http.MethodGet, Path: "/backups/{backup_id}", Retry: true, Envelope: "database_backup"}
	OpGetBackupArchive     = &Op{ID: "getBackupArchive", Method: http.MethodGet, Path: "/databases/{database_id}/backups/{backup_id}/archive", Retry: true}
	OpDownloadBackup       = &Op{ID: "downloadBackup", Method: http.MethodGet, Path: "/databases/{database_id}/backups/{backup_id}/download", Retry: true}
	OpRestoreBackup        = &Op{ID: "restoreBackup", Method: http.MethodPost, Path: "/databases/{database_id}/backups/{backup_id}/restore"}
	OpGetBackupRestoration = &Op{ID: "getBackupRestoration", Method: http.MethodGet, Path: "/databases/{database_id}/backup_restorations/{restoration_id}", Retry: true, Envelope: "backup_restoration"}
	// Operations and point-in-time restores.
	OpGetDatabaseOperation  = &Op{ID: "getDatabaseOperation", Method: http.MethodGet, Path: "/databases/{database_id}/operations/{operation_id}", Retry: true, Envelope: "operation"}
	OpRestoreDatabasePitr   = &Op{ID: "restoreDatabasePitr", Method: http.MethodPost, Path: "/databases/{database_id}/pitr/restore", Envelope: "operation"}
	OpGetPitrRecoveryWindow = &Op{ID: "getPitrRecoveryWindow", Method: http.MethodGet, Path: "/databases/{database_id}/pitr/recovery_window", Retry: true, Envelope: "recovery_window"}
	// Maintenance, instances, metrics, logs.
	OpListMaintenances           = &Op{ID: "listMaintenances", Method: http.MethodGet, Path: "/databases/{database_id}/maintenance", Retry: true}
	OpGetMaintenance             = &Op{ID: "getMaintenance", Method: http.MethodGet, Path: "/databases/{database_id}/maintenance/{maintenance_id}", Retry: true}
	OpGetDatabaseInstancesStatus = &Op{ID: "getDatabaseInstancesStatus", Method: http.MethodGet, Path: "/databases/{database_id}/instances_status", Retry: true}
	OpGetDatabaseMetrics         = &Op{ID: "getDatabaseMetrics", Method: http.MethodGet, Path: "/databases/{database_id}/metrics", Retry: true}
	OpGetDatabaseHealth          = &Op{ID: "getDatabaseHealth", Method: http.MethodGet, Path: "/databases/{database_id}/health", Retry: true}
	OpGetDatabaseMetricsByType   = &Op{ID: "getDatabaseMetricsByType", Method: http.MethodGet, Path: "/databases/{database_id}/metrics/{metric_type}", Retry: true}
	OpGetInstanceMetricsByType   = &Op{ID: "getInstanceMetricsByType", Method: http.MethodGet, Path: "/databases/{database_id}/instances/{instance_id}/metrics/{metric_type}", Retry: true}
	OpGetDatabaseLag             = &Op{ID: "getDatabaseLag", Method: http.MethodGet, Path: "/databases/{database_id}/lag", Retry: true}
	OpGetDatabaseLogsUrl         = &Op{ID: "getDatabaseLogsUrl", Method: http.MethodGet, Path: "/databases/{database_id}/logs", Retry: true}
	OpListDatabaseLogsArchives   = &Op{ID: "listDatabaseLogsArchives", Method: http.MethodGet, Path: "/databases/{database_id}/logs_archives", Retry: true}
	// Firewall.
	OpListFirewallRules         = &Op{ID: "listFirewallRules", Method: http.MethodGet, Path: "/databases/{database_id}/firewall_rules", Retry: true, Envelope: "rules"}
	OpCreateFirewallRule        = &Op{ID: "createFirewallRule", Method: http.MethodPost, Path: "/databases/{database_id}/firewall_rules", Envelope: "rule"}
	OpUpdateFirewallRule        = &Op{ID: "updateFirewallRule", Method: http.MethodPatch, Path: "/databases/{database_id}/firewall_rules/{firewall_rule_id}", Retry: true, Envelope: "rule"}
	OpDeleteFirewallRule        = &Op{ID: "deleteFirewallRule", Method: http.MethodDelete, Path: "/databases/{database_id}/firewall_rules/{firewall_rule_id}", Retry: true}
	OpListFirewallManagedRanges = &Op{ID: "listFirewallManagedRanges", Method: http.MethodGet, Path: "/firewall/managed_ranges", Retry: true, Envelope: "ranges"}
	// Catalogue.
	OpListDatabaseTypes      = &Op{ID: "listDatabaseTypes", Method: http.MethodGet, Path: "/database_types", Retry: true, Envelope: "database_types"}
	OpGetDatabaseType        = &Op{ID: "getDatabaseType", Method: http.MethodGet, Path: "/database_types/{database_type_id}", Retry: true, Envelope: "database_type"}
	OpGetDatabaseTypeVersion = &Op{ID: "getDatabaseTypeVersion", Method: http.MethodGet, Path: "/database_type_versions/{database_type_version_id}", Retry: true, Envelope: "database_type_version"}
	OpGetPlan                = &Op{ID: "getPlan", Method: http.MethodGet, Path: "/plans/{plan_name}", Retry: true, Envelope: "plan"}
)

// Table lists every operation, for the tests that hold the table
// to the spec.
var Table = [...]*Op{
	OpGetDatabase,
	OpUpdateDatabase,
	OpPutDatabase,
	OpUpgradeDatabase,
	OpPingDatabase,
	OpGetDatabasePlan,
	OpGetCaCertificate,
	OpEnableDatabaseFeature,
	OpDisableDatabaseFeature,
	OpRunDatabaseAction,
	OpListDatabaseUsers,
	OpCreateDatabaseUser,
	OpUpdateDatabaseUser,
	OpDeleteDatabaseUser,
	OpResetDatabaseUserPassword,
	OpListBackups,
	OpCreateBackup,
	OpGetBackup,
	OpGetBackupArchive,
	OpDownloadBackup,
	OpRestoreBackup,
	OpGetBackupRestoration,
	OpGetDatabaseOperation,
	OpRestoreDatabasePitr,
	OpGetPitrRecoveryWindow,
	OpListMaintenances,
	OpGetMaintenance,
	OpGetDatabaseInstancesStatus,
	OpGetDatabaseMetrics,
	OpGetDatabaseHealth,
	OpGetDatabaseMetricsByType,
	OpGetInstanceMetricsByType,
	OpGetDatabaseLag,
	OpGetDatabaseLogsUrl,
	OpListDatabaseLogsArchives,
	OpListFirewallRules,
	OpCreateFirewallRule,
	OpUpdateFirewallRule,
	OpDeleteFirewallRule,
	OpListFirewallManagedRanges,
	OpListDatabaseTypes,
	OpGetDatabaseType,
	OpGetDatabaseTypeVersion,
	OpGetPlan,
}
