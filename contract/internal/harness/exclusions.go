package harness

// MockUnproducible lists the documented (operation, status) pairs that the built-in mock cannot
// produce, each with its reason. Everything else the spec documents must be seen in a full run
// against the mock. CheckCoverage fails when a listed pair is seen, so the list cannot grow stale.
func MockUnproducible() []Exclusion {
	var out []Exclusion
	// The mock's single token grants every action on every database: 403 exists only where the
	// mock refuses something specific (a protected user, a forged or expired download token).
	const forbidden = "the mock's token grants everything; it answers 403 only for protected users and bad download tokens"
	for _, op := range []string{
		"getDatabase", "updateDatabase", "putDatabase", "upgradeDatabase",
		"restoreDatabasePitr", "getPitrRecoveryWindow",
		"enableDatabaseFeature", "disableDatabaseFeature", "runDatabaseAction",
		"listDatabaseUsers", "createDatabaseUser",
		"listBackups", "createBackup", "getBackup", "getBackupArchive",
		"listMaintenances", "getMaintenance",
		"getDatabaseInstancesStatus", "getDatabaseMetrics", "getDatabaseHealth",
		"getDatabaseLogsUrl", "listDatabaseLogsArchives", "getDatabaseTypeVersion",
		"listFirewallRules", "createFirewallRule", "deleteFirewallRule", "listFirewallManagedRanges",
	} {
		out = append(out, Exclusion{op, "403", forbidden})
	}
	return append(out,
		Exclusion{"resetDatabaseUserPassword", "403", "the mock refuses to update or delete a protected user, but lets its password be reset"},
		Exclusion{"listFirewallManagedRanges", "404", "the operation has no path parameter: there is nothing to be missing"},
		Exclusion{"downloadBackup", "404", "a valid token exists only for a done backup, and backups cannot be deleted; any other token gets 403"},
		Exclusion{"upgradeDatabase", "400", "the operation takes no body and no parameter: nothing can be malformed"},
		Exclusion{"createBackup", "422", "the operation takes no body and the mock accepts every backup request"},
		Exclusion{"listMaintenances", "422", "page and per_page rules are in the parameter schemas, so request validation answers 400 first"},
	)
}
