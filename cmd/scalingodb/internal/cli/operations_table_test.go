package cli

// operationTable maps each command that calls the API to the operations of
// the spec (operationId) it sends. A test checks that every operation of
// the spec has a command, and that every command here exists.
var operationTable = map[string][]string{
	"users list":            {"listDatabaseUsers"},
	"users create":          {"createDatabaseUser"},
	"users update":          {"updateDatabaseUser"},
	"users reset-password":  {"resetDatabaseUserPassword"},
	"users delete":          {"deleteDatabaseUser"},
	"users rotate-password": {"updateDatabaseUser"},

	"backups list":        {"listBackups"},
	"backups get":         {"getBackup"},
	"backups create":      {"createBackup", "getBackup"},
	"backups wait":        {"getBackup"},
	"backups link":        {"getBackupArchive"},
	"backups download":    {"listBackups", "getBackup", "getBackupArchive", "downloadBackup"},
	"backups restore":     {"restoreBackup", "getBackupRestoration"},
	"backups restoration": {"getBackupRestoration"},
	"backups sync":        {"listBackups", "getBackupArchive", "downloadBackup"},
	"backups verify":      {}, // reads the destination only

	"database get":     {"getDatabase"},
	"database update":  {"updateDatabase", "putDatabase"},
	"database upgrade": {"upgradeDatabase", "getDatabaseOperation"},

	"features list":    {"getDatabase"},
	"features enable":  {"enableDatabaseFeature"},
	"features disable": {"disableDatabaseFeature"},

	"actions run": {"runDatabaseAction"},

	"maintenance list": {"listMaintenances"},
	"maintenance get":  {"getMaintenance"},

	"firewall list":   {"listFirewallRules"},
	"firewall create": {"createFirewallRule"},
	"firewall update": {"updateFirewallRule"},
	"firewall delete": {"deleteFirewallRule"},
	"firewall ranges": {"listFirewallManagedRanges"},

	"logs url":      {"getDatabaseLogsUrl"},
	"logs archives": {"listDatabaseLogsArchives"},

	"pitr window":  {"getPitrRecoveryWindow"},
	"pitr restore": {"restoreDatabasePitr", "getDatabaseOperation"},

	"operations get":  {"getDatabaseOperation"},
	"operations wait": {"getDatabaseOperation"},

	"instances":    {"getDatabaseInstancesStatus"},
	"metrics":      {"getDatabaseMetrics"},
	"health":       {"getDatabaseHealth"},
	"type-version": {"getDatabaseTypeVersion", "getDatabase"},

	"ping":           {"pingDatabase"},
	"lag":            {"getDatabaseLag"},
	"series":         {"getDatabaseMetricsByType", "getInstanceMetricsByType"},
	"plan":           {"getDatabasePlan", "getPlan"},
	"types list":     {"listDatabaseTypes"},
	"types get":      {"getDatabaseType"},
	"ca-certificate": {"getCaCertificate"},
}

// offline lists the runnable commands that send no request.
var offline = map[string]bool{"version": true, "completion": true, "help": true}
